import { NOT_RESPONSIBLE, type Authenticator } from './authenticator.ts';
import type { RouteTokenVerifier } from './route-token-verifier.ts';

export const SESSION_COOKIE_AUTHENTICATOR_ID = 'session_cookie';

/**
 * The cookie that carries a browser session's access token (DESIGN.md "Browser sessions"). The
 * `__Host-` prefix makes browsers accept it only Secure, host-only and with Path=/, so a sibling
 * subdomain cannot plant one.
 */
export const ACCESS_TOKEN_COOKIE = '__Host-gatehouse-access';

/**
 * Reads the access token from the session cookie and verifies it as the bearer authenticator
 * does. Not responsible when the cookie is absent or empty (an empty value is how a cleared
 * cookie looks: no credential). The cookie named twice is refused: which one a server picks is
 * exactly what cookie-tossing attacks play on. Issuing and renewing the cookie, and the Origin
 * check that cookie credentials need on state-changing requests, belong to the browser-session
 * flow (gateway/browser-session/); the gateway knows a cookie was used from `authenticator` in the outcome.
 */
export function createSessionCookieAuthenticator(tokens: RouteTokenVerifier): Authenticator {
  return {
    id: SESSION_COOKIE_AUTHENTICATOR_ID,
    authenticate(request, route) {
      const header = request.headers.cookie;
      // The common case (no session cookie at all) costs one substring search.
      if (header === undefined || !header.includes(ACCESS_TOKEN_COOKIE)) return NOT_RESPONSIBLE;
      const values = cookieValues(header, ACCESS_TOKEN_COOKIE);
      if (values.length > 1) {
        return { kind: 'refused', authenticator: SESSION_COOKIE_AUTHENTICATOR_ID, reason: 'malformed_token', detail: `cookie ${ACCESS_TOKEN_COOKIE} is sent ${values.length} times`, signatureVerified: false };
      }
      const token = values[0];
      if (token === undefined || token === '') return NOT_RESPONSIBLE;
      return tokens.verifyForRoute(token, route, SESSION_COOKIE_AUTHENTICATOR_ID);
    },
  };
}

/**
 * The values of every cookie named `name` in a Cookie header (RFC 6265 §4.2.1: `name=value`
 * pairs separated by `; `; node:http joins repeated Cookie fields with `; `). Names compare
 * exactly; whitespace around pairs is tolerated. Values are taken as they are: a quoted or
 * otherwise altered token is then refused by the verifier, not repaired here.
 */
export function cookieValues(header: string, name: string): string[] {
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) values.push(pair.slice(eq + 1).trim());
  }
  return values;
}
