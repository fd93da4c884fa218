/**
 * Housekeeping (issuer/housekeeping.ts): each purge deletes what has expired and nothing that can
 * still change an answer, judged by the injected clock; the issuer's tick runs them all. And the
 * in-memory revocation lists drop token and family entries once their expiry has passed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccessTokenClaims } from '@gatehouse/verify';
import {
  purgeExpiredAuthorizationCodes,
  purgeExpiredRefreshFamilies,
  purgeExpiredRevocations,
  purgeOldLoginFailures,
  runHousekeeping,
} from '../../src/issuer/housekeeping.ts';
import { DEFAULT_SIGN_IN_THROTTLE, longestThrottleWindowMs } from '../../src/issuer/sign-in/throttle.ts';
import { generateOpaqueToken, hashOpaqueToken } from '../../src/issuer/tokens/opaque-token.ts';
import { RevocationState } from '../../src/revocation/revocation-state.ts';
import type { Revocation } from '../../src/store/index.ts';
import { startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import { insertCode, manualClock } from './token-helpers.ts';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const clock = manualClock();
let issuer: IssuerHarness;
let alice: string;
before(async () => {
  issuer = await startIssuer({ clock: clock.now });
  alice = await issuer.addUser('alice', 'correct horse battery staple');
});
after(() => issuer.close());

const store = () => issuer.services.store;

async function codeExists(code: string): Promise<boolean> {
  const row = await store().db.selectFrom('authorization_codes').select('code_hash').where('code_hash', '=', hashOpaqueToken(code)).executeTakeFirst();
  return row !== undefined;
}

async function loginWindows(key: string): Promise<number[]> {
  const rows = await store().db.selectFrom('login_attempts').select('window_start').where('key', '=', key).orderBy('window_start').execute();
  return rows.map((row) => Number(row.window_start));
}

/** A refresh family with its first token; returns the family id and the token. */
async function family(absoluteTtl: number): Promise<{ id: string; token: string }> {
  const token = generateOpaqueToken();
  const created = await store().refreshTokens.createFamily({ userId: alice, clientId: 'web', scope: 'openid', tokenHash: hashOpaqueToken(token), now: clock.now(), idleTtl: absoluteTtl, absoluteTtl });
  return { id: created.id, token };
}

/** Token-shaped claims for the revocation lists. */
function claims(overrides: Partial<AccessTokenClaims>): AccessTokenClaims {
  const now = Math.floor(clock.now() / SECOND);
  return { iss: issuer.url, sub: 'nobody', aud: 'orders', exp: now + 300, iat: now, jti: 'jti-unrevoked', client_id: 'web', ...overrides };
}

