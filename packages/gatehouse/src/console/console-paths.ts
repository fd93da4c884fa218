/**
 * The console's paths on the control listener. Everything under `/console` is the console's:
 * the sign-in endpoints, the JSON admin API under `/console/api/`, and the built UI for the rest.
 */
export const CONSOLE_PATHS = Object.freeze({
  /** `/console` itself redirects to `/console/`. */
  root: '/console',
  /** The UI's index page; the browser lands here once signed in. */
  home: '/console/',
  /** GET: starts a sign-in at the issuer. */
  login: '/console/login',
  /** GET: the authorization response comes back here. */
  callback: '/console/callback',
  /** POST (CSRF-checked): signs out. */
  logout: '/console/logout',
  /** The JSON admin API; the UI's only way to the server. */
  api: '/console/api',
});

/** Whether a request path (no query) is the console's: `/console` or anything under `/console/`. */
export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PATHS.root || path.startsWith(`${CONSOLE_PATHS.root}/`);
}
