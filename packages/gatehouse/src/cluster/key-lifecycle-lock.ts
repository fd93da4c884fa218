import { sql } from 'kysely';
import { SigningKeyRepository, type Store } from '../store/index.ts';

/** Runs `work` on signing key records that no other replica changes meanwhile. */
export type SigningKeysExclusive = <T>(work: (keys: SigningKeyRepository) => Promise<T>) => Promise<T>;

/**
 * First half of the two-int advisory lock key (the second is a hash of the schema, so that two
 * deployments sharing a database do not wait on each other). The two-int key space never meets
 * the single-bigint one that migrations and revocation appends use.
 */
const KEY_LIFECYCLE_LOCK = 0x6b657973; // 'keys'

/**
 * PostgreSQL: one transaction holding a transaction-scoped advisory lock around "read the
 * records, decide, write", so that replicas ticking across the same rotation boundary take turns:
 * the first generates the successor, the next reads it and has nothing to do. A replica that dies
 * mid-step releases the lock with its connection, and its half-step rolls back. SQLite: undefined
 * (one process writes; the compare-and-set on the state guards the rest).
 */
export function keyLifecycleLock(store: Pick<Store, 'db' | 'dialect'>): SigningKeysExclusive | undefined {
  if (store.dialect !== 'postgres') return undefined;
  return (work) =>
    store.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(KEY_LIFECYCLE_LOCK)}, hashtext(current_schema()))`.execute(trx);
      return work(new SigningKeyRepository(trx));
    });
}