describe('housekeeping', () => {
  it('purges authorization codes past their expiry, and keeps live ones (a replay is still recognised)', async () => {
    const expiring = await insertCode(issuer, { userId: alice, ttlMs: 60 * SECOND });
    const live = await insertCode(issuer, { userId: alice, ttlMs: 10 * 60 * SECOND });
    clock.advance(60 * SECOND - 1);
    assert.equal(await purgeExpiredAuthorizationCodes(store(), clock.now()), 0);
    clock.advance(1);
    assert.equal(await purgeExpiredAuthorizationCodes(store(), clock.now()), 1);
    assert.equal(await codeExists(expiring.code), false);
    assert.equal(await codeExists(live.code), true);
  });

  it('purges sign-in failures older than the longest throttle window, and keeps those that still count', async () => {
    assert.equal(longestThrottleWindowMs(), Math.max(DEFAULT_SIGN_IN_THROTTLE.account.windowMs, DEFAULT_SIGN_IN_THROTTLE.address.windowMs));
    assert.equal(longestThrottleWindowMs(), 4 * HOUR);
    const now = clock.now();
    const window = longestThrottleWindowMs();
    for (const at of [now - window - 1, now - window, now - SECOND]) await store().loginAttempts.recordFailure({ key: 'user:housekeeping', windowStart: at });
    assert.equal(await purgeOldLoginFailures(store(), now), 1);
    assert.deepEqual(await loginWindows('user:housekeeping'), [now - window, now - SECOND]);
  });

  it('purges refresh families past their absolute expiry, with their tokens', async () => {
    const short = await family(HOUR);
    const long = await family(24 * HOUR);
    clock.advance(HOUR);
    assert.equal(await purgeExpiredRefreshFamilies(store(), clock.now()), 1);
    assert.equal(await store().refreshTokens.findFamily(short.id), undefined);
    assert.deepEqual(await store().refreshTokens.inspect(hashOpaqueToken(short.token), clock.now()), { status: 'unknown' });
    assert.equal((await store().refreshTokens.inspect(hashOpaqueToken(long.token), clock.now())).status, 'live');
  });

  it('purges revocation entries past their expiry from the store and from the in-memory lists', async () => {
    const { revoker, revocations } = issuer.services;
    const now = clock.now();
    await revoker.revoke({ kind: 'token', value: 'jti-expiring', expiresAt: now + 5 * 60 * SECOND, reason: 'test' });
    await revoker.revoke({ kind: 'token', value: 'jti-lasting', expiresAt: now + HOUR, reason: 'test' });
    await revoker.revoke({ kind: 'family', value: 'sid-expiring', expiresAt: now + 5 * 60 * SECOND, reason: 'test' });
    await revoker.revoke({ kind: 'family', value: 'sid-lasting', expiresAt: now + HOUR, reason: 'test' });
    await revoker.revoke({ kind: 'subject', value: 'sub-forever', reason: 'test' });
    await revoker.revoke({ kind: 'key', value: 'kid-forever', reason: 'test' });
    const before = revocations.size;

    clock.advance(5 * 60 * SECOND);
    assert.equal(await purgeExpiredRevocations(store(), revocations, clock.now()), 2);
    assert.deepEqual(revocations.size, { ...before, tokens: before.tokens - 1, families: before.families - 1 });
    assert.equal(revocations.isRevoked(claims({ jti: 'jti-expiring' }), 'kid', issuer.url), undefined);
    assert.equal(revocations.isRevoked(claims({ sid: 'sid-expiring' }), 'kid', issuer.url), undefined);
    assert.equal(revocations.isRevoked(claims({ jti: 'jti-lasting' }), 'kid', issuer.url), 'token');
    assert.equal(revocations.isRevoked(claims({ sid: 'sid-lasting' }), 'kid', issuer.url), 'family');
    assert.equal(revocations.isRevoked(claims({ sub: 'sub-forever', iat: 0 }), 'kid', issuer.url), 'subject');
    assert.equal(revocations.isRevoked(claims({}), 'kid-forever', issuer.url), 'key');
    const values = (await store().revocations.listActive(0)).entries.map((entry) => entry.value);
    assert.ok(!values.includes('jti-expiring') && !values.includes('sid-expiring'));
    assert.ok(['jti-lasting', 'sid-lasting', 'sub-forever', 'kid-forever'].every((value) => values.includes(value)));
  });

  it('runs every purge in one call, and the issuer tick runs it', async () => {
    clock.advance(2 * 24 * HOUR);
    await runHousekeeping(issuer.services, clock.now()); // what the tests above left
    const code = await insertCode(issuer, { userId: alice, ttlMs: 60 * SECOND });
    const expiring = await family(HOUR);
    await issuer.services.revoker.revoke({ kind: 'token', value: 'jti-tick', expiresAt: clock.now() + HOUR, reason: 'test' });
    await store().loginAttempts.recordFailure({ key: 'user:tick', windowStart: clock.now() });
    clock.advance(longestThrottleWindowMs() + 1);
    assert.deepEqual(await runHousekeeping(issuer.services, clock.now()), { authorizationCodes: 1, loginAttempts: 1, refreshFamilies: 1, revocations: 1 });
    assert.deepEqual(await runHousekeeping(issuer.services, clock.now()), { authorizationCodes: 0, loginAttempts: 0, refreshFamilies: 0, revocations: 0 });

    const other = await insertCode(issuer, { userId: alice, ttlMs: 60 * SECOND });
    clock.advance(60 * SECOND);
    await issuer.tick();
    assert.equal(await codeExists(code.code), false);
    assert.equal(await codeExists(other.code), false);
    assert.equal(await store().refreshTokens.findFamily(expiring.id), undefined);
  });
});

describe('RevocationState.prune', () => {
  const NOW = Date.UTC(2030, 0, 1);
  let nextId = 1;
  const entry = (kind: Revocation['kind'], value: string, expiresAt: number | null): Revocation => ({ id: nextId++, kind, value, revokedAt: NOW, expiresAt, reason: null });
  const at = (sid: string) => ({ iss: 'i', sub: 's', aud: 'a', exp: 0, iat: 0, jti: 'j', client_id: 'c', sid });

  it('drops a family entry once its expiry has passed, not before', () => {
    const state = new RevocationState();
    state.apply([entry('family', 'sid-1', NOW + 1000)]);
    state.prune(NOW + 999);
    assert.equal(state.isRevoked(at('sid-1'), 'k', 'i'), 'family');
    state.prune(NOW + 1000);
    assert.equal(state.isRevoked(at('sid-1'), 'k', 'i'), undefined);
    assert.equal(state.size.families, 0);
  });

  it('a family revoked twice keeps the longer-lived entry; one without expiry is never pruned', () => {
    const state = new RevocationState();
    state.apply([entry('family', 'sid-2', NOW + 5000), entry('family', 'sid-2', NOW + 1000)]);
    state.apply([entry('family', 'sid-3', NOW + 1000), entry('family', 'sid-3', null), entry('family', 'sid-3', NOW + 2000)]);
    state.prune(NOW + 4999);
    assert.equal(state.isRevoked(at('sid-2'), 'k', 'i'), 'family');
    state.prune(NOW + 5000);
    assert.equal(state.isRevoked(at('sid-2'), 'k', 'i'), undefined);
    state.prune(Number.MAX_SAFE_INTEGER);
    assert.equal(state.isRevoked(at('sid-3'), 'k', 'i'), 'family');
  });
});
