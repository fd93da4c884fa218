import type { AccessTokenClaims } from './claims.ts';
import type { JoseHeader } from './compact.ts';
import type { TrustedKey } from './trusted-key.ts';

export interface CachedToken {
  readonly header: JoseHeader;
  readonly claims: AccessTokenClaims;
  readonly key: TrustedKey;
  readonly issuer: string;
  /** Milliseconds since the epoch after which the entry is dropped (exp, plus leeway). */
  readonly expiresAt: number;
}

/**
 * Tokens whose signature has been verified, keyed by the exact token string (only canonical
 * tokens get this far, so one token has one key). Bounded: the oldest entry goes when full.
 * An entry never outlives its token's `exp`; claims, key trust and revocation are still checked
 * by the verifier on every hit, which is why a hit stays correct after a revocation or rotation.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, CachedToken>();
  constructor(readonly maxEntries = 10_000) {
    // NaN or Infinity would make the cache unbounded.
    if (!(Number.isInteger(maxEntries) && maxEntries >= 0)) throw new RangeError('maxEntries must be a non-negative integer');
  }

  get(token: string, nowMs: number): CachedToken | undefined {
    const entry = this.#entries.get(token);
    if (entry !== undefined && nowMs >= entry.expiresAt) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry;
  }

  set(token: string, entry: CachedToken): void {
    if (this.maxEntries <= 0) return;
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(token, entry);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
