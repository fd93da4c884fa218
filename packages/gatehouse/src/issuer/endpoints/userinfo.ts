import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isFormRequest } from '../form-parameters.ts';
import { ownAccessTokenVerifier } from '../own-access-token-verifier.ts';
import { ISSUER_PATHS } from '../issuer-endpoints.ts';
import type { IssuerServices } from '../issuer-services.ts';
import { noStore } from '../no-store.ts';
import { OAuthError, type OAuthErrorCode } from '../oauth-error.ts';

/** RFC 6750 §3: every refusal names the scheme, and (but for a missing token) the error code. */
function bearerError(error: OAuthErrorCode, description: string, extra = ''): OAuthError {
  return new OAuthError(error, description, { headers: { 'www-authenticate': `Bearer realm="gatehouse", error="${error}"${extra}` } });
}

/**
 * GET/POST /oauth2/userinfo (OIDC Core §5.3). The access token is verified like at any gateway —
 * @gatehouse/verify with the issuer's own keys and revocation lists, `aud` = the issuer URL, which
 * the code and refresh grants add when the scope has `openid`. Refusals are generic on the wire
 * (RFC 6750 §3.1); the reason code goes to the log.
 *
 * Claims: `sub` and `roles` always; `preferred_username` with the `profile` scope (OIDC Core §5.4).
 * They are read from the user record, so a renamed user or a changed role shows at once, and a
 * disabled or deleted user's token is refused.
 */
export function registerUserinfo(app: FastifyInstance, services: IssuerServices): void {
  const verifier = ownAccessTokenVerifier(services, services.config.issuer);

  const userinfo = async (request: FastifyRequest) => {
    const result = verifier.verifySync(bearerTokenOf(request));
    if (!result.ok) {
      request.log.info({ reason: result.reason }, 'userinfo refused a token');
      throw bearerError('invalid_token', 'the access token is invalid');
    }
    const scopes = result.claims.scope?.split(' ') ?? [];
    if (!scopes.includes('openid')) throw bearerError('insufficient_scope', 'the access token lacks the openid scope', ', scope="openid"');
    const user = await services.store.users.findById(result.claims.sub);
    if (user === undefined || user.disabled) throw bearerError('invalid_token', 'the access token is invalid');
    return {
      sub: user.id,
      ...(scopes.includes('profile') ? { preferred_username: user.username } : {}),
      roles: user.roles,
    };
  };
  const path = `${services.urls.basePath}${ISSUER_PATHS.userinfo}`;
  app.get(path, { onSend: noStore }, userinfo);
  app.post(path, { onSend: noStore }, userinfo);
}

/**
 * RFC 6750 §2: the Authorization header, or `access_token` in a form body — one, not both. Never
 * the query string (OAuth 2.1 §5.2: URLs end up in logs and Referer headers).
 */
function bearerTokenOf(request: FastifyRequest): string {
  const query = request.query as Record<string, unknown> | undefined;
  if (query !== undefined && query !== null && Object.hasOwn(query, 'access_token')) throw bearerError('invalid_request', 'the access token must not be sent in the URL');
  const header = request.headers.authorization;
  const body = request.method === 'POST' && isFormRequest(request) ? (request.body as Record<string, unknown> | undefined)?.access_token : undefined;
  if (header !== undefined && body !== undefined) throw bearerError('invalid_request', 'send the access token one way only');
  if (header !== undefined) {
    const match = /^Bearer +([^\s]+)$/i.exec(header.trim());
    if (match === null) throw bearerError('invalid_request', 'the Authorization header is not a Bearer token');
    return match[1]!;
  }
  if (typeof body === 'string' && body.length > 0) return body;
  if (body !== undefined) throw bearerError('invalid_request', 'access_token is malformed');
  throw new OAuthError('invalid_token', 'an access token is required', { headers: { 'www-authenticate': 'Bearer realm="gatehouse"' } });
}
