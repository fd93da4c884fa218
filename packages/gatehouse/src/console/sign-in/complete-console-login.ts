import type { FastifyReply, FastifyRequest } from 'fastify';
import { openLoginTransaction, sameSecret } from '../../gateway/browser-session/login-transaction.ts';
import { claimOf } from '../../gateway/browser-session/session-verdicts.ts';
import { revokeSessionFamily } from '../../issuer/tokens/revoke-session-family.ts';
import { CONSOLE_AUDIENCE, CONSOLE_CLIENT_ID } from '../console-client.ts';
import { clearConsoleCookie, readConsoleCookie, setConsoleCookie } from '../console-cookies.ts';
import { sendConsolePage } from '../console-pages.ts';
import { CONSOLE_PATHS } from '../console-paths.ts';
import type { ConsoleServices } from '../console-services.ts';
import { newCsrfToken, sealConsoleSession, type ConsoleSession } from '../console-session.ts';
import { ADMIN_ROLE, verifyConsoleToken } from '../console-token.ts';
import { consoleCallbackUrl } from './console-callback-url.ts';

/** The authorization response's parameters (OAuth 2.1 §4.1.2, §4.1.2.1; RFC 9207 `iss`); each at most once. */
const RESPONSE_PARAMETERS = ['code', 'state', 'iss', 'error'] as const;

/** Why a callback was refused: for the server log only; the browser sees one generic page. */
type CallbackFailure =
  | 'request_invalid'
  | 'no_transaction'
  | 'transaction_invalid'
  | 'transaction_expired'
  | 'state_mismatch'
  | 'issuer_mismatch'
  | 'authorization_error'
  | 'code_rejected'
  | 'nonce_mismatch'
  | 'token_refused'
  | 'user_unknown';

/**
 * GET /console/callback?code&state&iss — the end of a console sign-in, checked as the gateway's
 * callback is: the login cookie must open and belong to this callback URL; `state` must be the
 * transaction's (CSRF); `iss` must be this issuer (RFC 9207); the code is redeemed in process with
 * the PKCE verifier and exact redirect_uri; the ID token's nonce must be the transaction's. Then
 * the access token is verified by the gateway's verifier and its `roles` decide: without `admin`,
 * a 403 page and no session (the sign-in's family is revoked: nothing of it stays usable); with
 * it, the sealed session cookie and a 303 to /console/. The access token itself is never sent on.
 */
export async function completeConsoleLogin(services: ConsoleServices, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const url = request.raw.url ?? '';
  const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  if (RESPONSE_PARAMETERS.some((name) => query.getAll(name).length > 1)) return failed(services, reply, 'request_invalid');

  const cookie = readConsoleCookie(request.headers.cookie, 'login');
  if (cookie === undefined) return failed(services, reply, 'no_transaction');
  const opened = openLoginTransaction(services.loginCookies, cookie, services.clock());
  if (!opened.ok) return failed(services, reply, opened.reason === 'callback_transaction_expired' ? 'transaction_expired' : 'transaction_invalid');
  const transaction = opened.transaction;
  if (transaction.redirectUri !== consoleCallbackUrl(request.raw) || transaction.audience !== CONSOLE_AUDIENCE) return failed(services, reply, 'transaction_invalid');

  const state = query.get('state');
  if (state === null || !sameSecret(state, transaction.state)) return failed(services, reply, 'state_mismatch');
  if (query.get('iss') !== services.issuer.config.issuer) return failed(services, reply, 'issuer_mismatch');
  if (query.has('error')) return failed(services, reply, 'authorization_error');
  const code = query.get('code');
  if (code === null || code === '') return failed(services, reply, 'request_invalid');

  const outcome = await services.grants.redeemCode({ code, redirectUri: transaction.redirectUri, codeVerifier: transaction.codeVerifier, audience: CONSOLE_AUDIENCE }, request.ip);
  if (!outcome.ok) return failed(services, reply, 'code_rejected');
  const { tokens } = outcome;
  const sid = tokens.id_token === undefined ? undefined : claimOf(tokens.id_token, 'sid');
  const nonce = tokens.id_token === undefined ? undefined : claimOf(tokens.id_token, 'nonce');
  if (typeof nonce !== 'string' || !sameSecret(nonce, transaction.nonce)) {
    await revokeFamily(services, sid, 'console sign-in: nonce mismatch');
    return failed(services, reply, 'nonce_mismatch');
  }

  const verified = await verifyConsoleToken(services, tokens.access_token);
  if (verified.kind !== 'authenticated') {
    await revokeFamily(services, sid, 'console sign-in: access token refused');
    return failed(services, reply, 'token_refused');
  }
  const { claims, kid } = verified.verified;
  const user = await services.issuer.store.users.findById(claims.sub);
  if (user === undefined) {
    await revokeFamily(services, sid, 'console sign-in: unknown user');
    return failed(services, reply, 'user_unknown');
  }
  const roles = verified.identity.roles;
  if (!roles.includes(ADMIN_ROLE)) {
    await revokeFamily(services, sid, 'console sign-in: not an admin');
    services.logger?.warn({ event: 'console.signin_refused', sub: user.id, username: user.username }, 'console sign-in refused: the admin role is required');
    reply.header('set-cookie', clearConsoleCookie('login'));
    return sendConsolePage(reply, 403, 'Admins only', [`You are signed in as ${user.username}, who does not have the ${ADMIN_ROLE} role. Only administrators can use the console.`], {
      href: services.issuer.urls.endSession,
      text: 'Sign out at the issuer to sign in as someone else',
    });
  }

  const session: ConsoleSession = {
    sub: user.id,
    username: user.username,
    roles: [...roles],
    exp: claims.exp,
    csrf: newCsrfToken(),
    sid: typeof claims.sid === 'string' ? claims.sid : null,
    jti: claims.jti,
    iat: claims.iat,
    kid,
  };
  services.logger?.info({ event: 'console.signed_in', sub: user.id, username: user.username }, 'console sign-in');
  const maxAge = claims.exp - Math.floor(services.clock() / 1000);
  return reply
    .code(303)
    .header('location', CONSOLE_PATHS.home)
    .header('set-cookie', [setConsoleCookie('session', sealConsoleSession(services.sessionCookies, session), maxAge), clearConsoleCookie('login')])
    .header('cache-control', 'no-store')
    .send();
}

/** Every refused callback looks the same to the browser; the log says which check failed. */
function failed(services: ConsoleServices, reply: FastifyReply, reason: CallbackFailure): FastifyReply {
  services.logger?.info({ event: 'console.signin_failed', reason }, 'console sign-in could not be completed');
  return sendConsolePage(reply, 400, 'Sign-in could not be completed', ['The sign-in did not come back as it was sent, or took too long.'], { href: CONSOLE_PATHS.login, text: 'Sign in again' });
}

/** Tokens issued for a sign-in that does not become a console session are not left usable: their family (`sid`) is revoked. */
async function revokeFamily(services: ConsoleServices, sid: unknown, reason: string): Promise<void> {
  if (typeof sid !== 'string') return;
  const family = await services.issuer.store.refreshTokens.findFamily(sid);
  if (family !== undefined && family.clientId === CONSOLE_CLIENT_ID) await revokeSessionFamily(services.issuer, family, reason);
}
