import { NOT_RESPONSIBLE, type AuthnRequest, type Authenticator, type Refused } from './authenticator.ts';
import type { RouteTokenVerifier } from './route-token-verifier.ts';

export const BEARER_AUTHENTICATOR_ID = 'bearer';

/**
 * RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`, b64token being RFC 7235's token68. The
 * scheme is case-insensitive (RFC 7235 §2.1); after it, exactly one token and nothing else.
 * Linear: the token's character class has no `=` and no space.
 */
const BEARER_CREDENTIALS = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
/** RFC 7235 §2.1 auth-scheme (a token), alone or followed by a space. */
const AUTH_SCHEME = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: |$)/;

/**
 * The Authorization header, RFC 6750 §2.1 — the only place a bearer token is read from:
 * - no Authorization field, or another scheme (Basic, Digest, …): not responsible;
 * - `Bearer <token68>` (any case): the token is verified for the route;
 * - anything else — `Bearer` with no token, two tokens, a field that has no scheme at all
 *   (empty), several Authorization fields: refused as malformed_token. A client that sent a
 *   credential gets a 401, never anonymous access.
 * Never from the query string (RFC 6750 §2.3: URLs end up in logs, history and Referer) or a form
 * body (§2.2: the gateway does not read bodies; it streams them upstream).
 */
export function createBearerAuthenticator(tokens: RouteTokenVerifier): Authenticator {
  const malformed = (detail: string): Refused => ({ kind: 'refused', authenticator: BEARER_AUTHENTICATOR_ID, reason: 'malformed_token', detail, signatureVerified: false });
  return {
    id: BEARER_AUTHENTICATOR_ID,
    authenticate(request, route) {
      const field: unknown = request.headers.authorization;
      if (field === undefined) return NOT_RESPONSIBLE;
      // node:http keeps the first of repeated Authorization fields and drops the rest: count them in rawHeaders.
      if (typeof field !== 'string' || authorizationFieldCount(request) > 1) return malformed('several Authorization header fields');
      const bearer = BEARER_CREDENTIALS.exec(field);
      if (bearer !== null) return tokens.verifyForRoute(bearer[1]!, route, BEARER_AUTHENTICATOR_ID);
      const scheme = AUTH_SCHEME.exec(field)?.[1];
      if (scheme !== undefined && scheme.toLowerCase() !== 'bearer') return NOT_RESPONSIBLE;
      return malformed(scheme === undefined ? 'Authorization has no auth-scheme' : 'Authorization is not "Bearer" followed by exactly one token68');
    },
  };
}

function authorizationFieldCount(request: AuthnRequest): number {
  const raw = request.rawHeaders;
  if (raw === undefined) return 1;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') count++;
  }
  return count;
}
