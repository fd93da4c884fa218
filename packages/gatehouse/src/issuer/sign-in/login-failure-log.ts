import type { Store } from '../../store/index.ts';

/**
 * Where the sign-in throttle counts failures: in the store, so every replica sees every failure.
 * Each failure is kept at its own millisecond (the repository's window is the failure time), which
 * makes the sliding window exact; the throttle stops recording while a key is blocked, so a key
 * holds a few dozen rows at most.
 */
export interface LoginFailureLog {
  record(key: string, at: number): Promise<void>;
  /** Failures of `key` at or after `since`. */
  countSince(key: string, since: number): Promise<number>;
  /** Time of the last failure of `key`, if any is kept. */
  latest(key: string): Promise<number | undefined>;
  clear(key: string): Promise<void>;
}

export function storeLoginFailureLog(store: Store): LoginFailureLog {
  return {
    async record(key, at) {
      await store.loginAttempts.recordFailure({ key, windowStart: at });
    },
    countSince: (key, since) => store.loginAttempts.countFailures(key, since),
    async latest(key) {
      // LoginAttemptRepository has no "latest window" query yet; this is the only one needed.
      const row = await store.db
        .selectFrom('login_attempts')
        .select((eb) => eb.fn.max<number | string | null>('window_start').as('latest'))
        .where('key', '=', key)
        .executeTakeFirst();
      // max() of a bigint comes back as a string from PostgreSQL.
      return row?.latest === null || row?.latest === undefined ? undefined : Number(row.latest);
    },
    clear: (key) => store.loginAttempts.clear(key),
  };
}
