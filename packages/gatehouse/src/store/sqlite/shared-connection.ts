import { realpathSync } from 'node:fs';
import { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { createPrivateSqliteFile, createSqliteDialect } from './sqlite-dialect.ts';

export interface SqliteConnection {
  readonly db: Kysely<Database>;
  /** Gives the handle back; the file is closed when the last handle of this process is. */
  release(): Promise<void>;
}

const openFiles = new Map<string, { readonly db: Kysely<Database>; handles: number }>();

/**
 * One connection per SQLite file per process, shared by every store opened on it. Two
 * better-sqlite3 connections to one file in one process deadlock: while one holds the write lock
 * across an await, the other's busy handler blocks the whole thread (so the first can never
 * commit) until busy_timeout, then fails with SQLITE_BUSY. With one connection, Kysely's mutex
 * queues the transactions instead. `gatehouse start` runs issuer, gateway and console in one
 * process, each free to call openStore. Other processes (a CLI command) have their own connection;
 * the file lock and busy_timeout serve them.
 */
export function acquireSqliteConnection(filename: string): SqliteConnection {
  if (filename === ':memory:') {
    // Every :memory: connection is a database of its own: nothing to share.
    const db = new Kysely<Database>({ dialect: createSqliteDialect(filename) });
    return { db, release: () => db.destroy() };
  }
  createPrivateSqliteFile(filename);
  const key = realpathSync(filename);
  let entry = openFiles.get(key);
  if (!entry) {
    entry = { db: new Kysely<Database>({ dialect: createSqliteDialect(key) }), handles: 0 };
    openFiles.set(key, entry);
  }
  entry.handles += 1;
  const shared = entry;
  let released = false;
  return {
    db: shared.db,
    async release() {
      if (released) return;
      released = true;
      shared.handles -= 1;
      if (shared.handles > 0) return;
      openFiles.delete(key);
      await shared.db.destroy();
    },
  };
}
