import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface LoginFailure {
  /** What is throttled: `ip:203.0.113.7`, `user:alice` (a normalized username, existing or not). */
  readonly key: string;
  /** Start of the fixed window the failure falls in (epoch ms), chosen by the caller. */
  readonly windowStart: number;
}

/**
 * Failed sign-in counters shared by every replica, in fixed windows; a sliding window is the sum
 * of the last few. The store only counts: thresholds and lockouts are the throttling module's.
 */
export class LoginAttemptRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Counts one failure and returns the window's count after it, in one statement (an upsert), so
   * concurrent failures on several replicas are all counted and each sees its own total.
   */
  async recordFailure({ key, windowStart }: LoginFailure): Promise<number> {
    const row = await this.#db
      .insertInto('login_attempts')
      .values({ key, window_start: windowStart, failures: 1 })
      .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ failures: eb(eb.ref('login_attempts.failures'), '+', 1) })))
      .returning('failures')
      .executeTakeFirstOrThrow();
    return row.failures;
  }

  /** Failures of `key` in windows starting at or after `since`. */
  async countFailures(key: string, since: number): Promise<number> {
    const row = await this.#db
      .selectFrom('login_attempts')
      .select((eb) => eb.fn.sum<number | string | null>('failures').as('total'))
      .where('key', '=', key)
      .where('window_start', '>=', since)
      .executeTakeFirst();
    // sum() is int8 on PostgreSQL (a number here) and may be null when nothing matched.
    return Number(row?.total ?? 0);
  }

  /** Forgets every window of `key` (for example `user:alice` after a successful sign-in). */
  async clear(key: string): Promise<void> {
    await this.#db.deleteFrom('login_attempts').where('key', '=', key).execute();
  }

  /** Drops windows that started before `before`; returns how many. */
  async deleteWindowsBefore(before: number): Promise<number> {
    const result = await this.#db.deleteFrom('login_attempts').where('window_start', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
