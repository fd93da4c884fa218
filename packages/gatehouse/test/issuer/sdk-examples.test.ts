/**
 * The verify SDK's examples (examples/*.ts), run end to end against a real issuer: the plain
 * node:http orders service verifying access tokens, and the fastify billing service behind the
 * gateway verifying assertions and calling the orders service with a client-credentials token.
 * And docs/verify-sdk.md against the example files, so the page cannot drift from code that runs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createClientCredentialsSource } from '@gatehouse/verify';
import type { FastifyInstance } from 'fastify';
import { createBillingService } from '../../../../examples/service-behind-gateway-fastify.ts';
import { createOrdersService } from '../../../../examples/service-plain-node.ts';
import { createUpstreamAssertionMinter, type AssertedIdentity } from '../../src/gateway/assertion/mint-upstream-assertion.ts';
import { startIssuer, TEST_SECRETS, type IssuerHarness } from '../support/issuer-harness.ts';

const REPO = new URL('../../../../', import.meta.url);

let issuer: IssuerHarness;
let orders: Server;
let ordersUrl: string;
const ordersLog: Record<string, unknown>[] = [];
let billing: FastifyInstance;
let billingUrl: string;
const billingLog: Record<string, unknown>[] = [];

before(async () => {
  issuer = await startIssuer();
  orders = createOrdersService({ issuer: issuer.url, audience: 'orders', log: (entry) => ordersLog.push(entry) });
  await new Promise<void>((resolve) => orders.listen(0, '127.0.0.1', resolve));
  ordersUrl = `http://127.0.0.1:${(orders.address() as AddressInfo).port}`;
  billing = createBillingService({
    issuer: issuer.url,
    audience: 'billing',
    clientId: 'billing-svc',
    clientSecret: TEST_SECRETS.billing,
    ordersUrl,
    logger: { level: 'info', stream: { write: (line: string) => void billingLog.push(JSON.parse(line) as Record<string, unknown>) } },
  });
  billingUrl = await billing.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await billing?.close();
  if (orders?.listening) {
    orders.closeAllConnections();
    await new Promise((resolve) => orders.close(resolve));
  }
  await issuer?.close();
});

/** A service token from the issuer, as the billing service gets its own. */
async function serviceToken(scope = 'orders:read'): Promise<string> {
  const source = createClientCredentialsSource({ tokenEndpoint: issuer.services.urls.token, clientId: 'billing-svc', clientSecret: TEST_SECRETS.billing, resource: 'orders', scope });
  try {
    return await source.token();
  } finally {
    await source.close();
  }
}

async function assertion(identity: AssertedIdentity = { sub: 'alice', client_id: 'web', roles: ['finance'], jti: 'at-1' }, audience = 'billing'): Promise<string> {
  const mint = createUpstreamAssertionMinter({ issuer: issuer.url, keys: issuer.services.keys });
  return (await mint({ identity, audience, routeId: 'billing' })).token;
}

function lastReason(log: Record<string, unknown>[]): unknown {
  return log.at(-1)?.reason;
}

describe('examples/service-plain-node.ts', () => {
  const getOrders = (headers: Record<string, string> = {}) => fetch(`${ordersUrl}/orders`, { headers });

  it('answers a caller with a valid access token', async () => {
    const response = await getOrders({ authorization: `Bearer ${await serviceToken()}` });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { caller: { sub: string; client_id: string }; orders: unknown[] };
    assert.deepEqual(body.caller, { sub: 'billing-svc', client_id: 'billing-svc' });
    assert.equal(body.orders.length, 2);
  });

  it('no credentials: 401 with a bare Bearer challenge (RFC 6750 §3.1), token_missing logged', async () => {
    const response = await getOrders();
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="orders"');
    assert.equal(lastReason(ordersLog), 'token_missing');
  });

  it('every refused token gets the same generic answer; the reason goes to the log only', async () => {
    const wrongAudience = (await issuer.services.mintAccessToken({ subject: 'alice', audience: 'app', clientId: 'web', scopes: ['orders:read'] })).token;
    const cases: [string, string][] = [
      ['Bearer not-a-jwt', 'malformed_token'],
      [`Bearer ${wrongAudience}`, 'wrong_audience'],
      [`Bearer ${await assertion({ sub: 'alice' }, 'orders')}`, 'wrong_typ'],
      [`Bearer ${(await serviceToken()).slice(0, -4)}AAAA`, 'bad_signature'],
    ];
    const answers = new Set<string>();
    for (const [authorization, reason] of cases) {
      const response = await getOrders({ authorization });
      assert.equal(response.status, 401, reason);
      const text = await response.text();
      answers.add(JSON.stringify([response.headers.get('www-authenticate'), text]));
      assert.equal(lastReason(ordersLog), reason);
    }
    assert.deepEqual([...answers], [JSON.stringify(['Bearer realm="orders", error="invalid_token"', ''])]);
  });

  it('a valid token without orders:read: 403 insufficient_scope', async () => {
    const response = await getOrders({ authorization: `Bearer ${await serviceToken('orders:write')}` });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="orders", error="insufficient_scope", scope="orders:read"');
  });
});

