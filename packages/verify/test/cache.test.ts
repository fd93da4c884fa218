/**
 * The verified-token cache, through createVerifier: a hit skips only the signature check. Claims,
 * audience, times, key trust and revocation are checked again on every hit, the cache is bounded,
 * and only the exact token string hits (a non-canonical spelling of a cached token is refused).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalKeySet, VerifiedTokenCache, type RevocationList, type TokenVerifier, type VerifyResult } from '@gatehouse/verify';
import { getFixtures, padded, utf16Alias, withTrailingBitSet } from './support/cases.ts';
import { accessToken, AUDIENCE, explain, ISSUER, makeVerifier, NOW, parts, TestClock } from './support/tokens.ts';

const { es256, rs256, eddsa } = getFixtures();

function cachedFlag(result: VerifyResult): boolean | string {
  return result.ok ? result.cached : result.reason;
}

function expectOk(result: VerifyResult, cached: boolean, what: string): void {
  assert.equal(result.ok, true, `${what}: ${explain(result)}`);
  if (result.ok) assert.equal(result.cached, cached, `${what}: cached`);
}

function expectReason(result: VerifyResult, reason: string): void {
  assert.equal(result.ok ? 'ok' : result.reason, reason, explain(result));
}

describe('hits', () => {
  it('the second verification of a token is a cache hit with the same claims', () => {
    const verifier = makeVerifier([es256]);
    const token = accessToken(es256);
    const first = verifier.verifySync(token);
    const second = verifier.verifySync(token);
    expectOk(first, false, 'first');
    expectOk(second, true, 'second');
    assert.ok(first.ok && second.ok);
    assert.deepEqual(second.claims, first.claims);
    assert.equal(second.kid, es256.kid);
    assert.equal(second.alg, 'ES256');
    assert.equal(second.issuer, ISSUER);
  });

  it('async verify hits the same cache', async () => {
    const verifier = makeVerifier([es256]);
    const token = accessToken(es256);
    expectOk(await verifier.verify(token), false, 'first');
    expectOk(await verifier.verify(token), true, 'second (async)');
    expectOk(verifier.verifySync(token), true, 'third (sync)');
  });

  it('clearCache() makes the next verification a full one', () => {
    const verifier = makeVerifier([es256]);
    const token = accessToken(es256);
    verifier.verifySync(token);
    verifier.clearCache();
    expectOk(verifier.verifySync(token), false, 'after clearCache');
  });

  it('a refused token is not cached: refused for the audience, then accepted by a full verification', () => {
    const verifier = makeVerifier([es256]);
    const token = accessToken(es256);
    expectReason(verifier.verifySync(token, { audience: 'payments' }), 'wrong_audience');
    expectOk(verifier.verifySync(token), false, 'after a refusal');
    expectOk(verifier.verifySync(token), true, 'then cached');
  });

  it('cache: false never reports a hit', () => {
    const verifier = makeVerifier([es256], { cache: false });
    const token = accessToken(es256);
    for (let i = 0; i < 3; i++) expectOk(verifier.verifySync(token), false, `call ${i + 1}`);
  });

  it('cache: { maxEntries: 0 } never reports a hit', () => {
    const verifier = makeVerifier([es256], { cache: { maxEntries: 0 } });
    const token = accessToken(es256);
    for (let i = 0; i < 3; i++) expectOk(verifier.verifySync(token), false, `call ${i + 1}`);
  });
});

describe('every hit is checked again', () => {
  it('a revocation added after caching refuses the next hit (each list)', () => {
    for (const list of ['token', 'family', 'subject', 'key'] as RevocationList[]) {
      let revoked: RevocationList | undefined;
      const verifier = makeVerifier([es256], { isRevoked: () => revoked });
      const token = accessToken(es256, { claims: { sid: 'family-1' } });
      expectOk(verifier.verifySync(token), false, list);
      expectOk(verifier.verifySync(token), true, list);
      revoked = list;
      expectReason(verifier.verifySync(token), 'token_revoked');
    }
  });

  it('revocation is decided on the cached claims (jti) and the cached kid', () => {
    const revokedJti = new Set<string>();
    const verifier = makeVerifier([es256, rs256], {
      isRevoked: (claims, kid) => (revokedJti.has(claims.jti) ? 'token' : kid === rs256.kid && revokedJti.has('*rs') ? 'key' : undefined),
    });
    const a = accessToken(es256, { claims: { jti: 'a' } });
    const b = accessToken(es256, { claims: { jti: 'b' } });
    const c = accessToken(rs256, { claims: { jti: 'c' } });
    for (const t of [a, b, c]) verifier.verifySync(t);
    revokedJti.add('a');
    expectReason(verifier.verifySync(a), 'token_revoked');
    expectOk(verifier.verifySync(b), true, 'another token of the same key');
    revokedJti.add('*rs');
    expectReason(verifier.verifySync(c), 'token_revoked');
    expectOk(verifier.verifySync(b), true, 'a token of another key');
  });

  it('replacing the key set without the key (rotated out, emergency revoke) refuses the cached token', () => {
    const keys = new LocalKeySet([es256.trusted, eddsa.trusted]);
    const verifier = makeVerifier(keys);
    const token = accessToken(es256);
    verifier.verifySync(token);
    expectOk(verifier.verifySync(token), true, 'cached');
    keys.replace([eddsa.trusted]);
    expectReason(verifier.verifySync(token), 'unknown_kid');
    expectReason(verifier.verifySync(token), 'unknown_kid');
    keys.replace([]);
    expectReason(verifier.verifySync(token), 'unknown_kid');
    // The key comes back (an operator mistake undone): a full verification, then hits again.
    keys.replace([es256.trusted, eddsa.trusted]);
    expectOk(verifier.verifySync(token), false, 'key restored');
    expectOk(verifier.verifySync(token), true, 'cached again');
  });

  it('the same kid bound to a different key object is not a hit', () => {
    const keys = new LocalKeySet([es256.trusted]);
    const verifier = makeVerifier(keys);
    const token = accessToken(es256);
    verifier.verifySync(token);
    keys.replace([{ ...es256.trusted }]); // same kid and key material, re-imported
    expectOk(verifier.verifySync(token), false, 'after re-import');
  });

  it('advancing the clock past exp refuses a cached token: hit up to the leeway, token_expired at it', () => {
    const clock = new TestClock();
    const verifier = makeVerifier([es256], { clock: clock.now });
    const exp = NOW + 60;
    const token = accessToken(es256, { claims: { exp } });
    expectOk(verifier.verifySync(token), false, 'first');
    clock.ms = (exp + 30) * 1000 - 1;
    expectOk(verifier.verifySync(token), true, 'one millisecond before exp + leeway');
    clock.ms = (exp + 30) * 1000;
    expectReason(verifier.verifySync(token), 'token_expired');
    clock.advanceSeconds(3600);
    expectReason(verifier.verifySync(token), 'token_expired');
  });

  it('a cached token whose exp passed is refused even if the clock then goes back within range', () => {
    const clock = new TestClock();
    const verifier = makeVerifier([es256], { clock: clock.now });
    const token = accessToken(es256, { claims: { exp: NOW + 10 } });
    verifier.verifySync(token);
    clock.advanceSeconds(100);
    expectReason(verifier.verifySync(token), 'token_expired');
    clock.advanceSeconds(-100);
    expectOk(verifier.verifySync(token), false, 'full verification after the entry was dropped');
  });

  it('a clock moved back before nbf refuses a cached token with token_not_yet_valid', () => {
    const clock = new TestClock();
    const verifier = makeVerifier([es256], { clock: clock.now });
    const token = accessToken(es256, { claims: { nbf: NOW + 20 } });
    expectOk(verifier.verifySync(token), false, 'within leeway');
    expectOk(verifier.verifySync(token), true, 'cached');
    clock.advanceSeconds(-20);
    expectReason(verifier.verifySync(token), 'token_not_yet_valid');
  });

  it('a different audience on a hit is refused with wrong_audience; the original audience still hits', () => {
    const verifier = makeVerifier([es256]);
    const token = accessToken(es256);
    verifier.verifySync(token);
    expectReason(verifier.verifySync(token, { audience: 'payments' }), 'wrong_audience');
    expectReason(verifier.verifySync(token, { audience: ['payments', 'billing'] }), 'wrong_audience');
    expectOk(verifier.verifySync(token, { audience: ['payments', AUDIENCE] }), true, 'audience list containing it');
    expectOk(verifier.verifySync(token), true, 'default audience');
  });
});

describe('results do not alias the caches', () => {
  it('a caller editing result.claims does not change the next hit', () => {
    const verifier = makeVerifier([es256]);
    const token = accessToken(es256, { claims: { roles: ['reader'] } });
    const first = verifier.verifySync(token);
    assert.ok(first.ok);
    try {
      (first.claims.roles as string[]).push('admin');
      (first.claims as Record<string, unknown>).scope = 'orders:write';
    } catch {
      // Frozen claims are a correct fix too.
    }
    const hit = verifier.verifySync(token);
    assert.ok(hit.ok && hit.cached);
    assert.deepEqual(hit.claims.roles, ['reader']);
    assert.equal(hit.claims.scope, 'orders:read');
  });

  it('a caller editing result.header does not change the verdict on the next token with that header', () => {
    const verifier = makeVerifier([es256]);
    const first = verifier.verifySync(accessToken(es256));
    assert.ok(first.ok);
    try {
      (first.header as Record<string, unknown>).alg = 'RS256';
    } catch {
      // Frozen headers are a correct fix too.
    }
    expectOk(verifier.verifySync(accessToken(es256)), false, 'a new token with the same header segment');
  });
});

describe('bounds', () => {
  it('with maxEntries 2 the verifier keeps at most two tokens, dropping the oldest', () => {
    const verifier = makeVerifier([es256], { cache: { maxEntries: 2 } });
    const [a, b, c] = [accessToken(es256), accessToken(es256), accessToken(es256)];
    for (const t of [a, b, c]) expectOk(verifier.verifySync(t), false, 'first sight');
    expectOk(verifier.verifySync(c), true, 'newest');
    expectOk(verifier.verifySync(b), true, 'second newest');
    expectOk(verifier.verifySync(a), false, 'oldest was dropped'); // re-inserted, evicting b
    expectOk(verifier.verifySync(b), false, 'b was dropped for a');
  });

  it('VerifiedTokenCache keeps at most maxEntries and never returns an entry at or after its expiry', () => {
    const cache = new VerifiedTokenCache(2);
    const entry = (expiresAt: number) => ({ header: { alg: 'ES256' }, claims: {} as never, key: es256.trusted, issuer: ISSUER, expiresAt });
    cache.set('t1', entry(2_000));
    cache.set('t2', entry(2_000));
    cache.set('t3', entry(1_000));
    assert.equal(cache.size, 2);
    assert.equal(cache.get('t1', 0), undefined);
    assert.ok(cache.get('t2', 0) !== undefined);
    assert.ok(cache.get('t3', 999) !== undefined);
    assert.equal(cache.get('t3', 1_000), undefined);
    assert.equal(cache.size, 1, 'the expired entry is dropped when seen');
    for (let i = 0; i < 100; i++) cache.set(`x${i}`, entry(2_000));
    assert.equal(cache.size, 2);
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it('VerifiedTokenCache with maxEntries 0 stores nothing', () => {
    const cache = new VerifiedTokenCache(0);
    cache.set('t', { header: { alg: 'ES256' }, claims: {} as never, key: es256.trusted, issuer: ISSUER, expiresAt: 1e15 });
    assert.equal(cache.size, 0);
  });
});

describe('only the exact token string hits', () => {
  const verifier: TokenVerifier = makeVerifier([es256]);
  // '~~~' encodes to "fn5-" and '???' to "Pz8_": the payload surely holds a '-' and a '_'.
  const token = accessToken(es256, { claims: { note: '~~~~~~??????' } });
  const [h, p, s] = parts(token);

  it('the canonical token is cached (control)', () => {
    verifier.verifySync(token);
    expectOk(verifier.verifySync(token), true, 'cached');
  });

  const variants: [string, string][] = [
    ['signature with "=" padding', `${h}.${p}.${padded(s)}`],
    ['signature with a spare trailing bit set', `${h}.${p}.${withTrailingBitSet(s)}`],
    ['a trailing space', `${token} `],
    ['a leading newline', `\n${token}`],
    ['"-" written as "+"', token.replace('-', '+')],
    ['"_" written as "/"', token.replace('_', '/')],
    ['a trailing dot', `${token}.`],
  ];
  for (const [label, variant] of variants) {
    it(`${label}: malformed_token, and the cached token still hits`, () => {
      assert.notEqual(variant, token);
      expectReason(verifier.verifySync(variant), 'malformed_token');
      assert.equal(cachedFlag(verifier.verifySync(token)), true);
    });
  }

  it('a character replaced by a UTF-16 unit with the same low byte: malformed_token', () => {
    for (const index of [1, h.length + 3, token.length - 1]) {
      expectReason(verifier.verifySync(utf16Alias(token, index)), 'malformed_token');
    }
  });
});
