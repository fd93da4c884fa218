import assert from 'node:assert/strict';
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { describe, it, mock } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createVerifier, LocalKeySet, type VerifyResult } from '@gatehouse/verify';
import {
  createAccessTokenMinter,
  generateSigningKey,
  InMemoryKeyRepository,
  KeyManager,
  type KeyEvent,
  type KeyManagerOptions,
  type KeyRecord,
  type KeyRepository,
  type KeyState,
  type MintedAccessToken,
} from 'gatehouse';

const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'orders';
const T0 = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;
const summary = (events: readonly KeyEvent[]) => events.map((e) => `${e.type} ${e.kid}`);
const states = (records: readonly KeyRecord[]) => Object.fromEntries(records.map((r) => [r.kid, r.state]));

/** A manager on an in-memory repository with an injected clock, and a minter and verifier around it. */
async function setUp(overrides: Partial<KeyManagerOptions> = {}) {
  const clock = { now: T0 };
  const events: KeyEvent[] = [];
  const repository = (overrides.repository as InMemoryKeyRepository | undefined) ?? new InMemoryKeyRepository();
  const masterKey = overrides.masterKey ?? createSecretKey(randomBytes(32));
  const manager = await KeyManager.open({ repository, masterKey, clock: () => clock.now, onEvent: (event) => events.push(event), ...overrides });
  const mint = createAccessTokenMinter({ issuer: ISSUER, keys: manager, clock: () => clock.now });
  const mintFor = (ttlSeconds?: number) => mint({ subject: 'alice', audience: AUDIENCE, clientId: 'web', ttlSeconds });
  const verifier = createVerifier({ issuers: { issuer: ISSUER, keys: manager.keySet }, audience: AUDIENCE, clock: () => clock.now });
  return { clock, events, repository, masterKey, manager, mintFor, verifier };
}

function reasonOf(result: VerifyResult): string {
  return result.ok ? 'ok' : result.reason;
}

async function joseAccepts(jwks: unknown, minted: MintedAccessToken, now: number): Promise<string> {
  const { protectedHeader } = await jwtVerify(minted.token, createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]), {
    typ: 'at+jwt',
    issuer: ISSUER,
    audience: AUDIENCE,
    currentDate: new Date(now),
  });
  return protectedHeader.kid!;
}

