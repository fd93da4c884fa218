/**
 * Strict base64url (RFC 4648 §5, as RFC 7515 §2 requires): the URL-safe alphabet only, no padding,
 * no whitespace, and no non-zero bits after the last full byte. Anything else is not canonical and
 * is refused, so that exactly one string encodes each byte sequence (a plain decoder would accept
 * `+`, `/`, `=`, spaces and altered trailing bits).
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

const CANONICAL = /^[A-Za-z0-9_-]*$/;

export function isCanonicalBase64url(text: string): boolean {
  const rem = text.length & 3;
  if (rem === 1 || !CANONICAL.test(text)) return false;
  return rem === 0 || hasZeroTrailingBits(text, rem);
}

function hasZeroTrailingBits(text: string, rem: number): boolean {
  const last = VALUE[text.charCodeAt(text.length - 1)]!;
  // 2 chars carry 1 byte (4 spare bits), 3 chars carry 2 bytes (2 spare bits).
  return (last & (rem === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * Decodes canonical base64url, or returns undefined for anything else. Fast path without a
 * regex: Node's decoder skips characters outside its alphabets (and stops at '='), so any such
 * character makes the output shorter than floor(3n/4); the two alphabets it shares, '+' and '/',
 * are looked for explicitly. Then the spare bits of the last character must be zero.
 */
export function decodeBase64url(text: string): Buffer | undefined {
  // The decoder reads a UTF-16 unit by its low byte ('Ś' as 'Z'): only ASCII can be canonical.
  return Buffer.byteLength(text, 'utf8') === text.length ? decodeAsciiBase64url(text) : undefined;
}

/** decodeBase64url for text already known to be ASCII (the token parser checks the whole token once). */
export function decodeAsciiBase64url(text: string): Buffer | undefined {
  const rem = text.length & 3;
  if (rem === 1 || text.includes('+') || text.includes('/')) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== (text.length * 3) >> 2) return undefined;
  return rem === 0 || hasZeroTrailingBits(text, rem) ? bytes : undefined;
}

export function encodeBase64url(bytes: Uint8Array | string): string {
  return (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('base64url');
}
