import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  activeSigningKey,
  addKey,
  advanceKeys,
  DEFAULT_KEY_POLICY,
  publishedJwks,
  resolveKeyPolicy,
  revokedKeyIds,
  revokeKey,
  SealedPrivateKey,
  type KeyEvent,
  type KeyRecord,
  type NewSigningKey,
} from 'gatehouse';

// The lifecycle is pure: these keys carry a well-formed public JWK and a dummy sealed blob.
function fakeKey(kid: string): NewSigningKey {
  return {
    kid,
    alg: 'ES256',
    publicJwk: { kty: 'EC', crv: 'P-256', x: `x-${kid}`, y: `y-${kid}`, kid, alg: 'ES256', use: 'sig' },
    sealedPrivateKey: new SealedPrivateKey(`v1.sealed-${kid}`),
  };
}

const T0 = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const policy = DEFAULT_KEY_POLICY;
const LEAD = policy.publishLeadSeconds * SECOND;
const RETENTION = (policy.maxTokenTtlSeconds + policy.leewaySeconds) * SECOND;

const states = (records: readonly KeyRecord[]) => Object.fromEntries(records.map((r) => [r.kid, r.state]));
const published = (records: readonly KeyRecord[], now: number) => publishedJwks(records, now).keys.map((k) => k.kid);
const summary = (events: readonly KeyEvent[]) => events.map((e) => `${e.type} ${e.kid}`);
const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;

/** k1 active since T0, the usual state after first start. */
function firstStart(): readonly KeyRecord[] {
  return addKey([], fakeKey('k1'), T0, policy).records;
}

/** k1 active, k2 published at the scheduled time and pending. */
function rotationScheduled(): { records: readonly KeyRecord[]; scheduledAt: number } {
  const scheduledAt = T0 + policy.rotateEverySeconds * SECOND - LEAD;
  return { records: addKey(firstStart(), fakeKey('k2'), scheduledAt, policy).records, scheduledAt };
}

describe('key lifecycle: first start', () => {
  it('asks for an initial key when there are no keys', () => {
    const step = advanceKeys([], T0, policy);
    assert.equal(step.generate, 'initial');
    assert.deepEqual(step.events, []);
    assert.throws(() => activeSigningKey([], T0), codeOf('no_signing_key'));
    assert.deepEqual(publishedJwks([], T0).keys, []);
  });

  it('activates the first key at once: there is nothing else to sign with', () => {
    const step = addKey([], fakeKey('k1'), T0, policy);
    assert.deepEqual(summary(step.events), ['key.created k1', 'key.activated k1']);
    assert.equal(step.added.state, 'active');
    assert.equal(step.added.createdAt, T0);
    assert.equal(step.added.activatesAt, T0);
    assert.equal(step.generate, undefined);
    assert.equal(activeSigningKey(step.records, T0).kid, 'k1');
    assert.deepEqual(published(step.records, T0), ['k1']);
  });

  it('refuses a second key with the same kid', () => {
    assert.throws(() => addKey(firstStart(), fakeKey('k1'), T0, policy), TypeError);
  });
});

