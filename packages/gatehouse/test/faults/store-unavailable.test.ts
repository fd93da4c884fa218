/**
 * The one place connection failures become store_unavailable (store/store-unavailable.ts), without
 * a server: which driver errors count as "cannot reach the database", and that the wrapped driver
 * still hands each connection back to its own driver (transactions, savepoints, streams).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, sql } from 'kysely';
import { ServerError } from '../../src/errors.ts';
import { isPostgresConnectionFailure } from '../../src/store/postgres/connection-failure.ts';
import { createSqliteDialect, isSqliteFileUnavailable } from '../../src/store/sqlite/sqlite-dialect.ts';
import { isStoreUnavailable, withConnectionFailuresAsUnavailable } from '../../src/store/store-unavailable.ts';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('which PostgreSQL driver errors are connection failures', () => {
  it('socket errors, lost sessions and pool timeouts are', () => {
    const failures = [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      Object.assign(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')]), { code: 'ECONNREFUSED' }),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('getaddrinfo ENOTFOUND db', 'ENOTFOUND'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is shutting down', '57P03'),
      withCode('the database system is starting up', '57P03'),
      withCode('sorry, too many clients already', '53300'),
      withCode('connection failure', '08006'),
      withCode('terminating connection due to idle-in-transaction timeout', '25P03'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('timeout exceeded when trying to connect'),
    ];
    for (const error of failures) assert.equal(isPostgresConnectionFailure(error), true, error.message);
  });

  it('refused statements are not', () => {
    const refusals = [
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('relation "x" does not exist', '42P01'),
      withCode('canceling statement due to statement timeout', '57014'),
      withCode('could not serialize access', '40001'),
      withCode('password authentication failed for user "gatehouse"', '28P01'),
      new RangeError('int8 value 9007199254740993 is beyond 2^53 and cannot be a JS number'),
      'not an error',
      undefined,
    ];
    for (const error of refusals) assert.equal(isPostgresConnectionFailure(error), false, String((error as Error | undefined)?.message ?? error));
  });
});

describe('which SQLite errors mean the file cannot be used', () => {
  it('busy past the timeout, I/O errors, a full disk, an unopenable file; not a constraint or a bad statement', () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_FULL', 'SQLITE_CANTOPEN']) assert.equal(isSqliteFileUnavailable(withCode(code, code)), true, code);
    for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_BUSYX', 'SQLITE_READONLY']) assert.equal(isSqliteFileUnavailable(withCode(code, code)), false, code);
  });
});

describe('isStoreUnavailable', () => {
  it('finds store_unavailable in the error or along its causes, nothing else', () => {
    const unavailable = new ServerError('store_unavailable', 'down');
    assert.equal(isStoreUnavailable(unavailable), true);
    assert.equal(isStoreUnavailable(new Error('wrapped', { cause: new Error('again', { cause: unavailable }) })), true);
    assert.equal(isStoreUnavailable(new ServerError('store_conflict', 'taken')), false);
    assert.equal(isStoreUnavailable(new Error('other')), false);
    assert.equal(isStoreUnavailable(undefined), false);
  });
});

describe('withConnectionFailuresAsUnavailable', () => {
  // "no such table" stands in for a connection failure: the wrapping is what is under test.
  const open = () =>
    new Kysely<any>({
      dialect: withConnectionFailuresAsUnavailable(createSqliteDialect(':memory:'), {
        isConnectionFailure: (error) => error instanceof Error && /no such table: gone/.test(error.message),
        description: 'the test database',
      }),
    });

  it('turns a matching failure into store_unavailable with the driver error as cause, and lets others through', async () => {
    const db = open();
    try {
      await assert.rejects(sql`select * from gone`.execute(db), (error: unknown) => {
        assert.ok(error instanceof ServerError);
        assert.equal(error.code, 'store_unavailable');
        assert.equal(error.message, 'The store is unavailable (the test database): no such table: gone.');
        assert.match(String((error.cause as Error).message), /no such table: gone/);
        return true;
      });
      await assert.rejects(sql`select * from other`.execute(db), (error: unknown) => !(error instanceof ServerError) && /no such table: other/.test((error as Error).message));
    } finally {
      await db.destroy();
    }
  });

  it('a failed transaction rolls back and gives its connection back: the next transaction, savepoints and streams work', async () => {
    const db = open();
    try {
      await sql`create table t (n integer)`.execute(db);
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await sql`insert into t values (1)`.execute(trx);
          await sql`select * from gone`.execute(trx);
        }),
        (error: unknown) => isStoreUnavailable(error),
      );
      const trx = await db.startTransaction().execute();
      await sql`insert into t values (2)`.execute(trx);
      const savepoint = await trx.savepoint('before_three').execute();
      await sql`insert into t values (3)`.execute(savepoint);
      await savepoint.rollbackToSavepoint('before_three').execute();
      await trx.commit().execute();
      const streamed: number[] = [];
      for await (const row of db.selectFrom('t').select('n').stream()) streamed.push(row.n as number);
      assert.deepEqual(streamed, [2]);
    } finally {
      await db.destroy();
    }
  });
});
