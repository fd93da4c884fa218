import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type Dialect, type DialectAdapter, type Driver } from 'kysely';
import { withConnectionFailuresAsUnavailable } from '../store-unavailable.ts';

/** How long a statement waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens a SQLite database (a file made by createPrivateSqliteFile, or :memory:) and returns the
 * Kysely dialect over it. Throws the driver's own error when it cannot be opened; openStore turns
 * that into store_unavailable. Afterwards, a statement that cannot get at the file (another
 * process held the write lock past the busy timeout, an I/O error, a full disk) fails as
 * store_unavailable (store-unavailable.ts).
 */
export function createSqliteDialect(filename: string): Dialect {
  return withConnectionFailuresAsUnavailable(new StoreSqliteDialect(openSqliteDatabase(filename)), {
    isConnectionFailure: isSqliteFileUnavailable,
    description: `the SQLite file ${filename}`,
  });
}

/** better-sqlite3's extended result codes for "the file cannot be used right now", as opposed to a refused statement. */
export function isSqliteFileUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|IOERR|FULL|CANTOPEN)(_|$)/.test(code);
}

function openSqliteDatabase(filename: string): SqliteDatabase.Database {
  const database = new SqliteDatabase(filename);
  try {
    // The first statement reads the file header: "file is not a database" surfaces here, at open.
    database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    database.pragma('foreign_keys = ON');
    // synchronous stays FULL (the default): a revocation or a consumed code must survive a power cut.
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

/**
 * The store holds password hashes and sealed private keys: the folder is created 0700 and the
 * file 0600 before SQLite opens it (SQLite gives its -wal and -shm files the database's mode).
 * An existing file keeps its mode: the operator chose it.
 */
export function createPrivateSqliteFile(filename: string): void {
  mkdirSync(dirname(filename), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(filename, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Kysely's SQLite driver starts transactions with a deferred BEGIN, which takes the write lock
 * only at the first write: two processes on one file (the server and a CLI command) can then
 * deadlock on the upgrade and fail with SQLITE_BUSY at once, whatever the busy timeout. Every
 * store transaction writes, so each takes the write lock up front (BEGIN IMMEDIATE) and waits
 * its turn instead.
 */
class ImmediateTransactionSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite's DDL is transactional, but Kysely's adapter says otherwise, and so its Migrator would
 * run migrations with no transaction and no lock. Saying so makes it run the whole batch (reading
 * the applied versions included) in one BEGIN IMMEDIATE transaction: a failed migration leaves
 * nothing half-built, and a second process starting at the same moment waits, then finds the
 * schema current.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Kysely's SQLite dialect with the two changes above. */
class StoreSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase.Database;

  constructor(database: SqliteDatabase.Database) {
    super({ database });
    this.#database = database;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver({ database: this.#database });
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
