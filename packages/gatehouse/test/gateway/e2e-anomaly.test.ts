/**
 * Anomaly detection through the whole gateway: refused tokens from one address past the limit
 * get that address a 429 with Retry-After (even with a good token), one anomaly.blocked security
 * event in the store, and anomaly_blocked in the decision line; the upstream sees none of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatewayHarness, type GatewayHarness } from './support/e2e-gateway-harness.ts';

let harness: GatewayHarness;

before(async () => {
  harness = await startGatewayHarness({ anomaly: { limits: { ip: { failures: 3, windowMs: 60_000 }, subject: { failures: 10_000, windowMs: 60_000 } } } });
});

after(async () => {
  await harness?.close();
});

describe('anomaly detection at the gateway', () => {
  it('blocks an address after too many refused tokens: 429 with Retry-After, one security event', async () => {
    const good = await harness.billingToken();
    const seenBefore = harness.upstream.requests.length;
    for (let i = 0; i < 3; i++) {
      const refused = await fetch(`${harness.gatewayUrl}/orders/1`, { headers: { authorization: 'Bearer not.a.token' } });
      assert.equal(refused.status, 401);
      await refused.arrayBuffer();
    }
    const blocked = await fetch(`${harness.gatewayUrl}/orders/1`, { headers: { authorization: `Bearer ${good}` } });
    assert.equal(blocked.status, 429);
    const retryAfter = Number(blocked.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${blocked.headers.get('retry-after')}`);
    assert.deepEqual(await blocked.json(), { error: 'too_many_requests' });
    const line = await harness.lineFor(blocked.headers.get('x-request-id') ?? undefined);
    assert.equal(line.reason, 'anomaly_blocked');
    assert.equal(line.decision, 'deny');
    assert.equal(harness.upstream.requests.length, seenBefore, 'the upstream saw nothing');

    let events: Awaited<ReturnType<typeof harness.issuer.services.store.securityEvents.listRecent>> = [];
    for (let attempt = 0; attempt < 50 && events.length === 0; attempt++) {
      events = await harness.issuer.services.store.securityEvents.listRecent({ type: 'anomaly.blocked' });
      if (events.length === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(events.length, 1, 'one event per block, not per request');
    assert.equal(events[0]!.ip, '127.0.0.1');
  });
});