describe('key lifecycle: scheduled rotation', () => {
  it('asks for the successor publishLead before the active key has signed for rotateEvery', () => {
    const records = firstStart();
    const due = T0 + policy.rotateEverySeconds * SECOND - LEAD;
    assert.equal(advanceKeys(records, due - 1, policy).generate, undefined);
    const step = advanceKeys(records, due, policy);
    assert.equal(step.generate, 'scheduled');
    assert.deepEqual(step.events, []);
    assert.deepEqual(step.changed, []);
  });

  it('asks for a late successor too, and still publishes it for the whole lead', () => {
    const late = T0 + 3 * policy.rotateEverySeconds * SECOND; // the issuer was down
    const records = firstStart();
    assert.equal(advanceKeys(records, late, policy).generate, 'scheduled');
    const step = addKey(records, fakeKey('k2'), late, policy);
    assert.equal(step.added.state, 'pending');
    assert.equal(step.added.activatesAt, late + LEAD);
    assert.equal(activeSigningKey(step.records, late).kid, 'k1');
  });

  it('publishes the new key before it signs: pending until activatesAt, the old key keeps signing', () => {
    const { records, scheduledAt } = rotationScheduled();
    const k2 = records.find((r) => r.kid === 'k2')!;
    assert.equal(k2.state, 'pending');
    assert.equal(k2.activatesAt, scheduledAt + LEAD);
    assert.deepEqual(states(records), { k1: 'active', k2: 'pending' });
    assert.equal(activeSigningKey(records, scheduledAt).kid, 'k1');
    assert.deepEqual(published(records, scheduledAt), ['k1', 'k2']);
    // No second successor is asked for while one is pending.
    assert.equal(advanceKeys(records, scheduledAt + LEAD - 1, policy).generate, undefined);
    const before = advanceKeys(records, scheduledAt + LEAD - 1, policy);
    assert.deepEqual(before.events, []);
    assert.deepEqual(states(before.records), { k1: 'active', k2: 'pending' });
  });

  it('activates the new key at activatesAt; the old one starts retiring and stays published (rotation overlap)', () => {
    const { records, scheduledAt } = rotationScheduled();
    const at = scheduledAt + LEAD;
    const step = advanceKeys(records, at, policy);
    assert.deepEqual(summary(step.events), ['key.activated k2', 'key.retiring k1']);
    assert.deepEqual(step.events.map((e) => e.at), [at, at]);
    assert.deepEqual(states(step.records), { k1: 'retiring', k2: 'active' });
    const k1 = step.records.find((r) => r.kid === 'k1')!;
    assert.equal(k1.retiringAt, at);
    assert.equal(k1.retireAfter, at + RETENTION);
    assert.equal(step.records.find((r) => r.kid === 'k2')!.activatesAt, at);
    assert.equal(activeSigningKey(step.records, at).kid, 'k2');
    assert.deepEqual(published(step.records, at), ['k2', 'k1']);
    assert.deepEqual(step.changed.map((r) => r.kid), ['k1', 'k2']);
  });

  it('retires the old key only once every token it signed has expired (stop + max ttl + leeway)', () => {
    const { records, scheduledAt } = rotationScheduled();
    const at = scheduledAt + LEAD;
    const rotated = advanceKeys(records, at, policy).records;
    const still = advanceKeys(rotated, at + RETENTION - 1, policy);
    assert.deepEqual(still.events, []);
    assert.deepEqual(published(still.records, at + RETENTION - 1), ['k2', 'k1']);

    const step = advanceKeys(rotated, at + RETENTION, policy);
    assert.deepEqual(summary(step.events), ['key.retired k1']);
    assert.deepEqual(published(step.records, at + RETENTION), ['k2']);
    // Retired is final.
    assert.deepEqual(advanceKeys(step.records, at + 100 * HOUR, policy).records.find((r) => r.kid === 'k1')!.state, 'retired');
  });

  it('keeps a key published from when it actually stopped signing, however late the step runs', () => {
    const { records, scheduledAt } = rotationScheduled();
    const late = scheduledAt + LEAD + 10 * HOUR; // far past what the retention would be from activatesAt
    const step = advanceKeys(records, late, policy);
    assert.deepEqual(states(step.records), { k1: 'retiring', k2: 'active' });
    assert.equal(step.records.find((r) => r.kid === 'k1')!.retireAfter, late + RETENTION);
    assert.equal(step.records.find((r) => r.kid === 'k2')!.activatesAt, late);
  });

  it('takes the retention from the policy', () => {
    const short = resolveKeyPolicy({ maxTokenTtlSeconds: 600, leewaySeconds: 30 });
    const { records, scheduledAt } = rotationScheduled();
    const at = scheduledAt + LEAD;
    const step = advanceKeys(records, at, short);
    assert.equal(step.records.find((r) => r.kid === 'k1')!.retireAfter, at + 630 * SECOND);
  });

  it('answers views (signing key, JWKS) for the given instant even over records not advanced yet', () => {
    const { records, scheduledAt } = rotationScheduled();
    const at = scheduledAt + LEAD;
    assert.equal(activeSigningKey(records, at - 1).kid, 'k1');
    assert.equal(activeSigningKey(records, at).kid, 'k2');
    const rotated = advanceKeys(records, at, policy).records;
    assert.deepEqual(published(rotated, at + RETENTION), ['k2']);
  });

  it('does not change the input, and keeps the identity of records that did not change', () => {
    const { records, scheduledAt } = rotationScheduled();
    const frozen = records.map((r) => Object.freeze({ ...r }));
    const noop = advanceKeys(frozen, scheduledAt + 1, policy);
    assert.deepEqual(noop.changed, []);
    noop.records.forEach((r, i) => assert.equal(r, frozen[i]));
    const step = advanceKeys(frozen, scheduledAt + LEAD, policy);
    assert.deepEqual(states(frozen), { k1: 'active', k2: 'pending' });
    assert.notEqual(step.records[0], frozen[0]);
  });

  it('activates two pending keys in turn (two on-demand rotations)', () => {
    const records = firstStart();
    const a = addKey(records, fakeKey('k2'), T0 + MINUTE, policy).records;
    const b = addKey(a, fakeKey('k3'), T0 + 2 * MINUTE, policy).records;
    assert.deepEqual(states(b), { k1: 'active', k2: 'pending', k3: 'pending' });
    const first = advanceKeys(b, T0 + MINUTE + LEAD, policy);
    assert.deepEqual(summary(first.events), ['key.activated k2', 'key.retiring k1']);
    const second = advanceKeys(first.records, T0 + 2 * MINUTE + LEAD, policy);
    assert.deepEqual(summary(second.events), ['key.activated k3', 'key.retiring k2']);
    assert.deepEqual(published(second.records, T0 + 2 * MINUTE + LEAD), ['k3', 'k2', 'k1']);
  });
});

