export { openIssuer, storeUrl, type OpenIssuer, type OpenIssuerOptions } from './open-issuer.ts';
export { createIssuerApp, type IssuerAppOptions } from './create-issuer-app.ts';
export type { IssuerServices } from './issuer-services.ts';
export { ISSUER_PATHS, issuerUrls, type IssuerUrls } from './issuer-endpoints.ts';
export { OAuthError, OAUTH_ERROR_STATUS, type OAuthErrorCode } from './oauth-error.ts';
export { ClientRegistry, type RegisteredClient } from './clients/client-registry.ts';
export { hashClientSecret, generateClientSecret } from './clients/client-secret.ts';
export { hashPassword, verifyPassword } from './users/password-hash.ts';
export { generateOpaqueToken, hashOpaqueToken } from './tokens/opaque-token.ts';