describe('KeyManager', () => {
  it('creates and activates the first key on first start', async () => {
    const { manager, events, repository, mintFor, verifier } = await setUp();
    const [k1] = await repository.list();
    assert.equal(k1!.state, 'active');
    assert.deepEqual(summary(events), [`key.created ${k1!.kid}`, `key.activated ${k1!.kid}`]);
    assert.equal(manager.signingKey().kid, k1!.kid);
    assert.equal(manager.signingKey().alg, 'ES256');
    assert.deepEqual(manager.jwks().keys.map((k) => k.kid), [k1!.kid]);
    assert.deepEqual(manager.keySet.keys.map((k) => k.kid), [k1!.kid]);
    const minted = await mintFor();
    assert.equal(minted.kid, k1!.kid);
    assert.equal(reasonOf(verifier.verifySync(minted.token)), 'ok');
  });

  it('loads existing keys without creating new ones', async () => {
    const first = await setUp();
    const [k1] = await first.repository.list();
    const second = await setUp({ repository: first.repository, masterKey: first.masterKey });
    assert.deepEqual(second.events, []);
    assert.equal((await first.repository.list()).length, 1);
    assert.equal(second.manager.signingKey().kid, k1!.kid);
  });

  it('rotates on schedule with overlap: old tokens verify until exp, new ones carry the new kid, both keys published', async () => {
    const { manager, clock, events, repository, mintFor, verifier } = await setUp();
    const policy = manager.policy;
    const k1 = manager.signingKey().kid;

    clock.now = T0 + (policy.rotateEverySeconds - policy.publishLeadSeconds) * SECOND;
    events.length = 0;
    await manager.tick();
    const k2 = (await repository.list()).find((r) => r.kid !== k1)!.kid;
    assert.deepEqual(summary(events), [`key.created ${k2}`]);
    assert.deepEqual(manager.jwks().keys.map((k) => k.kid), [k1, k2]);
    assert.deepEqual(manager.keySet.keys.map((k) => k.kid).sort(), [k1, k2].sort());

    // Published before it signs: until the lead is over, tokens still carry k1.
    clock.now += policy.publishLeadSeconds * SECOND - SECOND;
    await manager.tick();
    const old = await mintFor();
    assert.equal(old.kid, k1);

    clock.now += SECOND;
    events.length = 0;
    await manager.tick();
    assert.deepEqual(summary(events), [`key.activated ${k2}`, `key.retiring ${k1}`]);
    assert.deepEqual(states(await repository.list()), { [k1]: 'retiring', [k2]: 'active' });
    const fresh = await mintFor();
    assert.equal(fresh.kid, k2);
    assert.deepEqual(manager.jwks().keys.map((k) => k.kid), [k2, k1]);
    for (const minted of [old, fresh]) {
      assert.equal(reasonOf(verifier.verifySync(minted.token)), 'ok');
      assert.equal(await joseAccepts(manager.jwks(), minted, clock.now), minted.kid);
    }

    // The old token dies of age while its key is still published.
    clock.now = (old.exp + 31) * SECOND;
    await manager.tick();
    assert.deepEqual(manager.jwks().keys.map((k) => k.kid), [k2, k1]);
    assert.equal(reasonOf(verifier.verifySync(old.token)), 'token_expired');

    // k1 leaves only after max token ttl + leeway from when it stopped signing.
    const retireAfter = (await repository.list()).find((r) => r.kid === k1)!.retireAfter!;
    assert.equal(retireAfter, T0 + policy.rotateEverySeconds * SECOND + (policy.maxTokenTtlSeconds + policy.leewaySeconds) * SECOND);
    clock.now = retireAfter - 1;
    await manager.tick();
    assert.deepEqual(manager.jwks().keys.map((k) => k.kid), [k2, k1]);
    clock.now = retireAfter;
    events.length = 0;
    await manager.tick();
    assert.deepEqual(summary(events), [`key.retired ${k1}`]);
    assert.deepEqual(manager.jwks().keys.map((k) => k.kid), [k2]);
    assert.deepEqual(manager.keySet.keys.map((k) => k.kid), [k2]);
    const latest = await mintFor();
    assert.equal(latest.kid, k2);
    assert.equal(reasonOf(verifier.verifySync(latest.token)), 'ok');
  });

  it('rotates on demand: the new key is published now and signs after the publish lead', async () => {
    const { manager, clock, events, mintFor } = await setUp();
    const k1 = manager.signingKey().kid;
    clock.now = T0 + 3600 * SECOND;
    events.length = 0;
    const added = await manager.rotate();
    assert.equal(added.state, 'pending');
    assert.equal(added.activatesAt, clock.now + manager.policy.publishLeadSeconds * SECOND);
    assert.deepEqual(summary(events), [`key.created ${added.kid}`]);
    assert.deepEqual(manager.jwks().keys.map((k) => k.kid), [k1, added.kid]);
    assert.equal((await mintFor()).kid, k1);
    clock.now = added.activatesAt;
    await manager.tick();
    assert.equal((await mintFor()).kid, added.kid);
  });

  it('revokes at once: in-process verifiers refuse the key immediately (unknown_kid), cached tokens included', async () => {
    const { manager, clock, events, mintFor, verifier } = await setUp();
    const k1 = manager.signingKey().kid;
    const minted = await mintFor();
    assert.equal(reasonOf(verifier.verifySync(minted.token)), 'ok');
    assert.equal((verifier.verifySync(minted.token) as { cached?: boolean }).cached, true);

    // A verifier elsewhere still holding the old JWKS in its cache, fed the key revocation list.
    const cachedJwks = LocalKeySet.fromJwks(manager.jwks());
    const remote = createVerifier({
      issuers: { issuer: ISSUER, keys: cachedJwks },
      audience: AUDIENCE,
      clock: () => clock.now,
      isRevoked: (_claims, kid) => (manager.isKeyRevoked(kid) ? 'key' : undefined),
    });
    assert.equal(reasonOf(remote.verifySync(minted.token)), 'ok');

    clock.now += 10 * SECOND;
    events.length = 0;
    const revoked = await manager.revoke(k1);
    assert.equal(revoked.state, 'revoked');
    assert.equal(revoked.revokedAt, clock.now);
    const k2 = manager.signingKey().kid;
    assert.notEqual(k2, k1);
    assert.deepEqual(summary(events), [`key.revoked ${k1}`, `key.created ${k2}`, `key.activated ${k2}`]);

    assert.equal(reasonOf(verifier.verifySync(minted.token)), 'unknown_kid');
    assert.equal(reasonOf(remote.verifySync(minted.token)), 'token_revoked');
    assert.equal(manager.isKeyRevoked(k1), true);
    assert.deepEqual(manager.jwks().keys.map((k) => k.kid), [k2]);
    assert.deepEqual(manager.keySet.keys.map((k) => k.kid), [k2]);

    const replacement = await mintFor();
    assert.equal(replacement.kid, k2);
    assert.equal(reasonOf(verifier.verifySync(replacement.token)), 'ok');
    await assert.rejects(manager.revoke('no-such-kid'), codeOf('key_not_found'));
  });

  it('keeps the trusted key objects across ticks that change nothing, so verified tokens stay cached', async () => {
    const { manager, clock, mintFor, verifier } = await setUp();
    const minted = await mintFor();
    const key = manager.keySet.getKey(minted.kid);
    assert.equal((verifier.verifySync(minted.token) as { cached?: boolean }).cached, false);
    clock.now += 10 * SECOND;
    await manager.tick();
    assert.equal(manager.keySet.getKey(minted.kid), key);
    assert.equal((verifier.verifySync(minted.token) as { cached?: boolean }).cached, true);
  });

  it('refuses to start with a master key that does not open the keys, and writes nothing', async () => {
    const first = await setUp();
    const before = await first.repository.list();
    const other = createSecretKey(randomBytes(32));
    await assert.rejects(KeyManager.open({ repository: first.repository, masterKey: other, clock: () => T0 }), codeOf('key_unseal_failed'));
    assert.deepEqual(await first.repository.list(), before);
  });

  it('keeps signing with the old key, and persists nothing, when the next key does not unseal', async () => {
    const wrongMaster = createSecretKey(randomBytes(32));
    const masterKey = createSecretKey(randomBytes(32));
    let sealUnder: KeyObject = masterKey;
    const now = { value: T0 };
    const repo = new InMemoryKeyRepository();
    const m = await KeyManager.open({ repository: repo, masterKey, clock: () => now.value, generateKey: (alg) => generateSigningKey(alg, sealUnder) });
    const k1 = m.signingKey().kid;
    sealUnder = wrongMaster; // the next key cannot be opened with the manager's master key
    const pending = await m.rotate();
    now.value = pending.activatesAt;
    await assert.rejects(m.tick(), codeOf('key_unseal_failed'));
    assert.deepEqual(states(await repo.list()), { [k1]: 'active', [pending.kid]: 'pending' });
    assert.equal(m.signingKey().kid, k1);
  });

  it('adopts a change another replica made first and does not report its events again', async () => {
    const shared = new InMemoryKeyRepository();
    const masterKey = createSecretKey(randomBytes(32));
    const now = { value: T0 };
    let stale: readonly KeyRecord[] | undefined;
    // Replica A reads the records just before replica B writes its step.
    const staleOnce: KeyRepository = {
      list: async () => {
        const records = stale ?? (await shared.list());
        stale = undefined;
        return records;
      },
      insert: (record) => shared.insert(record),
      update: (record, expected: KeyState) => shared.update(record, expected),
    };
    const aEvents: KeyEvent[] = [];
    const bEvents: KeyEvent[] = [];
    const a = await KeyManager.open({ repository: staleOnce, masterKey, clock: () => now.value, onEvent: (e) => aEvents.push(e) });
    const b = await KeyManager.open({ repository: shared, masterKey, clock: () => now.value, onEvent: (e) => bEvents.push(e) });
    const pending = await a.rotate();
    now.value = pending.activatesAt;
    stale = await shared.list();
    aEvents.length = 0;
    await b.tick();
    assert.equal(bEvents.filter((e) => e.type === 'key.activated').length, 1);
    const afterB = await shared.list();

    now.value += SECOND;
    await a.tick();
    assert.deepEqual(aEvents, []);
    assert.deepEqual(await shared.list(), afterB);
    assert.equal(a.signingKey().kid, pending.kid);
    assert.deepEqual(a.jwks(), b.jwks());
  });

  it('ticks on an interval once started, until stopped', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const { manager } = await setUp();
      const tick = mock.method(manager, 'tick', async () => []);
      const stop = manager.startTicking(5_000);
      mock.timers.tick(15_000);
      assert.equal(tick.mock.callCount(), 3);
      stop();
      mock.timers.tick(15_000);
      assert.equal(tick.mock.callCount(), 3);
    } finally {
      mock.timers.reset();
    }
  });
});
