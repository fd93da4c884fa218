import { decodeAsciiBase64url, decodeBase64url } from './base64url.ts';
import type { ReasonCode } from './reasons.ts';
import { deepFreeze, parseJsonObject } from './strict-json.ts';

/** A JOSE protected header after the structural checks. `alg` and `kid` are typed; the rest is as sent. */
export interface JoseHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  readonly crit?: readonly string[];
  readonly [member: string]: unknown;
}

export interface ParsedCompactJws {
  readonly header: JoseHeader;
  /** The exact bytes that were signed: ASCII of `header.payload`. */
  readonly signingInput: Buffer;
  /** The decoded payload bytes (a JWT's claims set, or any JWS payload). */
  readonly payload: Buffer;
  readonly signature: Buffer;
}

export type Refusal = { readonly ok: false; readonly reason: ReasonCode; readonly detail: string };
export type ParseResult = ({ readonly ok: true } & ParsedCompactJws) | (Refusal & { readonly header?: JoseHeader });

export interface CompactLimits {
  /** Refuse longer tokens before looking at them. Default 8192 characters. */
  readonly maxTokenLength?: number;
  /** Header parameters listed in `crit` that the caller understands. Default: none. */
  readonly understoodCrit?: ReadonlySet<string>;
}

export const DEFAULT_MAX_TOKEN_LENGTH = 8192;
const EMBEDDED_KEY_PARAMETERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;
export const MAX_KID_LENGTH = 256;
const MAX_CACHED_HEADER_LENGTH = 512;
const NO_CRIT: ReadonlySet<string> = new Set();

export function refuse(reason: ReasonCode, detail: string): Refusal {
  return { ok: false, reason, detail };
}

/**
 * Rule 1–3 of DESIGN.md "Verification" that need no key: bounded size, exactly three canonical
 * base64url parts, a JSON-object header with a usable `alg` and `kid`, no embedded or remote key
 * references, no `crit` we do not understand. The payload is not parsed here (a JWS payload need
 * not be JSON); the JWT layer does that.
 */
export function parseCompactJws(token: unknown, limits: CompactLimits = {}, headerCache?: HeaderCache): ParseResult {
  if (typeof token !== 'string' || token.length === 0) return refuse('token_missing', 'no token');
  const max = limits.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  if (token.length > max) return refuse('token_too_large', `token is ${token.length} characters; the limit is ${max}`);
  // A compact JWS is ASCII: every other character takes more than one UTF-8 byte. Refusing them
  // here keeps one meaning per token string; Node's base64 decoder and the latin1 signing input
  // would otherwise read 'Ś' (U+015A) as 'Z'.
  if (Buffer.byteLength(token, 'utf8') !== token.length) return refuse('malformed_token', 'token contains non-ASCII characters');
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) return refuse('malformed_token', 'a compact JWS has exactly three parts');
  const headerSegment = token.slice(0, first);
  const payloadSegment = token.slice(first + 1, second);
  const signatureSegment = token.slice(second + 1);
  if (headerSegment.length === 0) return refuse('malformed_token', 'empty header part');

  // The header first, so that `alg: none` is named as such even when the signature is empty.
  let header = headerCache?.get(headerSegment);
  if (header === undefined) {
    const checked = checkHeader(headerSegment, limits.understoodCrit ?? NO_CRIT);
    if (!checked.ok) return checked;
    header = checked.header;
    // Real headers are ~100 characters; caching only short ones keeps a stream of hostile large
    // headers from pinning memory (the cache holds at most 256 × 512 characters).
    if (headerSegment.length <= MAX_CACHED_HEADER_LENGTH) headerCache?.set(headerSegment, deepFreeze(header));
  }
  const fail = (reason: ReasonCode, detail: string) => ({ ...refuse(reason, detail), header });
  const payload = decodeAsciiBase64url(payloadSegment);
  if (payload === undefined) return fail('malformed_token', 'payload part is not canonical base64url');
  if (signatureSegment.length === 0) return fail('malformed_token', 'empty signature part');
  const signature = decodeAsciiBase64url(signatureSegment);
  if (signature === undefined) return fail('malformed_token', 'signature part is not canonical base64url');
  return { ok: true, header, signingInput: Buffer.from(token.slice(0, second), 'latin1'), payload, signature };
}

function checkHeader(segment: string, understoodCrit: ReadonlySet<string>): { ok: true; header: JoseHeader } | Refusal & { header?: JoseHeader } {
  const bytes = decodeBase64url(segment);
  if (bytes === undefined) return refuse('malformed_token', 'header part is not canonical base64url');
  const parsed = parseJsonObject(bytes);
  if (!parsed.ok) return refuse('malformed_header', `header: ${parsed.fault}`);
  const header = parsed.value as JoseHeader;
  const fail = (reason: ReasonCode, detail: string) => ({ ...refuse(reason, detail), header });
  // Own members only: a property planted on Object.prototype must not stand in for one.
  const own = (name: string): unknown => (Object.hasOwn(header, name) ? header[name] : undefined);
  const alg = own('alg'), kid = own('kid'), crit = own('crit'), typ = own('typ');
  if (typeof alg !== 'string' || alg.length === 0) return fail('alg_not_allowed', 'header has no "alg"');
  if (alg.toLowerCase() === 'none') return fail('alg_not_allowed', `"alg": "${alg}" (unsecured JWS) is never accepted`);
  for (const name of EMBEDDED_KEY_PARAMETERS) {
    if (Object.hasOwn(header, name)) return fail('embedded_key_not_allowed', `header carries "${name}"; keys are only taken from the trusted key set`);
  }
  if (crit !== undefined) {
    if (!Array.isArray(crit) || crit.length === 0) return fail('unsupported_crit', '"crit" must be a non-empty array');
    for (const name of crit) {
      if (typeof name !== 'string' || !understoodCrit.has(name) || !Object.hasOwn(header, name)) {
        return fail('unsupported_crit', `"crit" names ${JSON.stringify(name)}, which this verifier does not understand`);
      }
    }
  }
  if (typ !== undefined && typeof typ !== 'string') return fail('wrong_typ', '"typ" is not a string');
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
    return fail('unknown_kid', '"kid" is not a non-empty string of at most 256 characters');
  }
  return { ok: true, header };
}

/**
 * Decoded headers by their exact segment. Tokens signed by one key share one header, so after the
 * first token the header costs a Map lookup. Bounded: when full it is cleared (headers are few).
 */
export class HeaderCache {
  readonly #entries = new Map<string, JoseHeader>();
  constructor(readonly maxEntries = 256) {}
  get(segment: string): JoseHeader | undefined {
    return this.#entries.get(segment);
  }
  set(segment: string, header: JoseHeader): void {
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    this.#entries.set(segment, header);
  }
}
