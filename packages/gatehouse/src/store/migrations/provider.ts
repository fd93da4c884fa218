import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { StoreDialect } from '../store-url.ts';
import type { StoreMigration } from './store-migration.ts';
import { initialSchema } from './0001_initial.ts';

/** Every schema version, oldest first. A new migration is a new file added at the end. */
const STORE_MIGRATIONS: readonly StoreMigration[] = [initialSchema];

/** The migrations as Kysely's Migrator takes them, keyed by name, bound to a dialect. */
export function storeMigrations(dialect: StoreDialect): Record<string, Migration> {
  return Object.fromEntries(STORE_MIGRATIONS.map((migration) => [migration.name, { up: (db: Kysely<any>) => migration.up(db, dialect) }]));
}

export function storeMigrationProvider(dialect: StoreDialect): MigrationProvider {
  return { getMigrations: async () => storeMigrations(dialect) };
}
