import { importTrustedKeySet, type ImportKeyOptions, type TrustedKey } from './trusted-key.ts';

/**
 * Where a verifier finds an issuer's keys. `getKey` is synchronous (the hot path never waits);
 * `refresh` is the one asynchronous door, which a source may rate-limit (an unknown kid asks for it).
 */
export interface KeySource {
  getKey(kid: string): TrustedKey | undefined;
  /** False while a remote source has never loaded a key set: refusals then say keys_unavailable. */
  readonly available: boolean;
  /** Asks for fresh keys because `kid` was unknown. Resolves true if a refetch happened. */
  refresh?(kid: string): Promise<boolean>;
  /** Resolves once the first load has been attempted. */
  ready?(): Promise<void>;
}

/** A fixed set of trusted keys (a local JWKS file, or keys the issuer holds). Replaceable atomically. */
export class LocalKeySet implements KeySource {
  #keys: ReadonlyMap<string, TrustedKey>;
  readonly available = true;

  constructor(keys: readonly TrustedKey[] = []) {
    this.#keys = LocalKeySet.#index(keys);
  }

  static fromJwks(jwks: unknown, options?: ImportKeyOptions): LocalKeySet {
    return new LocalKeySet(importTrustedKeySet(jwks, options).keys);
  }

  getKey(kid: string): TrustedKey | undefined {
    return this.#keys.get(kid);
  }

  get keys(): readonly TrustedKey[] {
    return [...this.#keys.values()];
  }

  /** Swaps in a new set; verifiers see it on their next call, and cached tokens of removed keys stop verifying. */
  replace(keys: readonly TrustedKey[]): void {
    this.#keys = LocalKeySet.#index(keys);
  }

  static #index(keys: readonly TrustedKey[]): ReadonlyMap<string, TrustedKey> {
    const map = new Map<string, TrustedKey>();
    for (const key of keys) {
      if (map.has(key.kid)) throw new TypeError(`duplicate kid ${key.kid}`);
      map.set(key.kid, key);
    }
    return map;
  }
}
