import type { AccessTokenClaims } from './claims.ts';
import type { JoseHeader } from './compact.ts';
import { deepFreeze } from './strict-json.ts';
import type { TrustedKey } from './trusted-key.ts';

export interface CachedToken {
  readonly header: JoseHeader;
  readonly claims: AccessTokenClaims;
  readonly key: TrustedKey;
  readonly issuer: string;
  /** Milliseconds since the epoch after which the entry is dropped (exp, plus leeway). */
  readonly expiresAt: number;
}

/** The last characters of the signature: random for every real token, and cheap to hash. */
const KEY_LENGTH = 32;

interface Slot {
  readonly token: string;
  readonly entry: CachedToken;
  readonly ring: number;
}

/**
 * Tokens whose signature has been verified, by their exact string. Bounded: when full, the oldest
 * entry goes (first in, first out over a ring of slots — evicting through Map iteration would
 * cost O(n) per insert once deleted entries pile up at the front of V8's table).
 * Entries are found by the token's last 32 characters (its signature's tail, so hashing does not
 * grow with the token) and then compared with the whole token, so a hit is always the exact
 * string that was verified. Only verified tokens are stored: nobody without the key can make a
 * token whose tail collides with a real one.
 * An entry never outlives its token's `exp`; audience, times, key trust and revocation are still
 * checked by the verifier on every hit, which is why a hit stays correct after a revocation or
 * rotation.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Slot>();
  readonly #ring: (string | undefined)[];
  #next = 0;

  constructor(readonly maxEntries = 10_000) {
    // NaN or Infinity would make the cache unbounded.
    if (!(Number.isInteger(maxEntries) && maxEntries >= 0)) throw new RangeError('maxEntries must be a non-negative integer');
    this.#ring = new Array<string | undefined>(maxEntries);
  }

  get(token: string, nowMs: number): CachedToken | undefined {
    const key = cacheKey(token);
    const slot = this.#entries.get(key);
    if (slot === undefined || slot.token !== token) return undefined;
    if (nowMs >= slot.entry.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    return slot.entry;
  }

  set(token: string, entry: CachedToken): void {
    if (this.maxEntries <= 0) return;
    // Every later hit hands out these claims: nobody may change them for the next caller.
    deepFreeze(entry.claims);
    const ring = this.#next;
    const evicted = this.#ring[ring];
    // The slot's previous key may since have been deleted or stored again in another slot.
    if (evicted !== undefined && this.#entries.get(evicted)?.ring === ring) this.#entries.delete(evicted);
    const key = cacheKey(token);
    this.#ring[ring] = key;
    this.#entries.set(key, { token, entry, ring });
    this.#next = ring + 1 === this.maxEntries ? 0 : ring + 1;
  }

  delete(token: string): void {
    const key = cacheKey(token);
    if (this.#entries.get(key)?.token === token) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#ring.fill(undefined);
    this.#next = 0;
  }

  get size(): number {
    return this.#entries.size;
  }
}

function cacheKey(token: string): string {
  return token.length > KEY_LENGTH ? token.slice(-KEY_LENGTH) : token;
}
