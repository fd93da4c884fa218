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
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // Depth and duplicates are checked on the text before JSON.parse so a hostile, deeply nested
  // document is refused without building it.
  const scan = scanMembers(text, maxDepth);
  if (scan !== undefined) return { ok: false, fault: scan };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, fault: 'syntax' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, fault: 'not_object' };
  return { ok: true, value: value as Record<string, unknown> };
}

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d, COLON = 0x3a, COMMA = 0x2c;

interface Frame { object: boolean; expectKey: boolean; keys: Set<string> | undefined }

/**
 * Walks the text tracking object/array nesting and member names. It does not validate JSON
 * (JSON.parse does); on valid JSON it sees every member name exactly once. Returns a fault or
 * undefined.
 */
function scanMembers(text: string, maxDepth: number): StrictJsonFault | undefined {
  const stack: Frame[] = [];
  let top: Frame | undefined;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i + 1;
      let escaped = false;
      i++;
      for (; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) { escaped = true; i++; continue; }
        if (d === QUOTE) break;
      }
      if (i >= n) return 'syntax';
      if (top !== undefined && top.object && top.expectKey) {
        let key = text.slice(start, i);
        if (escaped) {
          try { key = JSON.parse(text.slice(start - 1, i + 1)) as string; } catch { return 'syntax'; }
        }
        const keys = (top.keys ??= new Set());
        if (keys.has(key)) return 'duplicate';
        keys.add(key);
        top.expectKey = false;
      }
    } else if (c === LBRACE || c === LBRACKET) {
      if (stack.length >= maxDepth) return 'depth';
      top = { object: c === LBRACE, expectKey: c === LBRACE, keys: undefined };
      stack.push(top);
    } else if (c === RBRACE || c === RBRACKET) {
      stack.pop();
      top = stack[stack.length - 1];
    } else if (c === COMMA) {
      if (top !== undefined && top.object) top.expectKey = true;
    } else if (c === COLON) {
      if (top !== undefined) top.expectKey = false;
    }
  }
  return undefined;
}
