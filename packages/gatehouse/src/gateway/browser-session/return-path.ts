import { BROWSER_SESSION_PATHS } from './session-paths.ts';

/** Longer than any path worth returning to; a longer value is not one the gateway made. */
const MAX_RETURN_PATH_LENGTH = 4096;
/** Only for resolving: a return path that leaves this origin is refused. */
const PROBE_ORIGIN = 'https://return-path.invalid';
/**
 * Browsers drop tabs and newlines from URLs and read `\` as `/`, so `/\evil.example` and
 * `/<TAB>/evil.example` would both become `//evil.example` — another site. Spaces and controls are
 * never in a request-target either.
 */
const UNSAFE_CHARACTERS = /[\\\x00-\x20\x7f]/;

/**
 * Where the gateway may send a browser back after renewal or sign-in: a path on the same host,
 * never another site (no open redirect). It must start with a single `/` (not `//`, which is
 * scheme-relative, nor `/\`), contain no backslash, whitespace or control character, and resolve
 * to this origin; the gateway's own endpoints are no destination either. Anything else becomes
 * `/`. The result is the resolved path and query, percent-encoded: safe to put in Location.
 */
export function safeReturnPath(value: string | null | undefined): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_RETURN_PATH_LENGTH) return '/';
  if (value.charCodeAt(0) !== 0x2f || value.charCodeAt(1) === 0x2f || UNSAFE_CHARACTERS.test(value)) return '/';
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return '/';
  }
  // Resolving dot segments can make a path scheme-relative again: `/..//evil.example` → `//evil.example`.
  if (url.origin !== PROBE_ORIGIN || url.pathname.startsWith('//') || url.pathname.startsWith(BROWSER_SESSION_PATHS.prefix)) return '/';
  return `${url.pathname}${url.search}`;
}
