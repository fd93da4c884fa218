import pg from 'pg';
import { PostgresDialect, type DatabaseIntrospector, type Dialect, type Kysely } from 'kysely';
import { withConnectionFailuresAsUnavailable } from '../store-unavailable.ts';
import { redactStoreUrl } from '../store-url.ts';
import { isPostgresConnectionFailure } from './connection-failure.ts';
import { ScopedPostgresIntrospector } from './scoped-introspector.ts';

export interface PostgresDialectOptions {
  /** Schema for every connection's search_path; a plain identifier, already validated. */
  readonly schema?: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
}

const INT8_OID = pg.types.builtins.INT8;

/**
 * A transaction of ours never waits on the application for long. One left open by a process that
 * vanished (a network partition the server does not see) would hold its row locks, and block
 * every refresh of that family, until TCP keepalive noticed; the server ends it after this.
 */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * A Kysely dialect over a pg Pool. Nothing connects until the first query: openStore's first
 * query is the reachability check. Connection failures come out of every query as
 * store_unavailable (store-unavailable.ts); the pool reconnects by itself on the next query once
 * the server answers again, so nothing needs restarting after an outage.
 */
export function createPostgresDialect(connectionString: string, options: PostgresDialectOptions): Dialect {
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize,
    // Bounds both a connection attempt and the wait for a free pool connection.
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 10_000,
    // A server that vanished without closing the socket is noticed without a query to time out.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    application_name: 'gatehouse',
    types: { getTypeParser: parserWithSafeInt8 },
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // A connection the server drops emits 'error'; unhandled, that would end the process. While it
  // is idle in the pool, pg-pool discards it (and re-emits on the pool). While it is checked out
  // and between two statements of a transaction (pg_terminate_backend, a fast shutdown), pg-pool
  // listens no more: the client's own listener below keeps the process up, the next statement
  // fails as store_unavailable, and the client, no longer queryable, is dropped when released.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const dialect = new ScopedPostgresDialect({ pool });
  return withConnectionFailuresAsUnavailable(dialect, { isConnectionFailure: isPostgresConnectionFailure, description: `PostgreSQL at ${redactStoreUrl(connectionString)}` });
}

/**
 * pg returns int8 (bigint columns, count(*)) as strings, since not every int8 fits a JS number.
 * Ours are epoch milliseconds, ids and counters, all far below 2^53: they come back as numbers.
 * A value that would lose precision fails its query instead of being rounded silently. The
 * parser is per pool, not pg's global one, so no other pg user in the process is affected.
 */
function parserWithSafeInt8(oid: number, format?: 'text' | 'binary'): unknown {
  if (oid === INT8_OID && (format ?? 'text') === 'text') return parseSafeInteger;
  return pg.types.getTypeParser(oid, format);
}

function parseSafeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} is beyond 2^53 and cannot be a JS number`);
  return value;
}

class ScopedPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new ScopedPostgresIntrospector(db);
  }
}
