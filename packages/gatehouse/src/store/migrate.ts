import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import { ServerError } from '../errors.ts';

export interface MigrateStoreOptions {
  readonly provider: MigrationProvider;
  /** PostgreSQL: the schema the store lives in (where the migration bookkeeping tables go). */
  readonly schema?: string;
}

/**
 * Applies every pending migration, in name order, and returns the names applied (none when the
 * schema is current: running it again is harmless).
 *
 * One run is one transaction on both dialects (see the SQLite dialect for how): a failure rolls
 * the whole run back, so the schema is always at a version that exists. Several replicas may
 * start at once: on PostgreSQL Kysely's Migrator holds a session advisory lock
 * (pg_advisory_lock) while it reads the applied versions and runs the pending ones, so the second
 * replica waits and then finds nothing to do; on SQLite BEGIN IMMEDIATE does the same. Creating
 * the bookkeeping tables before the lock tolerates a concurrent creator.
 */
export async function migrateStore(db: Kysely<any>, options: MigrateStoreOptions): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: options.provider,
    migrationTableName: 'gatehouse_migration',
    migrationLockTableName: 'gatehouse_migration_lock',
    // Set explicitly: otherwise Kysely looks for its tables in every schema of the database and
    // would take another schema's migration table for ours.
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const what = failed === undefined ? 'Store migration failed before any migration ran' : `Store migration ${failed} failed`;
    throw new ServerError('store_migration_failed', `${what}; no migration of this run was applied: ${describe(error)}`, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
