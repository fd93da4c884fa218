import { timingSafeEqual } from 'node:crypto';
import { ACCESS_TOKEN_COOKIE } from '../authn/index.ts';
import { cookieValues } from '../authn/session-cookie-authenticator.ts';
import { BROWSER_SESSION_PATHS } from './session-paths.ts';

/**
 * The gateway's three cookies (DESIGN.md "Browser sessions"), all HttpOnly and Secure:
 *
 * - the access token, `__Host-gatehouse-access` — the name the session-cookie authenticator reads.
 *   `__Host-`: host-only, Path=/, so no sibling subdomain can plant or overwrite it (cookie
 *   tossing). SameSite=Lax: it comes along on a top-level navigation from another site (a link),
 *   never on cross-site subrequests or POSTs; state-changing requests are Origin-checked anyway.
 *   Max-Age ends it with the token, so the browser stops sending an expired token.
 * - the refresh token, `__Secure-gatehouse-refresh`, Path=/.gatehouse/session: only the refresh
 *   and logout endpoints ever receive it, never the application's pages or its upstream.
 *   (`__Host-` would force Path=/.) SameSite=Strict: no other site can make the browser use it.
 *   Max-Age is the refresh family's absolute lifetime (tokens.refreshMax).
 * - the sign-in in progress, `__Host-gatehouse-login`, sealed (login-transaction.ts). SameSite=Lax
 *   because the callback is a top-level navigation coming back from the issuer; 10 minutes.
 * - the refresh cookie's binding, `__Host-gatehouse-binding` (random, set with the session, same
 *   lifetime and SameSite as the refresh cookie): see boundRefreshValue.
 *
 * Secure over plain http://localhost works: browsers treat loopback as a secure context and keep
 * such cookies there (see issuer/session/cookies.ts).
 */
export const SESSION_COOKIES = Object.freeze({
  access: Object.freeze({ name: ACCESS_TOKEN_COOKIE, path: '/', sameSite: 'Lax' }),
  refresh: Object.freeze({ name: '__Secure-gatehouse-refresh', path: BROWSER_SESSION_PATHS.session, sameSite: 'Strict' }),
  login: Object.freeze({ name: '__Host-gatehouse-login', path: '/', sameSite: 'Lax' }),
  binding: Object.freeze({ name: '__Host-gatehouse-binding', path: '/', sameSite: 'Strict' }),
});

/**
 * The refresh cookie's value is `<refresh token>.<binding>`, and the binding must equal the
 * `__Host-gatehouse-binding` cookie. A sibling host can plant a `__Secure-` cookie for the parent
 * domain (cookie tossing) — an attacker's own refresh token, which would sign the victim into the
 * attacker's account (login CSRF) — but it cannot plant a `__Host-` one: a planted refresh cookie
 * never matches this browser's binding. (Refresh tokens are base64url: no dot of their own.)
 */
export function boundRefreshValue(refreshToken: string, binding: string): string {
  return `${refreshToken}.${binding}`;
}

/** The refresh token of a refresh cookie value, when its binding is this browser's binding cookie; undefined otherwise. */
export function unboundRefreshToken(value: string, bindingCookie: CookieRead): string | undefined {
  const dot = value.lastIndexOf('.');
  if (dot <= 0 || bindingCookie.kind !== 'one') return undefined;
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(bindingCookie.value);
  return given.length === expected.length && timingSafeEqual(given, expected) ? value.slice(0, dot) : undefined;
}

export type SessionCookie = keyof typeof SESSION_COOKIES;

/** One Set-Cookie value. The values set here are base64url, dots and `-`: nothing to quote. */
export function setCookie(cookie: SessionCookie, value: string, maxAgeSeconds: number): string {
  const { name, path, sameSite } = SESSION_COOKIES[cookie];
  return `${name}=${value}; Path=${path}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; Secure; SameSite=${sameSite}`;
}

/** Deletes a cookie: an empty value, Max-Age=0, and the same name, Path and attributes it was set with. */
export function clearCookie(cookie: SessionCookie): string {
  return setCookie(cookie, '', 0);
}

export type CookieRead = { readonly kind: 'absent' } | { readonly kind: 'one'; readonly value: string } | { readonly kind: 'repeated' };

/**
 * One of the gateway's cookies in a request. Sent twice is `repeated`, never "pick one": which
 * copy a server picks is what cookie-tossing plays on (a `__Secure-` cookie may be set for a
 * parent domain by a sibling host). An empty value is how a cleared cookie looks: absent.
 */
export function readSessionCookie(header: string | undefined, cookie: SessionCookie): CookieRead {
  const name = SESSION_COOKIES[cookie].name;
  if (header === undefined || !header.includes(name)) return ABSENT;
  const values = cookieValues(header, name).filter((value) => value !== '');
  if (values.length === 0) return ABSENT;
  return values.length === 1 ? { kind: 'one', value: values[0]! } : REPEATED;
}

const ABSENT: CookieRead = Object.freeze({ kind: 'absent' });
const REPEATED: CookieRead = Object.freeze({ kind: 'repeated' });
