import { PostgresIntrospector, sql, type DatabaseMetadataOptions, type Kysely, type TableMetadata } from 'kysely';

const MIGRATION_TABLES = ['gatehouse_migration', 'gatehouse_migration_lock'];

/**
 * Kysely's Migrator asks the introspector whether its tables exist, at every start. Kysely's own
 * PostgreSQL introspector reads every column of every schema in the database and looks schemas up
 * by name for each row, so it fails ("schema ... does not exist") whenever any schema in the
 * database is being dropped at that moment: another application's, or a parallel test's. Startup
 * must not depend on that. This one lists only the tables of the schemas on our search_path, by
 * oid, and without columns (nothing in Gatehouse reads them).
 */
export class ScopedPostgresIntrospector extends PostgresIntrospector {
  readonly #db: Kysely<any>;

  constructor(db: Kysely<any>) {
    super(db);
    this.#db = db;
  }

  override async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, ns.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      where c.relkind in ('r', 'v', 'p') and ns.nspname = any (current_schemas(false))
      order by ns.nspname, c.relname`.execute(this.#db);
    return rows
      .filter((row) => options.withInternalKyselyTables || !MIGRATION_TABLES.includes(row.name))
      .map((row) => ({ name: row.name, schema: row.schema, isView: row.kind === 'v', columns: [] }));
  }
}
