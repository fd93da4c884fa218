import type { SigningKeysExclusive } from '../cluster/index.ts';
import type { SigningKeyRecord, SigningKeyRepository } from '../store/index.ts';
import type { KeyRecord, KeyState, PublicSigningJwk } from './key-record.ts';
import type { KeyRepository } from './key-repository.ts';
import { SealedPrivateKey } from './sealed-private-key.ts';
import type { SigningAlgorithm } from './signing-algorithms.ts';

/**
 * KeyRepository over the store's signing_keys table (SQLite or PostgreSQL). Updates are
 * compare-and-set on the state, so when replicas advance the same key only one of them wins; with
 * `exclusive` (PostgreSQL: keyLifecycleLock) whole lifecycle steps take turns across replicas.
 */
export class StoreKeyRepository implements KeyRepository {
  readonly #keys: SigningKeyRepository;
  readonly #exclusive: SigningKeysExclusive | undefined;

  constructor(keys: SigningKeyRepository, exclusive?: SigningKeysExclusive) {
    this.#keys = keys;
    this.#exclusive = exclusive;
  }

  exclusively<T>(work: (repository: KeyRepository) => Promise<T>): Promise<T> {
    if (this.#exclusive === undefined) return work(this);
    return this.#exclusive((keys) => work(new StoreKeyRepository(keys)));
  }

  async list(): Promise<readonly KeyRecord[]> {
    return (await this.#keys.list()).map(toKeyRecord);
  }

  async insert(record: KeyRecord): Promise<void> {
    if (record.state !== 'pending' && record.state !== 'active') throw new TypeError(`a new key is pending or active, not ${record.state}`);
    await this.#keys.insert({
      kid: record.kid,
      alg: record.alg,
      state: record.state,
      publicJwk: { ...record.publicJwk },
      sealedPrivateKey: record.sealedPrivateKey.envelope(),
      createdAt: record.createdAt,
      activatesAt: record.activatesAt,
    });
  }

  async update(record: KeyRecord, expectedState: KeyState): Promise<boolean> {
    if (record.state === 'revoked') {
      const revoked = await this.#keys.revoke(record.kid, record.revokedAt ?? Date.now());
      return revoked !== undefined;
    }
    const changed = await this.#keys.transition(record.kid, expectedState, {
      state: record.state,
      activatesAt: record.activatesAt,
      ...(record.retiringAt === undefined ? {} : { retiringAt: record.retiringAt }),
      ...(record.retireAfter === undefined ? {} : { retireAfter: record.retireAfter }),
    });
    return changed !== undefined;
  }
}

function toKeyRecord(row: SigningKeyRecord): KeyRecord {
  return {
    kid: row.kid,
    alg: row.alg as SigningAlgorithm,
    publicJwk: row.publicJwk as unknown as PublicSigningJwk,
    sealedPrivateKey: new SealedPrivateKey(row.sealedPrivateKey),
    state: row.state,
    createdAt: row.createdAt,
    activatesAt: row.activatesAt,
    ...(row.retiringAt === null ? {} : { retiringAt: row.retiringAt }),
    ...(row.retireAfter === null ? {} : { retireAfter: row.retireAfter }),
    ...(row.revokedAt === null ? {} : { revokedAt: row.revokedAt }),
  };
}
