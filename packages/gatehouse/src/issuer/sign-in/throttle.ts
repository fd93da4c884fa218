import { clientAddressKey } from '../../anomaly/client-address-key.ts';
import { normalizeUsername } from '../../store/index.ts';
import type { IssuerServices } from '../issuer-services.ts';
import { KeyedLock } from './keyed-lock.ts';
import type { LoginFailureLog } from './login-failure-log.ts';

/**
 * Sign-in throttling, per account and per client address, checked before any password is: after
 * `failures` failed attempts within `windowMs`, each further attempt must wait `baseDelayMs`
 * doubling with every failure past the limit, capped at `maxDelayMs`. Nothing is permanent: the
 * wait never exceeds the cap, and failures older than the window stop counting. The account key
 * is the normalized username whether or not such an account exists, so a throttled unknown name
 * and a throttled real one look the same.
 */
export interface ThrottleLimits {
  readonly failures: number;
  readonly windowMs: number;
}

export interface SignInThrottleOptions {
  readonly account: ThrottleLimits;
  readonly address: ThrottleLimits;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * The account window is long so that the doubling can reach its cap and stay there: a steady
 * guesser settles at one try per cap only if the window holds (limit + log2(cap / base)) × cap =
 * (5 + 10) × 15 min = 3.75 h of failures. With a 15-minute window failures would fall out before
 * the wait passed ~8 minutes, and one account could take ~870 guesses a day instead of ~110.
 * People who mistype lose nothing by it: a success clears the account's count.
 * The address limit is higher and its window short, because a success does not clear it and
 * many people may share an address (an office, a carrier NAT).
 */
export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottleOptions = {
  account: { failures: 5, windowMs: 4 * 60 * 60 * 1000 },
  address: { failures: 20, windowMs: 15 * 60 * 1000 },
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60 * 1000,
};

/**
 * How long failures matter: past the longest window they no longer count (and a key under
 * backoff has failures inside its window), so older ones can be deleted.
 */
export function longestThrottleWindowMs(options: SignInThrottleOptions = DEFAULT_SIGN_IN_THROTTLE): number {
  return Math.max(options.account.windowMs, options.address.windowMs);
}

export interface SignInAttempt {
  /** As typed; normalized here for the key. */
  readonly username: string;
  /** The socket's address (the issuer trusts no proxy headers). */
  readonly ip: string;
}

export type ThrottleDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

type ThrottledKey = { readonly kind: 'account' | 'address'; readonly key: string; readonly limits: ThrottleLimits };

export class SignInThrottle {
  readonly #log: LoginFailureLog;
  readonly #options: SignInThrottleOptions;
  readonly #recordSecurityEvent: IssuerServices['recordSecurityEvent'];
  readonly #lock = new KeyedLock();

  constructor(log: LoginFailureLog, recordSecurityEvent: IssuerServices['recordSecurityEvent'], options: SignInThrottleOptions = DEFAULT_SIGN_IN_THROTTLE) {
    for (const limits of [options.account, options.address]) {
      if (!(Number.isInteger(limits.failures) && limits.failures >= 1 && limits.windowMs > 0)) throw new RangeError('throttle limits need failures >= 1 and a positive window');
    }
    if (!(options.baseDelayMs > 0 && options.maxDelayMs >= options.baseDelayMs)) throw new RangeError('throttle delays need 0 < baseDelayMs <= maxDelayMs');
    this.#log = log;
    this.#options = options;
    this.#recordSecurityEvent = recordSecurityEvent;
  }

  /**
   * Runs one whole attempt (check, verify, record) while no other attempt on the same account or
   * from the same address runs in this process, so that concurrent guesses are counted one by
   * one instead of all passing the check together.
   */
  exclusive<T>(attempt: SignInAttempt, task: () => Promise<T>): Promise<T> {
    return this.#lock.run(this.#keys(attempt).map((key) => key.key), task);
  }

  /** Before the password is looked at: may this attempt go ahead? */
  async check(attempt: SignInAttempt, now: number): Promise<ThrottleDecision> {
    let waitMs = 0;
    for (const key of this.#keys(attempt)) waitMs = Math.max(waitMs, await this.#waitFor(key, now));
    return waitMs === 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** A failed attempt (unknown user, wrong password, disabled account: all alike). */
  async recordFailure(attempt: SignInAttempt, now: number): Promise<void> {
    for (const key of this.#keys(attempt)) {
      await this.#log.record(key.key, now);
      const count = await this.#log.countSince(key.key, windowStart(key.limits, now));
      // One event when the limit is reached, not one per failure beyond it.
      if (count === key.limits.failures) {
        await this.#recordSecurityEvent({
          type: 'signin.throttled',
          severity: 'warning',
          ip: attempt.ip,
          details: { key: key.kind, failures: count, windowSeconds: key.limits.windowMs / 1000, ...(key.kind === 'account' ? { username: attempt.username } : {}) },
        });
      }
    }
  }

  /** A success clears the account's count. The address keeps its own: one good account must not
   *  reset the count of an address that is guessing at others. */
  async recordSuccess(attempt: SignInAttempt): Promise<void> {
    await this.#log.clear(accountKey(attempt.username));
  }

  #keys(attempt: SignInAttempt): ThrottledKey[] {
    return [
      { kind: 'account', key: accountKey(attempt.username), limits: this.#options.account },
      { kind: 'address', key: addressKey(attempt.ip), limits: this.#options.address },
    ];
  }

  /** Milliseconds this key must still wait, 0 when it may try now. */
  async #waitFor(key: ThrottledKey, now: number): Promise<number> {
    const count = await this.#log.countSince(key.key, windowStart(key.limits, now));
    if (count < key.limits.failures) return 0;
    const latest = (await this.#log.latest(key.key)) ?? now;
    return Math.max(0, latest + this.#backoffMs(count, key.limits) - now);
  }

  /** The wait after `count` failures in the window: base, doubling past the limit, capped. */
  #backoffMs(count: number, limits: ThrottleLimits): number {
    const doublings = Math.min(count - limits.failures, 40);
    return Math.min(this.#options.baseDelayMs * 2 ** doublings, this.#options.maxDelayMs);
  }
}

function windowStart(limits: ThrottleLimits, now: number): number {
  return now - limits.windowMs + 1;
}

export function accountKey(username: string): string {
  return `user:${normalizeUsername(username)}`;
}

/**
 * One key per IPv4 address, and per /64 for IPv6 (a single host usually holds a whole /64): the
 * same grouping the gateway's anomaly windows use, so both count one client the same way.
 */
export function addressKey(ip: string): string {
  return `ip:${clientAddressKey(ip)}`;
}
