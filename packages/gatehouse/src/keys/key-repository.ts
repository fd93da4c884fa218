import type { KeyRecord, KeyState } from './key-record.ts';

/** Where key records live. The SQL implementation comes with the store; tests use InMemoryKeyRepository. */
export interface KeyRepository {
  list(): Promise<readonly KeyRecord[]>;
  /** Adds a record; rejects if its kid exists. */
  insert(record: KeyRecord): Promise<void>;
  /**
   * Replaces the record with the same kid if the stored one is still in `expectedState`, and
   * resolves false otherwise: with several replicas, another one advanced it first.
   */
  update(record: KeyRecord, expectedState: KeyState): Promise<boolean>;
  /**
   * Runs one lifecycle step ("read the records, decide, write") on a repository that no other
   * replica writes meanwhile, and resolves with its result. A repository shared by several
   * processes provides it (PostgreSQL: an advisory lock for one transaction); without it, the
   * compare-and-set of `update` is the only guard, and two replicas may both add a successor.
   */
  exclusively?<T>(work: (repository: KeyRepository) => Promise<T>): Promise<T>;
}
