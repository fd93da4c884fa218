import { cookieValues } from '../gateway/authn/session-cookie-authenticator.ts';

/**
 * The console's two cookies, both sealed (AES-256-GCM under keys derived from the issuer's
 * cookieKey), HttpOnly and Secure, host-only with `__Host-` (no sibling host can plant or
 * overwrite them), Path=/:
 * - the session, `__Host-gatehouse-console`: who signed in, until their access token's `exp`,
 *   and the CSRF token. SameSite=Strict: no other site can make the browser send it.
 * - the sign-in in progress, `__Host-gatehouse-console-login` (state, nonce, PKCE verifier),
 *   SameSite=Lax because the callback is a top-level navigation back from the issuer; 10 minutes.
 * Neither ever holds a token: the access token the sign-in produced stays on the server.
 */
export const CONSOLE_COOKIES = Object.freeze({
  session: Object.freeze({ name: '__Host-gatehouse-console', sameSite: 'Strict' }),
  login: Object.freeze({ name: '__Host-gatehouse-console-login', sameSite: 'Lax' }),
});

export type ConsoleCookie = keyof typeof CONSOLE_COOKIES;

/** One Set-Cookie value (values are base64url and dots: nothing to quote). */
export function setConsoleCookie(cookie: ConsoleCookie, value: string, maxAgeSeconds: number): string {
  const { name, sameSite } = CONSOLE_COOKIES[cookie];
  return `${name}=${value}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; Secure; SameSite=${sameSite}`;
}

export function clearConsoleCookie(cookie: ConsoleCookie): string {
  return setConsoleCookie(cookie, '', 0);
}

/**
 * The cookie's value when the request carries it exactly once (empty counts as absent). Sent
 * twice is refused, never "pick one": which copy wins is what cookie tossing plays on.
 */
export function readConsoleCookie(header: string | undefined, cookie: ConsoleCookie): string | undefined {
  const name = CONSOLE_COOKIES[cookie].name;
  if (header === undefined || !header.includes(name)) return undefined;
  const values = cookieValues(header, name).filter((value) => value !== '');
  return values.length === 1 ? values[0] : undefined;
}
