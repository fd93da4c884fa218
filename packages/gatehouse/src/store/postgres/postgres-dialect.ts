import pg from 'pg';
import { PostgresDialect, type DatabaseIntrospector, type Dialect, type Kysely } from 'kysely';
import { ScopedPostgresIntrospector } from './scoped-introspector.ts';

export interface PostgresDialectOptions {
  /** Schema for every connection's search_path; a plain identifier, already validated. */
  readonly schema?: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
}

const INT8_OID = pg.types.builtins.INT8;

/**
 * A Kysely dialect over a pg Pool. Nothing connects until the first query: openStore's first
 * query is the reachability check.
 */
export function createPostgresDialect(connectionString: string, options: PostgresDialectOptions): Dialect {
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: 'gatehouse',
    types: { getTypeParser: parserWithSafeInt8 },
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle connection that the server drops emits 'error' on the pool; unhandled, that would end
  // the process. pg has already discarded the client, and the next query opens a fresh one.
  pool.on('error', () => {});
  return new ScopedPostgresDialect({ pool });
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
