/**
 * Faults at a chosen moment inside a statement of ours, placed from PostgreSQL's side so that no
 * production code needs a hook: a trigger that holds the first row it fires for in pg_sleep (the
 * statement has started, its transaction holds its locks and earlier writes, nothing is
 * committed), while the test cuts that backend or stops the server under it.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { PrivatePostgres } from '../support/private-postgres.ts';

export interface HeldStatement {
  /** The backend held in the trigger, once it gets there (within 5 s, or this rejects). */
  readonly sleeping: Promise<number>;
  /** Cuts that backend's connection (pg_terminate_backend): its transaction rolls back. */
  terminate(): Promise<void>;
  /** Drops the trigger. Call it once the held backend is gone: DROP TRIGGER waits for its locks. */
  remove(): Promise<void>;
}

/**
 * Holds the first row `event` (e.g. `before update`, `after insert`) touches on `table`. Only the
 * first: a sequence, which no transaction rolls back and no row lock guards, says which that is,
 * so the statements that come after (a concurrent rotation, the retry) run normally.
 */
export async function holdFirstStatement(server: PrivatePostgres, table: string, event: string): Promise<HeldStatement> {
  const name = `fault_${randomBytes(4).toString('hex')}`;
  await server.query(`create sequence ${name}_seq`);
  await server.query(`create function ${name}() returns trigger language plpgsql as $$
    begin
      if nextval('${name}_seq') = 1 then perform pg_sleep(30); end if;
      return new;
    end $$`);
  await server.query(`create trigger ${name} ${event} on ${table} for each row execute function ${name}()`);
  const sleeping = waitFor(server, `select pid from pg_stat_activity where wait_event = 'PgSleep' and query not like '%pg_stat_activity%'`);
  // Not awaited by every test (a stop takes the backend anyway): a rejection must not go unhandled.
  sleeping.catch(() => {});
  return {
    sleeping,
    async terminate() {
      await server.query('select pg_terminate_backend($1)', [await sleeping]);
    },
    async remove() {
      await server.query(`drop trigger if exists ${name} on ${table}`);
      await server.query(`drop function if exists ${name}()`);
      await server.query(`drop sequence if exists ${name}_seq`);
    },
  };
}

/** Resolves with the pid of a backend waiting for a lock (a second rotation queued behind the held one). */
export function waitForLockWaiter(server: PrivatePostgres): Promise<number> {
  return waitFor(server, `select pid from pg_stat_activity where wait_event_type = 'Lock'`);
}

async function waitFor(server: PrivatePostgres, query: string, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [row] = await server.query<{ pid: number }>(query);
    if (row !== undefined) return row.pid;
    await delay(20);
  }
  throw new Error(`nothing matched within ${timeoutMs} ms: ${query}`);
}
