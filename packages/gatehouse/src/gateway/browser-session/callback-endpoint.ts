import { revokeSessionFamily } from '../../issuer/tokens/revoke-session-family.ts';
import { callbackUrlFor } from './callback-url.ts';
import { GATEWAY_CLIENT_ID } from './gateway-client.ts';
import { newBinding, sessionCookies } from './issue-session-cookies.ts';
import { openLoginTransaction, sameSecret } from './login-transaction.ts';
import { safeReturnPath } from './return-path.ts';
import { clearCookie, readSessionCookie } from './session-cookies.ts';
import type { LoginHostRequest, SessionServices } from './session-services.ts';
import { accessTokenFacts, callbackFailure, claimOf, redirectVerdict, sessionAudit, type SessionVerdict } from './session-verdicts.ts';

/** The authorization response's parameters (OAuth 2.1 §4.1.2, §4.1.2.1; RFC 9207 `iss`); each at most once. */
const RESPONSE_PARAMETERS = ['code', 'state', 'iss', 'error'] as const;

/**
 * GET /.gatehouse/callback?code&state&iss — the end of a sign-in. In order: the login cookie must
 * open and belong to this callback URL; `state` must be the transaction's (CSRF); `iss` must be our
 * issuer (RFC 9207, mix-up); then the code is redeemed in process with the transaction's PKCE
 * verifier and exact redirect_uri, and the ID token's nonce must be the transaction's. Only then
 * are the cookies set (and the login cookie cleared), with a 303 to where the sign-in started.
 * Every failure is the same 400 page; the decision line says which check failed.
 */
export async function completeLogin(services: SessionServices, at: LoginHostRequest): Promise<SessionVerdict> {
  const query = new URLSearchParams(at.search);
  if (RESPONSE_PARAMETERS.some((name) => query.getAll(name).length > 1)) return callbackFailure('callback_request_invalid');

  const cookie = readSessionCookie(at.request.headers.cookie, 'login');
  if (cookie.kind === 'absent') return callbackFailure('callback_no_transaction');
  if (cookie.kind === 'repeated') return callbackFailure('callback_transaction_invalid');
  const opened = openLoginTransaction(services.loginCookies, cookie.value, services.clock());
  if (!opened.ok) return callbackFailure(opened.reason);
  const transaction = opened.transaction;
  // The cookie is host-only already; this also ties it to the scheme and port it was made for.
  if (transaction.redirectUri !== callbackUrlFor(at.request, at.host) || transaction.audience !== at.audience) return callbackFailure('callback_transaction_invalid');

  const state = query.get('state');
  if (state === null || !sameSecret(state, transaction.state)) return callbackFailure('callback_state_mismatch');
  if (query.get('iss') !== services.issuer.config.issuer) return callbackFailure('callback_issuer_mismatch');
  if (query.has('error')) return callbackFailure('callback_authorization_error');
  const code = query.get('code');
  if (code === null || code === '') return callbackFailure('callback_request_invalid');

  const outcome = await services.grants.redeemCode({ code, redirectUri: transaction.redirectUri, codeVerifier: transaction.codeVerifier, audience: transaction.audience }, at.context.clientIp);
  if (!outcome.ok) return callbackFailure('callback_code_rejected');
  const { tokens } = outcome;
  const nonce = tokens.id_token === undefined ? undefined : claimOf(tokens.id_token, 'nonce');
  if (typeof nonce !== 'string' || !sameSecret(nonce, transaction.nonce)) {
    await revokeIssuedFamily(services, tokens.id_token === undefined ? undefined : claimOf(tokens.id_token, 'sid'));
    return callbackFailure('callback_nonce_mismatch');
  }
  const cookies = [...sessionCookies(services, tokens, newBinding()), clearCookie('login')];
  return redirectVerdict(303, safeReturnPath(transaction.returnTo), cookies, sessionAudit('allow', 'login_completed', accessTokenFacts(tokens.access_token)));
}

/** Tokens issued for a response that failed its nonce check are not left usable: their family (`sid`) is revoked. */
async function revokeIssuedFamily(services: SessionServices, sid: unknown): Promise<void> {
  if (typeof sid !== 'string') return;
  const family = await services.issuer.store.refreshTokens.findFamily(sid);
  if (family !== undefined && family.clientId === GATEWAY_CLIENT_ID) await revokeSessionFamily(services.issuer, family, 'callback_nonce_mismatch');
}
