/**
 * The gateway's own paths on a host that has a `login: browser` route. The whole `/.gatehouse/`
 * prefix is reserved there: a path under it that is none of these is refused, never forwarded, so
 * an upstream cannot be reached through (or shadow) the gateway's endpoints.
 */
export const BROWSER_SESSION_PATHS = Object.freeze({
  /** Everything under it belongs to the gateway on a login host. */
  prefix: '/.gatehouse/',
  /** GET: the authorization response (code, state, iss) comes back here. */
  callback: '/.gatehouse/callback',
  /** The refresh cookie's Path: only the two endpoints below ever receive the refresh token. */
  session: '/.gatehouse/session',
  /** GET ?return=/path: silent renewal, or the start of a sign-in. */
  refresh: '/.gatehouse/session/refresh',
  /** POST: sign out. */
  logout: '/.gatehouse/session/logout',
});
