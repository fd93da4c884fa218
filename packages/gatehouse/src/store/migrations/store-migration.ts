import type { Kysely } from 'kysely';
import type { StoreDialect } from '../store-url.ts';

/**
 * One schema version. Forward only: a release never rolls the schema back, it ships a new
 * migration. `up` gets the dialect for the few statements that differ (identity columns); the
 * rest is written once with Kysely's schema builder. Names sort in order: 0001_..., 0002_...
 */
export interface StoreMigration {
  readonly name: string;
  // The schema being built is not the final Database type, so migrations see an untyped Kysely.
  up(db: Kysely<any>, dialect: StoreDialect): Promise<void>;
}
