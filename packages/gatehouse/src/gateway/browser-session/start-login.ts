import { authorizationRequestUrl } from './authorization-request-url.ts';
import { callbackUrlFor } from './callback-url.ts';
import { LOGIN_TRANSACTION_TTL_SECONDS, sealLoginTransaction, startLoginTransaction } from './login-transaction.ts';
import { setCookie } from './session-cookies.ts';
import type { LoginHostRequest, SessionServices } from './session-services.ts';
import { redirectVerdict, sessionAudit, type SessionVerdict } from './session-verdicts.ts';

/**
 * Starts a sign-in: a fresh transaction (state, nonce, PKCE verifier) sealed into the login cookie,
 * and a 302 to the issuer's authorization endpoint. A newer sign-in in the same browser replaces
 * an unfinished one (one login cookie per host): the older tab's callback then fails its state check.
 */
export function startLogin(services: SessionServices, at: LoginHostRequest, returnTo: string, reason: 'login_started' | 'refresh_rejected' | 'refresh_unbound', cookies: readonly string[] = []): SessionVerdict {
  const transaction = startLoginTransaction({ redirectUri: callbackUrlFor(at.request, at.host), returnTo, audience: at.audience, now: services.clock() });
  const loginCookie = setCookie('login', sealLoginTransaction(services.loginCookies, transaction), LOGIN_TRANSACTION_TTL_SECONDS);
  return redirectVerdict(302, authorizationRequestUrl(services.issuer.urls.authorize, transaction), [...cookies, loginCookie], sessionAudit(reason === 'login_started' ? 'allow' : 'deny', reason));
}
