import type { IncomingMessage } from 'node:http';
import { sameOrigin } from '../gateway/pipeline/same-origin.ts';
import { readConsoleCookie } from './console-cookies.ts';
import type { ConsoleApiErrorCode } from './console-errors.ts';
import type { ConsoleServices } from './console-services.ts';
import { csrfTokenMatches, openConsoleSession, sessionRevocation, type ConsoleSession } from './console-session.ts';
import { ADMIN_ROLE, authenticateBearer } from './console-token.ts';

/** Who calls the admin API: a signed-in operator (the session cookie), or a bearer token's holder. */
export type ConsoleCaller =
  | { readonly kind: 'session'; readonly session: ConsoleSession }
  | { readonly kind: 'bearer'; readonly sub: string; readonly roles: readonly string[]; readonly clientId: string | null };

export type CallerOutcome =
  | { readonly ok: true; readonly caller: ConsoleCaller }
  | {
      readonly ok: false;
      readonly code: Extract<ConsoleApiErrorCode, 'unauthenticated' | 'admin_required'>;
      readonly message: string;
      /** The session cookie is dead (expired, altered, revoked): the answer clears it. */
      readonly clearSession: boolean;
      /** The RFC 6750 challenge for a refused bearer token. */
      readonly challenge?: string;
    };

const BEARER_CHALLENGE = 'Bearer realm="gatehouse-console", error="invalid_token"';

/**
 * The admin API's authentication. An `Authorization: Bearer` token — this issuer's, for the
 * gatehouse-console audience, verified by the gateway's verifier with the live revocation lists —
 * decides alone when present: a refused token is a 401, never a fall-back to the cookie. Without
 * one, the sealed session cookie, which must open, be unexpired and not be revoked (its access
 * token's jti, family, subject and key are looked up in the revocation lists on every request).
 * Either way the caller must have the admin role.
 */
export async function identifyCaller(services: ConsoleServices, request: IncomingMessage): Promise<CallerOutcome> {
  const bearer = await authenticateBearer(services, request);
  if (bearer.kind === 'refused') return { ok: false, code: 'unauthenticated', message: 'the bearer token was refused', clearSession: false, challenge: BEARER_CHALLENGE };
  if (bearer.kind === 'authenticated') {
    const { identity, verified } = bearer;
    if (!identity.roles.includes(ADMIN_ROLE)) return { ok: false, code: 'admin_required', message: 'the admin role is required', clearSession: false };
    const clientId = verified.claims.client_id;
    return { ok: true, caller: { kind: 'bearer', sub: verified.claims.sub, roles: identity.roles, clientId: typeof clientId === 'string' ? clientId : null } };
  }

  const cookie = readConsoleCookie(request.headers.cookie, 'session');
  if (cookie === undefined) return { ok: false, code: 'unauthenticated', message: 'sign in at /console/login', clearSession: false };
  const session = openConsoleSession(services.sessionCookies, cookie, services.clock());
  if (session === undefined) return { ok: false, code: 'unauthenticated', message: 'the console session has ended: sign in again', clearSession: true };
  if (sessionRevocation(services.issuer.revocations.isRevoked, services.issuer.config.issuer, session) !== undefined) {
    return { ok: false, code: 'unauthenticated', message: 'the console session was revoked: sign in again', clearSession: true };
  }
  // Only admins get a session; checked again so a session can never outlive that rule.
  if (!session.roles.includes(ADMIN_ROLE)) return { ok: false, code: 'admin_required', message: 'the admin role is required', clearSession: true };
  return { ok: true, caller: { kind: 'session', session } };
}

/**
 * CSRF protection of a state-changing request: with cookie credentials it must come from a page
 * of the console's own origin (Origin header) and carry the session's CSRF token in X-CSRF-Token,
 * which only a script of that origin can have read from GET /console/api/session. A bearer token
 * is never sent by a browser on its own: no check.
 */
export function csrfRefusal(request: IncomingMessage, caller: ConsoleCaller): { readonly code: Extract<ConsoleApiErrorCode, 'origin_mismatch' | 'csrf_token_invalid'>; readonly message: string } | undefined {
  if (caller.kind === 'bearer') return undefined;
  if (!sameOrigin(request)) return { code: 'origin_mismatch', message: 'the request does not come from a console page (Origin)' };
  if (!csrfTokenMatches(request.headers['x-csrf-token'], caller.session)) return { code: 'csrf_token_invalid', message: 'X-CSRF-Token is missing or is not this session\'s' };
  return undefined;
}
