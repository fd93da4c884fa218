import { isUtf8 } from 'node:buffer';

/**
 * Parses a JOSE header or JWT claims set: valid UTF-8, valid JSON, an object at the top, no
 * duplicate member names at any depth (RFC 7515 §5.2 lets us refuse them; "last one wins" is how
 * two verifiers come to disagree about one token), and bounded nesting.
 */
export type StrictJsonFault = 'utf8' | 'syntax' | 'not_object' | 'duplicate' | 'depth';

export type StrictJsonResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; fault: StrictJsonFault };

export const DEFAULT_MAX_DEPTH = 16;

export function parseJsonObject(bytes: Uint8Array, maxDepth = DEFAULT_MAX_DEPTH): StrictJsonResult {
  if (!isUtf8(bytes)) return { ok: false, fault: 'utf8' };
  const text = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8');
  // Depth is checked on the text before JSON.parse, so hostile nesting is refused unbuilt.
  const members = countMembers(text, maxDepth);
  if (typeof members === 'string') return { ok: false, fault: members };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, fault: 'syntax' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, fault: 'not_object' };
  // Every member in the text has exactly one ':' outside strings. JSON.parse keeps one property
  // per distinct name, so the parsed tree has fewer properties exactly when a name repeats
  // (the dropped duplicate's own members vanish with it, which only widens the gap).
  if (countProperties(value) !== members) return { ok: false, fault: 'duplicate' };
  return { ok: true, value: value as Record<string, unknown> };
}

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d, COLON = 0x3a;

/**
 * Counts ':' outside strings and checks nesting depth. It does not validate JSON (JSON.parse
 * does); on valid JSON the count is the number of object members. Strings are skipped with
 * indexOf, so the cost is per token rather than per character.
 */
function countMembers(text: string, maxDepth: number): number | 'depth' | 'syntax' {
  let depth = 0;
  let colons = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = text.indexOf('"', i + 1);
      while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) return 'syntax';
      i = end;
    } else if (c === COLON) {
      colons++;
    } else if (c === LBRACE || c === LBRACKET) {
      if (++depth > maxDepth) return 'depth';
    } else if (c === RBRACE || c === RBRACKET) {
      depth--;
    }
  }
  return colons;
}

/** A quote preceded by an odd number of backslashes is escaped. */
function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let j = quote - 1; j >= 0 && text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
  return (backslashes & 1) === 1;
}

/** Own properties over the whole tree (own keys only: a property added to Object.prototype must not count). */
function countProperties(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) total += countProperties(item);
    return total;
  }
  for (const key of Object.keys(value)) total += 1 + countProperties((value as Record<string, unknown>)[key]);
  return total;
}

/**
 * Freezes a parsed value and everything in it. Whatever a cache shares between requests (parsed
 * headers, verified claims) is frozen first, so a caller that mutated one could not change what
 * the next request sees.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
