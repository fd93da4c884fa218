import { sessionCookies } from './issue-session-cookies.ts';
import { safeReturnPath } from './return-path.ts';
import { clearCookie, readSessionCookie, unboundRefreshToken } from './session-cookies.ts';
import type { LoginHostRequest, SessionServices } from './session-services.ts';
import { accessTokenFacts, redirectVerdict, sessionAudit, type SessionVerdict } from './session-verdicts.ts';
import { startLogin } from './start-login.ts';

/**
 * GET /.gatehouse/session/refresh?return=/path — silent renewal. The refresh cookie (sent to this
 * path only) is rotated through the issuer's refresh grant, in process: both cookies are set again
 * and the browser goes back to `return` (303). Without a usable refresh token the browser is sent
 * to sign in instead, and comes back to `return` afterwards. A refused refresh token (expired,
 * revoked, or already used — the grant then revokes its whole family) is cleared.
 */
export async function refreshSession(services: SessionServices, at: LoginHostRequest): Promise<SessionVerdict> {
  const returns = new URLSearchParams(at.search).getAll('return');
  const returnTo = safeReturnPath(returns.length === 1 ? returns[0] : undefined);
  const cookie = readSessionCookie(at.request.headers.cookie, 'refresh');
  if (cookie.kind === 'absent') return startLogin(services, at, returnTo, 'login_started');
  if (cookie.kind === 'repeated') return startLogin(services, at, returnTo, 'refresh_rejected', [clearCookie('refresh')]);
  // Only a refresh cookie this browser was given: a planted one is never sent to the grant.
  const binding = readSessionCookie(at.request.headers.cookie, 'binding');
  const refreshToken = unboundRefreshToken(cookie.value, binding);
  if (refreshToken === undefined || binding.kind !== 'one') return startLogin(services, at, returnTo, 'refresh_unbound', [clearCookie('refresh')]);

  const outcome = await services.renew(refreshToken, at.audience, at.context.clientIp);
  if (!outcome.ok) return startLogin(services, at, returnTo, 'refresh_rejected', [clearCookie('refresh')]);
  return redirectVerdict(303, returnTo, sessionCookies(services, outcome.tokens, binding.value), sessionAudit('allow', 'session_refreshed', accessTokenFacts(outcome.tokens.access_token)));
}
