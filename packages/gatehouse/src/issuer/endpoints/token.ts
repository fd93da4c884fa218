import type { FastifyInstance } from 'fastify';
import type { GrantType } from '../../config/index.ts';
import { authenticateClient } from '../clients/authenticate-client.ts';
import { readFormParameters } from '../form-parameters.ts';
import { exchangeAuthorizationCode } from '../grants/authorization-code.ts';
import { issueClientCredentialsToken } from '../grants/client-credentials.ts';
import type { Grant } from '../grants/grant.ts';
import { refreshAccessToken } from '../grants/refresh-token.ts';
import { ISSUER_PATHS } from '../issuer-endpoints.ts';
import type { IssuerServices } from '../issuer-services.ts';
import { noStore } from '../no-store.ts';
import { OAuthError } from '../oauth-error.ts';
import { createIdTokenMinter } from '../tokens/mint-id-token.ts';

/**
 * The grants this issuer implements — exactly discovery's grant_types_supported. OAuth 2.1 drops
 * the password and implicit grants: they, and anything else, are unsupported_grant_type.
 */
const GRANTS: ReadonlyMap<string, Grant> = new Map<GrantType, Grant>([
  ['authorization_code', exchangeAuthorizationCode],
  ['refresh_token', refreshAccessToken],
  ['client_credentials', issueClientCredentialsToken],
]);

/**
 * POST /oauth2/token (RFC 6749 §3.2). Form body only; every response `Cache-Control: no-store`.
 * Order: parameters (repeats refused; RFC 8707 `resource` may repeat and is judged by the grant) →
 * client authentication → grant_type known → grant allowed to the client → the grant.
 */
export function registerToken(app: FastifyInstance, services: IssuerServices): void {
  const mintIdToken = createIdTokenMinter({ issuer: services.config.issuer, keys: services.keys, clock: services.clock });
  app.post(`${services.urls.basePath}${ISSUER_PATHS.token}`, { onSend: noStore }, async (request) => {
    const form = readFormParameters(request, { repeatable: ['resource'] });
    const { client } = await authenticateClient(request, form, services.clients, { allowPublic: true });
    const grantType = form.get('grant_type');
    if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
    const grant = GRANTS.get(grantType);
    if (grant === undefined) throw new OAuthError('unsupported_grant_type', 'this grant type is not supported');
    if (!client.grants.includes(grantType as GrantType)) throw new OAuthError('unauthorized_client', 'this client may not use this grant type');
    return grant({ services, mintIdToken, client, form, ip: request.ip, log: request.log });
  });
}
