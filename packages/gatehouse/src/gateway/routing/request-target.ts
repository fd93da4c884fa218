/**
 * The request path the gateway matches, authorizes and forwards. A path the gateway and an
 * upstream could read differently is refused, never guessed at: that disagreement is the classic
 * way past a proxy's rules (`/public/..%2fadmin`, `/public/..;/admin`, `/admin;x/users`, `//admin`).
 *
 * The rule, applied to the request target as received (node:http's `req.url`):
 *  1. The query (from the first `?`) is split off, kept as written for forwarding, and never
 *     matched. A `#` anywhere is refused: a fragment is never sent to a server.
 *  2. The path must start with `/` (origin form): absolute-form and `*` targets are refused.
 *  3. Every character must be an RFC 3986 path character (unreserved, sub-delims, `:`, `@`, `/`)
 *     other than `;`, or a `%XX` escape with two hex digits. Refused: a raw `;` (Java servers
 *     strip `;params` from segments, so `/admin;x/users` is `/admin/users` to them), raw
 *     backslashes, spaces, controls, non-ASCII and anything else.
 *  4. Escapes are normalized as RFC 3986 §6.2.2 allows: an escaped unreserved character
 *     (A-Z a-z 0-9 - . _ ~) is decoded; every other escape stays encoded, with uppercase hex.
 *     Refused: an escaped `/` (%2F) or `\` (%5C), an escaped control character (%00-%1F, %7F),
 *     an escaped `%` that starts another escape (%252F: double encoding), and escaped bytes that
 *     are not UTF-8 (overlong `%C0%AE` is `.` to a lax decoder).
 *  5. After step 4, refused: an empty segment other than a trailing slash (`//a`, `/a//b`), and a
 *     dot segment `.` or `..` (`%2e%2e` included, decoded in step 4).
 *
 * Paths are case-sensitive. A trailing slash is kept: `/a/` and `/a` are different paths. The
 * result is what the upstream must receive, so the gateway forwards the normalized path.
 */

export interface RequestTarget {
  /** The normalized path. */
  readonly path: string;
  /** The query as received, with its `?`; '' when there is none. */
  readonly search: string;
}

const PERCENT = 0x25;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const HEX_DIGITS = '0123456789ABCDEF';

/** RFC 3986 `unreserved`. */
const UNRESERVED = asciiSet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~');
/** RFC 3986 `pchar` without pct-encoded and without `;` (see step 3), plus `/`. */
const PATH_CHARACTERS = asciiSet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,=:@/");

function asciiSet(characters: string): Uint8Array {
  const set = new Uint8Array(128);
  for (let index = 0; index < characters.length; index++) set[characters.charCodeAt(index)] = 1;
  return set;
}

/** The normalized target, or undefined when the path must be refused (`bad_path`). */
export function normalizeRequestTarget(target: string): RequestTarget | undefined {
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  const search = queryStart === -1 ? '' : target.slice(queryStart);
  if (rawPath.charCodeAt(0) !== SLASH || search.includes('#')) return undefined;
  const path = normalizeEscapes(rawPath);
  return path !== undefined && segmentsAreSafe(path) ? { path, search } : undefined;
}

/** Steps 3 and 4; allocates only when the path has an escape. */
function normalizeEscapes(raw: string): string | undefined {
  let out = '';
  let copiedUpTo = 0;
  let nonAscii = false;
  for (let index = 0; index < raw.length; index++) {
    const code = raw.charCodeAt(index);
    if (code !== PERCENT) {
      if (code >= 128 || PATH_CHARACTERS[code] !== 1) return undefined;
      continue;
    }
    const byte = hexByte(raw, index + 1);
    if (byte === -1 || byte < 0x20 || byte === 0x7f || byte === SLASH || byte === BACKSLASH) return undefined;
    if (byte === PERCENT && hexByte(raw, index + 3) !== -1) return undefined;
    if (byte >= 0x80) nonAscii = true;
    const normalized = UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : `%${HEX_DIGITS[byte >> 4]}${HEX_DIGITS[byte & 0xf]}`;
    out += raw.slice(copiedUpTo, index) + normalized;
    copiedUpTo = index + 3;
    index += 2;
  }
  if (copiedUpTo === 0) return raw;
  out += raw.slice(copiedUpTo);
  return nonAscii && !isUtf8(out) ? undefined : out;
}

/** decodeURIComponent throws on escaped bytes that are not UTF-8 (overlong forms, lone surrogates). */
function isUtf8(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** The byte of the two hex digits at `index`, or -1. */
function hexByte(text: string, index: number): number {
  const high = hexValue(text.charCodeAt(index));
  const low = hexValue(text.charCodeAt(index + 1));
  return high === -1 || low === -1 ? -1 : (high << 4) | low;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Step 5, on the decoded path. */
function segmentsAreSafe(path: string): boolean {
  let start = 1;
  for (;;) {
    const slash = path.indexOf('/', start);
    const end = slash === -1 ? path.length : slash;
    if ((end === start && slash !== -1) || isDotSegment(path, start, end)) return false;
    if (slash === -1) return true;
    start = slash + 1;
  }
}

function isDotSegment(path: string, start: number, end: number): boolean {
  const length = end - start;
  if (length !== 1 && length !== 2) return false;
  return path.charCodeAt(start) === DOT && (length === 1 || path.charCodeAt(start + 1) === DOT);
}