describe('key lifecycle: emergency revoke', () => {
  it('removes a retiring key from JWKS at once and lists its kid as revoked', () => {
    const { records, scheduledAt } = rotationScheduled();
    const at = scheduledAt + LEAD;
    const rotated = advanceKeys(records, at, policy).records;
    const step = revokeKey(rotated, 'k1', at + MINUTE, policy);
    assert.deepEqual(summary(step.events), ['key.revoked k1']);
    assert.equal(step.revoked.state, 'revoked');
    assert.equal(step.revoked.revokedAt, at + MINUTE);
    assert.deepEqual(published(step.records, at + MINUTE), ['k2']);
    assert.deepEqual(revokedKeyIds(step.records), ['k1']);
    assert.equal(activeSigningKey(step.records, at + MINUTE).kid, 'k2');
    assert.deepEqual(step.changed.map((r) => r.kid), ['k1']);
  });

  it('revoking the signing key promotes the pending key at once', () => {
    const { records, scheduledAt } = rotationScheduled();
    const step = revokeKey(records, 'k1', scheduledAt + MINUTE, policy);
    assert.deepEqual(summary(step.events), ['key.revoked k1', 'key.activated k2']);
    assert.equal(activeSigningKey(step.records, scheduledAt + MINUTE).kid, 'k2');
    assert.deepEqual(published(step.records, scheduledAt + MINUTE), ['k2']);
    // The promoted key records when it really started signing, and its rotation period counts from then.
    const k2 = step.records.find((r) => r.kid === 'k2')!;
    assert.equal(k2.activatesAt, scheduledAt + MINUTE);
    assert.equal(step.generate, undefined);
    const due = scheduledAt + MINUTE + policy.rotateEverySeconds * SECOND - LEAD;
    assert.equal(advanceKeys(step.records, due - 1, policy).generate, undefined);
    assert.equal(advanceKeys(step.records, due, policy).generate, 'scheduled');
  });

  it('revoking the only key asks for a replacement, which activates at once', () => {
    const records = firstStart();
    const step = revokeKey(records, 'k1', T0 + HOUR, policy);
    assert.equal(step.generate, 'replacement');
    assert.throws(() => activeSigningKey(step.records, T0 + HOUR), codeOf('no_signing_key'));
    assert.deepEqual(published(step.records, T0 + HOUR), []);
    const replaced = addKey(step.records, fakeKey('k2'), T0 + HOUR, policy);
    assert.deepEqual(summary(replaced.events), ['key.created k2', 'key.activated k2']);
    assert.equal(activeSigningKey(replaced.records, T0 + HOUR).kid, 'k2');
    assert.deepEqual(revokedKeyIds(replaced.records), ['k1']);
  });

  it('revoking a pending key unpublishes it; the signing key is untouched', () => {
    const { records, scheduledAt } = rotationScheduled();
    const step = revokeKey(records, 'k2', scheduledAt + MINUTE, policy);
    assert.deepEqual(states(step.records), { k1: 'active', k2: 'revoked' });
    assert.deepEqual(published(step.records, scheduledAt + MINUTE), ['k1']);
    // The rotation is still due, so a new successor is asked for.
    assert.equal(step.generate, 'scheduled');
    // A revoked key never activates, whatever its activatesAt said.
    assert.deepEqual(states(advanceKeys(step.records, scheduledAt + 2 * LEAD, policy).records), { k1: 'active', k2: 'revoked' });
  });

  it('revoking a revoked key changes nothing; an unknown kid is key_not_found', () => {
    const revoked = revokeKey(firstStart(), 'k1', T0 + MINUTE, policy).records;
    const again = revokeKey(revoked, 'k1', T0 + 2 * MINUTE, policy);
    assert.deepEqual(again.events, []);
    assert.deepEqual(again.changed, []);
    assert.equal(again.revoked.revokedAt, T0 + MINUTE);
    assert.throws(() => revokeKey(revoked, 'nope', T0, policy), codeOf('key_not_found'));
  });
});

