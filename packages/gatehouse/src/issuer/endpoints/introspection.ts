import type { TokenVerifier } from '@gatehouse/verify';
import type { FastifyInstance } from 'fastify';
import type { RegisteredClient } from '../clients/client-registry.ts';
import { authenticateClient } from '../clients/authenticate-client.ts';
import { readFormParameters } from '../form-parameters.ts';
import { ownAccessTokenVerifier } from '../own-access-token-verifier.ts';
import { ISSUER_PATHS } from '../issuer-endpoints.ts';
import type { IssuerServices } from '../issuer-services.ts';
import { noStore } from '../no-store.ts';
import { OAuthError } from '../oauth-error.ts';
import { hashOpaqueToken } from '../tokens/opaque-token.ts';

/** RFC 7662 §2.2: for a token that is not active, nothing else — not even why. */
const INACTIVE = Object.freeze({ active: false as const });

type Introspection = Readonly<Record<string, unknown>> & { readonly active: boolean };

/**
 * POST /oauth2/introspect (RFC 7662). Only confidential clients may ask (§4: an open endpoint is a
 * token-scanning oracle). What is active:
 * - an access token that passes every verification rule (signature, `typ` at+jwt, `iss`, times,
 *   revocation lists) and whose `aud` names one of the caller's audiences — a resource server
 *   learns about tokens meant for it, not about everyone's; a user's token also needs the user
 *   to exist and be enabled;
 * - a live refresh token of the caller's own, whose user exists and is enabled.
 * Everything else is exactly {"active":false}.
 */
export function registerIntrospection(app: FastifyInstance, services: IssuerServices): void {
  // The default audience is never used: each call passes the caller's audiences.
  const verifier = ownAccessTokenVerifier(services, services.config.issuer);
  app.post(`${services.urls.basePath}${ISSUER_PATHS.introspection}`, { onSend: noStore }, async (request): Promise<Introspection> => {
    const form = readFormParameters(request);
    const { client } = await authenticateClient(request, form, services.clients, { allowPublic: false });
    const token = form.get('token');
    if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
    // The token's form decides its type (a JWT has dots, an opaque refresh token none); the hint is not needed.
    const result = token.includes('.') ? await introspectAccessToken(services, verifier, client, token) : await introspectRefreshToken(services, client, token);
    if (!result.active) request.log.debug({ client_id: client.id }, 'introspection: not active');
    return result;
  });
}

async function introspectAccessToken(services: IssuerServices, verifier: TokenVerifier, caller: RegisteredClient, token: string): Promise<Introspection> {
  if (caller.audiences.length === 0) return INACTIVE;
  const result = verifier.verifySync(token, { audience: caller.audiences });
  if (!result.ok) return INACTIVE;
  const { claims } = result;
  let username: string | undefined;
  // Tokens of a person's session carry its sid; client_credentials tokens (sub = the client) do not.
  if (claims.sid !== undefined) {
    const user = await services.store.users.findById(claims.sub);
    if (user === undefined || user.disabled) return INACTIVE;
    username = user.username;
  }
  return {
    active: true,
    ...(claims.scope === undefined ? {} : { scope: claims.scope }),
    client_id: claims.client_id,
    ...(username === undefined ? {} : { username }),
    token_type: 'Bearer',
    exp: claims.exp,
    iat: claims.iat,
    sub: claims.sub,
    aud: claims.aud,
    iss: claims.iss,
    jti: claims.jti,
    ...(claims.sid === undefined ? {} : { sid: claims.sid }),
  };
}

async function introspectRefreshToken(services: IssuerServices, caller: RegisteredClient, token: string): Promise<Introspection> {
  const state = await services.store.refreshTokens.inspect(hashOpaqueToken(token), services.clock());
  if (state.status !== 'live' || state.family.clientId !== caller.id) return INACTIVE;
  const { family } = state;
  const user = await services.store.users.findById(family.userId);
  if (user === undefined || user.disabled) return INACTIVE;
  return {
    active: true,
    ...(family.scope === '' ? {} : { scope: family.scope }),
    client_id: family.clientId,
    username: user.username,
    token_type: 'refresh_token',
    sub: user.id,
    iss: services.config.issuer,
    sid: family.id,
  };
}
