// Gateway authentication: authenticators, the chain that runs them, the token verifier they share. This file only re-exports.
export {
  NOT_RESPONSIBLE,
  AUTHN_NOTES,
  type Authenticator,
  type AuthnRequest,
  type AuthnOutcome,
  type NotResponsible,
  type Authenticated,
  type Refused,
  type UnverifiedTokenFacts,
  type AuthnNote,
  type AuthnNoteCode,
} from './authenticator.ts';
export { authenticate, ANONYMOUS_RESULT, type Anonymous, type AuthnResult } from './authenticate.ts';
export { createGatewayAuthnChain } from './gateway-authn-chain.ts';
export { createBearerAuthenticator, BEARER_AUTHENTICATOR_ID } from './bearer-authenticator.ts';
export { createSessionCookieAuthenticator, SESSION_COOKIE_AUTHENTICATOR_ID, ACCESS_TOKEN_COOKIE } from './session-cookie-authenticator.ts';
export { createRouteTokenVerifier, loadTrustedIssuerKeys, TRUSTED_ISSUER_REQUIRED_CLAIMS, type RouteTokenVerifier, type TokenTarget, type RouteTokenVerifierOptions } from './route-token-verifier.ts';
export { identityFromClaims, type IdentityMapping, type MappedIdentity } from './identity-from-claims.ts';
export { bearerChallenge, BEARER_REALM, type BearerProblem, type BearerChallenge } from './www-authenticate.ts';