describe('key lifecycle: views and policy', () => {
  it('publishes only public members, whatever a record carries', () => {
    const records = firstStart().map((r) => ({ ...r, publicJwk: { ...r.publicJwk, d: 'private!' } as typeof r.publicJwk }));
    const [jwk] = publishedJwks(records, T0).keys;
    assert.deepEqual(Object.keys(jwk!).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    assert.ok(!JSON.stringify(publishedJwks(records, T0)).includes('sealed'));
  });

  it('refuses to pick a signing key among several active ones (damaged data)', () => {
    const records = [...firstStart(), { ...firstStart()[0]!, kid: 'k9' }];
    assert.throws(() => activeSigningKey(records, T0), codeOf('no_signing_key'));
  });

  it('validates the policy once', () => {
    assert.deepEqual(resolveKeyPolicy(), DEFAULT_KEY_POLICY);
    assert.equal(DEFAULT_KEY_POLICY.rotateEverySeconds, 86_400);
    assert.equal(DEFAULT_KEY_POLICY.publishLeadSeconds, 600);
    assert.throws(() => resolveKeyPolicy({ maxTokenTtlSeconds: 3601 }), codeOf('token_ttl_invalid'));
    assert.throws(() => resolveKeyPolicy({ maxTokenTtlSeconds: 0 }), codeOf('token_ttl_invalid'));
    assert.throws(() => resolveKeyPolicy({ rotateEverySeconds: 600, publishLeadSeconds: 600 }), codeOf('config_invalid'));
    assert.throws(() => resolveKeyPolicy({ publishLeadSeconds: -1 }), codeOf('config_invalid'));
    assert.throws(() => resolveKeyPolicy({ leewaySeconds: Number.NaN }), codeOf('config_invalid'));
  });
});
