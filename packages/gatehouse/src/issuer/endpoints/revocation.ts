import { normalizeTyp, parseJsonObject, verifyCompactJws } from '@gatehouse/verify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RegisteredClient } from '../clients/client-registry.ts';
import { authenticateClient } from '../clients/authenticate-client.ts';
import { readFormParameters } from '../form-parameters.ts';
import { ISSUER_PATHS } from '../issuer-endpoints.ts';
import type { IssuerServices } from '../issuer-services.ts';
import { noStore } from '../no-store.ts';
import { OAuthError } from '../oauth-error.ts';
import { hashOpaqueToken } from '../tokens/opaque-token.ts';
import { revokeSessionFamily } from '../tokens/revoke-session-family.ts';

/**
 * POST /oauth2/revoke (RFC 7009). The client authenticates (a public client by its client_id) and
 * may revoke only its own tokens:
 * - a refresh token revokes its whole session family: every refresh token, and through `sid` every
 *   access token of the sign-in (event session.revoked);
 * - an access token is put on the token revocation list by `jti` until it expires (event
 *   token.revoked), refused by this process's verifiers at once.
 * Unknown, malformed, expired or other clients' tokens get the same empty 200 (§2.2): the answer
 * never tells whether a token exists or whose it is. The token's form decides its type (a JWT has
 * dots, an opaque refresh token none), so token_type_hint is not needed and never wrong (§2.1).
 */
export function registerRevocation(app: FastifyInstance, services: IssuerServices): void {
  app.post(`${services.urls.basePath}${ISSUER_PATHS.revocation}`, { onSend: noStore }, async (request, reply) => {
    const form = readFormParameters(request);
    const { client } = await authenticateClient(request, form, services.clients, { allowPublic: true });
    const token = form.get('token');
    if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
    if (token.includes('.')) await revokeAccessToken(services, request, client, token);
    else await revokeRefreshToken(services, request, client, token);
    return reply.code(200).send();
  });
}

async function revokeRefreshToken(services: IssuerServices, request: FastifyRequest, client: RegisteredClient, token: string): Promise<void> {
  const state = await services.store.refreshTokens.inspect(hashOpaqueToken(token), services.clock());
  if (state.status === 'unknown' || state.family.clientId !== client.id || state.family.revokedAt !== null) return;
  await revokeSessionFamily(services, state.family, 'revoked by client');
  await services.recordSecurityEvent({
    type: 'session.revoked',
    severity: 'info',
    subject: state.family.userId,
    clientId: client.id,
    ip: request.ip,
    details: { family_id: state.family.id, via: 'revocation_endpoint' },
  });
}

/**
 * Signature, `typ` and `iss` are checked with the issuer's keys — only a token we signed goes on
 * the list — but not `exp`: a token that expired needs no revoking and is simply left alone.
 */
async function revokeAccessToken(services: IssuerServices, request: FastifyRequest, client: RegisteredClient, token: string): Promise<void> {
  const jws = verifyCompactJws(token, (kid) => services.keys.keySet.getKey(kid));
  if (!jws.ok || jws.header.typ === undefined || normalizeTyp(jws.header.typ) !== 'at+jwt') return;
  const payload = parseJsonObject(jws.payload);
  if (!payload.ok) return;
  const { iss, client_id: clientId, jti, exp, sub } = payload.value;
  if (iss !== services.config.issuer || clientId !== client.id || typeof jti !== 'string' || jti.length === 0 || typeof exp !== 'number') return;
  // Verifiers accept a token until exp + leeway; the entry stays that long.
  const expiresAt = (exp + services.config.tokens.leewaySeconds) * 1000;
  if (expiresAt <= services.clock()) return;
  await services.revoker.revoke({ kind: 'token', value: jti, expiresAt, reason: 'revoked by client' });
  await services.recordSecurityEvent({
    type: 'token.revoked',
    severity: 'info',
    subject: typeof sub === 'string' ? sub : null,
    clientId: client.id,
    ip: request.ip,
    details: { jti, via: 'revocation_endpoint' },
  });
}
