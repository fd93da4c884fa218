import { Kysely, sql, type MigrationProvider } from 'kysely';
import { ServerError } from '../errors.ts';
import { migrateStore, type MigrateStoreOptions } from './migrate.ts';
import { storeMigrationProvider } from './migrations/provider.ts';
import { createPostgresDialect } from './postgres/postgres-dialect.ts';
import { AuthorizationCodeRepository } from './repositories/authorization-codes.ts';
import { ClientRepository } from './repositories/clients.ts';
import { LoginAttemptRepository } from './repositories/login-attempts.ts';
import { RefreshTokenRepository } from './repositories/refresh-tokens.ts';
import { RevocationRepository } from './repositories/revocations.ts';
import { SecurityEventRepository } from './repositories/security-events.ts';
import { SigningKeyRepository } from './repositories/signing-keys.ts';
import { UserRepository } from './repositories/users.ts';
import type { Database } from './schema.ts';
import { acquireSqliteConnection } from './sqlite/shared-connection.ts';
import { describeDriverError } from './store-unavailable.ts';
import { parseStoreUrl, redactStoreUrl, type StoreDialect, type StoreLocation } from './store-url.ts';

export interface OpenStoreOptions {
  /**
   * PostgreSQL only: the schema to live in (every connection's search_path), created by the
   * first migration run if missing. A lower-case identifier. Tests use one each.
   */
  readonly schema?: string;
  /** Migrations to run instead of the store's own; for tests (a failing migration). */
  readonly migrationProvider?: MigrationProvider;
  /** PostgreSQL connections at most (default 10). */
  readonly poolSize?: number;
  /** How long to wait for a PostgreSQL connection, a new one or a free one of the pool (default 5 s); then store_unavailable. */
  readonly connectTimeoutMs?: number;
  /** Base of a relative SQLite path (default: the working directory). */
  readonly cwd?: string;
}

/** The repositories, over the store or over one transaction (Store.transaction). */
export interface StoreRepositories {
  readonly users: UserRepository;
  readonly clients: ClientRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly authorizationCodes: AuthorizationCodeRepository;
  readonly refreshTokens: RefreshTokenRepository;
  readonly revocations: RevocationRepository;
  readonly securityEvents: SecurityEventRepository;
  readonly loginAttempts: LoginAttemptRepository;
}

/**
 * After openStore, a query that cannot reach the database (PostgreSQL down, restarting, the
 * connection cut; a SQLite file locked past the busy timeout) fails with ServerError
 * store_unavailable, whichever repository made it; the next query after the database is back
 * succeeds, with no reopening (docs/reference/faults.md).
 */
export interface Store extends StoreRepositories {
  readonly dialect: StoreDialect;
  /** The store URL with any password replaced by `***`. */
  readonly url: string;
  /** The query layer itself, for what no repository covers yet. */
  readonly db: Kysely<Database>;
  /**
   * Runs `work` in one transaction, with repositories bound to it: what it writes commits
   * together, or, when it throws (a refusal, the store going away), not at all. `work` must use
   * only the repositories it is given (on SQLite the store's own would wait for this transaction).
   * Revocations are appended in their own transaction and cannot be part of one.
   */
  transaction<T>(work: (repositories: StoreRepositories) => Promise<T>): Promise<T>;
  /** Applies pending migrations and returns their names; openStore has already done it once. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens the store named by a `store:` URL, checks that it answers, and brings its schema up to
 * date. Throws store_url_invalid for a URL it cannot use, store_unavailable when the database
 * cannot be opened or reached (the message carries the URL, password redacted), and
 * store_migration_failed when a migration fails.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const location = parseStoreUrl(url, options.cwd);
  const redactedUrl = redactStoreUrl(url);
  checkSchemaOption(location, options.schema, redactedUrl);

  let connection: StoreConnection | undefined;
  let schema: string | undefined;
  try {
    connection = connect(location, options);
    schema = await probe(connection.db, location.dialect, options.schema);
  } catch (error) {
    await connection?.release().catch(() => {});
    // The driver's own words: a connection failure already comes as store_unavailable, with them as its cause.
    const driverError = error instanceof ServerError && error.code === 'store_unavailable' ? error.cause : error;
    throw new ServerError('store_unavailable', `Cannot open the store at ${redactedUrl}: ${describeDriverError(driverError)}`, { cause: error });
  }

  const store = createStore(connection, location.dialect, redactedUrl, {
    provider: options.migrationProvider ?? storeMigrationProvider(location.dialect),
    ...(schema === undefined ? {} : { schema }),
  });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

interface StoreConnection {
  readonly db: Kysely<Database>;
  release(): Promise<void>;
}

function createStore({ db, release }: StoreConnection, dialect: StoreDialect, url: string, migration: MigrateStoreOptions): Store {
  let closing: Promise<void> | undefined;
  return {
    dialect,
    url,
    db,
    ...repositoriesOver(db, dialect),
    transaction: (work) => db.transaction().execute((trx) => work(repositoriesOver(trx, dialect))),
    migrate: () => migrateStore(db, migration),
    close: () => (closing ??= release()),
  };
}

function repositoriesOver(db: Kysely<Database>, dialect: StoreDialect): StoreRepositories {
  return {
    users: new UserRepository(db),
    clients: new ClientRepository(db),
    signingKeys: new SigningKeyRepository(db),
    authorizationCodes: new AuthorizationCodeRepository(db),
    refreshTokens: new RefreshTokenRepository(db, dialect),
    revocations: new RevocationRepository(db, dialect),
    securityEvents: new SecurityEventRepository(db),
    loginAttempts: new LoginAttemptRepository(db),
  };
}

/** SQLite: the process's connection to the file (see acquireSqliteConnection). PostgreSQL: a pool of its own. */
function connect(location: StoreLocation, options: OpenStoreOptions): StoreConnection {
  if (location.dialect === 'sqlite') return acquireSqliteConnection(location.filename);
  const dialect = createPostgresDialect(location.connectionString, {
    poolSize: options.poolSize ?? 10,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
  });
  const db = new Kysely<Database>({ dialect });
  return { db, release: () => db.destroy() };
}

/**
 * The first query: proves the database answers, and on PostgreSQL names the schema the store
 * lives in (the option, else the first of the server's search_path).
 */
async function probe(db: Kysely<Database>, dialect: StoreDialect, schemaOption: string | undefined): Promise<string | undefined> {
  if (dialect === 'sqlite') {
    await sql`select 1`.execute(db);
    return undefined;
  }
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  // current_schema() is null while the schema in search_path does not exist yet.
  const schema = schemaOption ?? rows[0]?.schema ?? undefined;
  if (schema === undefined) throw new Error('the server search_path names no existing schema');
  return schema;
}

function checkSchemaOption(location: StoreLocation, schema: string | undefined, redactedUrl: string): void {
  if (schema === undefined) return;
  if (location.dialect !== 'postgres') throw new ServerError('store_url_invalid', `The schema option applies to PostgreSQL only, not to ${redactedUrl}.`);
  if (!SCHEMA_NAME.test(schema)) throw new ServerError('store_url_invalid', `The schema ${JSON.stringify(schema)} is not a lower-case identifier.`);
}
