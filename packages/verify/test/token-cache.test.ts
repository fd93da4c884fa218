import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerifiedTokenCache, type CachedToken, type JoseHeader, type TrustedKey } from '../src/index.ts';

const entry = (expiresAt = Number.MAX_SAFE_INTEGER): CachedToken => ({
  header: { alg: 'ES256' } as JoseHeader,
  claims: {} as CachedToken['claims'],
  key: {} as TrustedKey,
  issuer: 'https://issuer.example',
  expiresAt,
});
const token = (i: number, tail = 'x'.repeat(40)) => `header.payload${i}.${tail}${String(i).padStart(8, '0')}`;

describe('VerifiedTokenCache', () => {
  it('a hit is the exact string that was stored, even when another token shares its tail', () => {
    const cache = new VerifiedTokenCache(10);
    const stored = `aaaa.bbbb.${'s'.repeat(64)}`;
    const impostor = `zzzz.yyyy.${'s'.repeat(64)}`;
    cache.set(stored, entry());
    assert.ok(cache.get(stored, 0));
    assert.equal(cache.get(impostor, 0), undefined);
    cache.delete(impostor); // deleting by a colliding string leaves the real entry alone
    assert.ok(cache.get(stored, 0));
  });

  it('evicts first in, first out and never holds more than maxEntries', () => {
    const cache = new VerifiedTokenCache(3);
    for (let i = 0; i < 10; i++) {
      cache.set(token(i), entry());
      assert.ok(cache.size <= 3);
    }
    assert.equal(cache.get(token(6), 0), undefined);
    for (const i of [7, 8, 9]) assert.ok(cache.get(token(i), 0));
  });

  it('a stale ring slot does not evict a token stored again later', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set(token(1), entry()); // slot 0
    cache.set(token(1), entry()); // slot 1, same key
    cache.set(token(2), entry()); // slot 0: evicts nothing live (token 1 now lives in slot 1)
    assert.ok(cache.get(token(1), 0));
    assert.ok(cache.get(token(2), 0));
  });

  it('drops an entry once its time is up', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set(token(1), entry(1000));
    assert.ok(cache.get(token(1), 999));
    assert.equal(cache.get(token(1), 1000), undefined);
    assert.equal(cache.size, 0);
  });

  it('maxEntries 0 stores nothing; clear empties', () => {
    const none = new VerifiedTokenCache(0);
    none.set(token(1), entry());
    assert.equal(none.size, 0);
    const cache = new VerifiedTokenCache(4);
    cache.set(token(1), entry());
    cache.clear();
    assert.equal(cache.get(token(1), 0), undefined);
  });
});
