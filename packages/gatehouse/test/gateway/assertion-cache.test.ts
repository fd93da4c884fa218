/**
 * The assertion cache: one signature per token and route for the first half of the assertion's
 * life, re-signed when it ages, when the signing key changes or when the route's audience does;
 * concurrent requests share one signature; a failed signature is not remembered.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAssertionCache, type ForwardableIdentity } from '../../src/gateway/assertion/assertion-cache.ts';
import type { MintedUpstreamAssertion, UpstreamAssertionRequest } from '../../src/gateway/assertion/mint-upstream-assertion.ts';

const T0 = Date.UTC(2030, 0, 1, 12);
const S0 = T0 / 1000;

function setup(ttl = 30) {
  let now = T0;
  let kid = 'k1';
  let failNext = false;
  const calls: UpstreamAssertionRequest[] = [];
  const mint = async (request: UpstreamAssertionRequest): Promise<MintedUpstreamAssertion> => {
    calls.push(request);
    await new Promise((resolve) => setImmediate(resolve));
    if (failNext) {
      failNext = false;
      throw new Error('signing failed');
    }
    const iat = Math.floor(now / 1000);
    const exp = Math.min(iat + ttl, request.identity.exp ?? Infinity);
    return { token: `assertion-${calls.length}-${request.audience}`, jti: `j${calls.length}`, iat, exp, kid };
  };
  const cache = createAssertionCache(mint, { signingKey: () => ({ kid }) as never }, () => now);
  return {
    cache,
    calls,
    advance: (seconds: number) => (now += seconds * 1000),
    rotate: (next: string) => (kid = next),
    failNext: () => (failNext = true),
  };
}

const identity = (exp = S0 + 300): ForwardableIdentity => ({ headers: Object.freeze({ 'X-Gatehouse-Sub': 'alice' }), asserted: Object.freeze({ sub: 'alice', exp }) });
const ORDERS = { id: 'orders', audience: 'orders' };
const token = async (value: ReturnType<ReturnType<typeof setup>['cache']['headers']>) => (await value)['X-Gatehouse-Assertion'];

describe('assertion cache', () => {
  it('signs once, then answers synchronously with the same headers for half the lifetime', async () => {
    const t = setup();
    const alice = identity();
    const first = await t.cache.headers(alice, ORDERS);
    assert.deepEqual(first, { 'X-Gatehouse-Sub': 'alice', 'X-Gatehouse-Assertion': 'assertion-1-orders' });
    t.advance(14);
    const again = t.cache.headers(alice, ORDERS);
    assert.ok(!(again instanceof Promise), 'a young assertion is answered without a promise');
    assert.equal(again, first);
    t.advance(1);
    assert.equal(await token(t.cache.headers(alice, ORDERS)), 'assertion-2-orders', 'at half its life it is renewed');
    assert.equal(t.calls.length, 2);
  });

  it('keeps routes and tokens apart', async () => {
    const t = setup();
    const alice = identity();
    const other = identity();
    assert.equal(await token(t.cache.headers(alice, ORDERS)), 'assertion-1-orders');
    assert.equal(await token(t.cache.headers(alice, { id: 'billing', audience: 'billing' })), 'assertion-2-billing');
    assert.equal(await token(t.cache.headers(other, ORDERS)), 'assertion-3-orders');
    assert.equal(await token(t.cache.headers(alice, ORDERS)), 'assertion-1-orders');
  });

  it('re-signs after a key change (rotation or emergency revoke) and after the route\'s audience changed on reload', async () => {
    const t = setup();
    const alice = identity();
    await t.cache.headers(alice, ORDERS);
    t.rotate('k2');
    assert.equal(await token(t.cache.headers(alice, ORDERS)), 'assertion-2-orders');
    assert.equal(await token(t.cache.headers(alice, { id: 'orders', audience: 'orders-v2' })), 'assertion-3-orders-v2');
  });

  it('never hands out an expired assertion: one capped by the token\'s exp is renewed as the token nears its end', async () => {
    const t = setup();
    const shortLived = identity(S0 + 4);
    assert.equal(await token(t.cache.headers(shortLived, ORDERS)), 'assertion-1-orders');
    t.advance(2);
    assert.equal(await token(t.cache.headers(shortLived, ORDERS)), 'assertion-2-orders', 'renewAt = iat + ceil((exp - iat) / 2)');
  });

  it('shares one signature among concurrent requests, and does not remember a failure', async () => {
    const t = setup();
    const alice = identity();
    t.failNext();
    const concurrent = [t.cache.headers(alice, ORDERS), t.cache.headers(alice, ORDERS)];
    assert.equal(concurrent[0], concurrent[1]);
    await assert.rejects(concurrent[0] as Promise<unknown>, /signing failed/);
    assert.equal(t.calls.length, 1);
    assert.equal(await token(t.cache.headers(alice, ORDERS)), 'assertion-2-orders');
  });
});
