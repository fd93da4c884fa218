import type { KeyRecord, KeyState } from './key-record.ts';
import type { KeyRepository } from './key-repository.ts';

/** A KeyRepository in a Map, in insertion order: for tests and throwaway runs. */
export class InMemoryKeyRepository implements KeyRepository {
  readonly #records = new Map<string, KeyRecord>();

  constructor(records: readonly KeyRecord[] = []) {
    for (const record of records) this.#records.set(record.kid, record);
  }

  async list(): Promise<readonly KeyRecord[]> {
    return [...this.#records.values()];
  }

  async insert(record: KeyRecord): Promise<void> {
    if (this.#records.has(record.kid)) throw new Error(`a key with kid ${record.kid} exists already`);
    this.#records.set(record.kid, record);
  }

  async update(record: KeyRecord, expectedState: KeyState): Promise<boolean> {
    if (this.#records.get(record.kid)?.state !== expectedState) return false;
    this.#records.set(record.kid, record);
    return true;
  }
}