describe('examples/service-behind-gateway-fastify.ts', () => {
  const getInvoices = (headers: Record<string, string> = {}) => fetch(`${billingUrl}/invoices`, { headers });
  const refusals = () => billingLog.filter((line) => line.msg === 'gateway assertion refused');

  it('trusts the identity the gateway asserted and calls the orders service with its own token', async () => {
    const response = await getInvoices({ 'x-gatehouse-assertion': await assertion() });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      for: { sub: 'alice', roles: ['finance'], route: 'billing' },
      ordersFetchedAs: { sub: 'billing-svc', client_id: 'billing-svc' },
      invoices: [{ order: 'o-1001', amount: 42.5 }, { order: 'o-1002', amount: 17 }],
    });
  });

  it('without the assertion, or with headers a client could forge, the request is refused', async () => {
    const before = refusals().length;
    const forgeable: Record<string, string>[] = [{}, { 'x-gatehouse-sub': 'admin' }, { authorization: `Bearer ${await serviceToken()}` }];
    for (const headers of forgeable) {
      const response = await getInvoices(headers);
      assert.equal(response.status, 401);
      assert.deepEqual(await response.json(), { error: 'unauthorized' });
    }
    assert.deepEqual(refusals().slice(before).map((line) => line.reason), ['token_missing', 'token_missing', 'token_missing']);
  });

  it('an access token is not an assertion, nor is an assertion for another audience', async () => {
    const before = refusals().length;
    for (const value of [await serviceToken(), await assertion(undefined, 'orders')]) {
      const response = await getInvoices({ 'x-gatehouse-assertion': value });
      assert.equal(response.status, 401);
    }
    assert.deepEqual(refusals().slice(before).map((line) => line.reason), ['wrong_typ', 'wrong_audience']);
  });

  it('an unknown path is refused like any other request without an assertion', async () => {
    const response = await fetch(`${billingUrl}/nothing-here`);
    assert.equal(response.status, 401);
  });
});

describe('docs/verify-sdk.md shows the examples as they are', () => {
  const doc = readFileSync(new URL('docs/verify-sdk.md', REPO), 'utf8');
  // A marker line, then a ```ts block: `example` means the whole file, `excerpt` a contiguous part of it.
  const MARKED = /^<!-- (example|excerpt): (examples\/[\w.-]+\.ts) -->\n```ts\n([\s\S]*?)^```$/gm;
  const blocks = [...doc.matchAll(MARKED)].map((m) => ({ kind: m[1]!, file: m[2]!, code: m[3]! }));

  it('shows each example file in full', () => {
    assert.deepEqual(blocks.filter((b) => b.kind === 'example').map((b) => b.file).sort(), ['examples/service-behind-gateway-fastify.ts', 'examples/service-plain-node.ts']);
  });

  for (const [index, block] of blocks.entries()) {
    it(`block ${index + 1}, ${block.kind} of ${block.file}, matches the file`, () => {
      const file = readFileSync(new URL(block.file, REPO), 'utf8');
      if (block.kind === 'example') assert.equal(block.code, file);
      else assert.ok(file.includes(block.code), `the excerpt is not a contiguous part of ${block.file}:\n${block.code}`);
    });
  }

  it('every marker is followed by a ts block (none is silently skipped)', () => {
    const markers = doc.match(/^<!-- (example|excerpt): .* -->$/gm) ?? [];
    assert.equal(markers.length, blocks.length);
  });
});
