import type { RevocationState } from '../revocation/revocation-state.ts';
import type { Store } from '../store/index.ts';
import { longestThrottleWindowMs } from './sign-in/throttle.ts';

/**
 * Purges what has expired, so the store and the in-memory revocation lists stay bounded however
 * long the issuer runs. Each purge deletes only what can no longer change an answer; run on the
 * issuer's tick, by every replica (the deletes are idempotent).
 */
export interface HousekeepingServices {
  readonly store: Store;
  readonly revocations: RevocationState;
}

/** Rows deleted by one run, by table. */
export interface HousekeepingReport {
  readonly authorizationCodes: number;
  readonly loginAttempts: number;
  readonly refreshFamilies: number;
  readonly revocations: number;
}

/** Codes past their expiry: a replay of one is refused as unknown rather than recognised as a replay. */
export function purgeExpiredAuthorizationCodes(store: Store, now: number): Promise<number> {
  return store.authorizationCodes.deleteExpired(now);
}

/** Sign-in failures older than the throttle's longest window: they no longer count towards any limit. */
export function purgeOldLoginFailures(store: Store, now: number, windowMs = longestThrottleWindowMs()): Promise<number> {
  return store.loginAttempts.deleteWindowsBefore(now - windowMs);
}

/** Refresh families past their absolute expiry, with their tokens: none of them can be used again. */
export function purgeExpiredRefreshFamilies(store: Store, now: number): Promise<number> {
  return store.refreshTokens.deleteExpired(now);
}

/**
 * Revocation entries past their expiry, in the store and in this process's lists: no token they
 * name can still verify. (Other replicas prune their own lists on their own tick.)
 */
export async function purgeExpiredRevocations(store: Store, revocations: RevocationState, now: number): Promise<number> {
  const deleted = await store.revocations.deleteExpired(now);
  revocations.prune(now);
  return deleted;
}

/** One housekeeping run: every purge, one after the other. */
export async function runHousekeeping(services: HousekeepingServices, now: number): Promise<HousekeepingReport> {
  const { store, revocations } = services;
  return {
    authorizationCodes: await purgeExpiredAuthorizationCodes(store, now),
    loginAttempts: await purgeOldLoginFailures(store, now),
    refreshFamilies: await purgeExpiredRefreshFamilies(store, now),
    revocations: await purgeExpiredRevocations(store, revocations, now),
  };
}
