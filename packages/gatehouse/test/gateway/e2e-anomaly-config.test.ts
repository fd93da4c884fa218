/**
 * The `anomaly` section of gatehouse.yaml through openGateway: its limit and its webhook take
 * effect at start, and a reload changes the limit without forgetting the failures counted so far.
 * Each test has its own gateway: a test that trips a block leaves 127.0.0.1 blocked.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startGatewayHarness, type GatewayHarness } from './support/e2e-gateway-harness.ts';

/** An empty override: the file's anomaly section applies as written (the harness's default override would set high limits). */
const FILE_ONLY = {};

async function refusedToken(h: GatewayHarness): Promise<void> {
  const refused = await fetch(`${h.gatewayUrl}/orders/1`, { headers: { authorization: 'Bearer not.a.token' } });
  assert.equal(refused.status, 401);
  await refused.arrayBuffer();
}

async function goodRequest(h: GatewayHarness, token: string): Promise<Response> {
  const response = await fetch(`${h.gatewayUrl}/orders/1`, { headers: { authorization: `Bearer ${token}` } });
  await response.clone().arrayBuffer();
  return response;
}

describe('anomaly section at start: the file\'s limit and webhook', () => {
  let h: GatewayHarness;
  let receiver: Server;
  const posts: Record<string, unknown>[] = [];
  let posted: () => void;
  const firstPost = new Promise<void>((resolve) => (posted = resolve));

  before(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        posts.push({ path: request.url, ...(JSON.parse(body) as Record<string, unknown>) });
        response.writeHead(204).end();
        posted();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    h = await startGatewayHarness({
      anomaly: FILE_ONLY,
      extraConfig: `anomaly:\n  ip: { failures: 2, window: 1m }\n  webhook: { url: "http://127.0.0.1:${port}/hooks/gatehouse", timeout: 5s }\n`,
    });
  });

  after(async () => {
    await h?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('blocks an address at the file\'s limit (2, not the default 50) and posts to the file\'s webhook', async () => {
    assert.deepEqual(h.gateway.current().config.anomaly.ip, { failures: 2, windowSeconds: 60 });
    const good = await h.billingToken();
    await refusedToken(h);
    assert.equal((await goodRequest(h, good)).status, 200, 'one failure does not block');
    await refusedToken(h);
    const blocked = await goodRequest(h, good);
    assert.equal(blocked.status, 429);
    assert.equal((await h.lineFor(blocked.headers.get('x-request-id') ?? undefined)).reason, 'anomaly_blocked');

    await firstPost;
    assert.equal(posts.length, 1);
    assert.deepEqual({ ...posts[0], blocked_until: typeof posts[0]!.blocked_until }, {
      path: '/hooks/gatehouse', type: 'anomaly.blocked', dimension: 'ip', key: '127.0.0.1', count: 2, window_seconds: 60, blocked_until: 'string',
    });
  });
});

describe('anomaly section on reload', () => {
  let h: GatewayHarness;

  before(async () => {
    h = await startGatewayHarness({ anomaly: FILE_ONLY, extraConfig: 'anomaly:\n  ip: { failures: 4 }\n' });
  });

  after(async () => {
    await h?.close();
  });

  it('takes a new limit at once and keeps the failures counted under the old one', async () => {
    const good = await h.billingToken();
    await refusedToken(h);
    await refusedToken(h);
    await h.writeExtraConfig('anomaly:\n  ip: { failures: 3 }\n');
    assert.equal((await h.gateway.reload()).status, 'swapped');
    assert.equal(h.gateway.current().config.anomaly.ip.failures, 3);
    assert.equal((await goodRequest(h, good)).status, 200, 'two failures so far: under both limits');

    // The third failure reaches the new limit only if the two before the reload still count.
    await refusedToken(h);
    assert.equal((await goodRequest(h, good)).status, 429);
  });
});
