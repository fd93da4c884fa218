/**
 * Fail closed: when the revocation lists have not synced with the store for longer than
 * `cluster.failClosedAfter`, the gateway refuses what it would allow on a credential (503,
 * revocations_stale) until a sync succeeds. The store's failure is injected (its revocation reads
 * throw) and the sync age runs on an injected monotonic clock, so no server has to stop.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DecisionLogLine } from '../../src/audit/decision-log.ts';
import { ConfigInvalidError, DEFAULT_CLUSTER, parseConfig } from '../../src/config/index.ts';
import { openGateway, type OpenGateway } from '../../src/gateway/open-gateway.ts';
import { openIssuer, type OpenIssuer } from '../../src/issuer/open-issuer.ts';
import { RevocationState } from '../../src/revocation/revocation-state.ts';
import { openStore, type RevocationRepository } from '../../src/store/index.ts';
import { startUpstream, type TestUpstream } from '../gateway/support/test-upstream.ts';

const GRACE_S = 30;

describe('revocation lists: the age of the last sync', () => {
  it('is Infinity before the first sync, counts from the start of the last successful read, and a failed read does not reset it', async () => {
    const now = { value: 1_000 };
    const state = new RevocationState({ monotonicClock: () => now.value });
    assert.equal(state.sinceSyncMs(), Number.POSITIVE_INFINITY);
    let failing = false;
    const repository = {
      listActive: async () => ({ entries: [], cursor: 0 }),
      changesSince: async (cursor: number) => {
        // The read takes 50 ms: the sync counts from its start, when the data was as of.
        now.value += 50;
        if (failing) throw new Error('store down');
        return { entries: [], cursor };
      },
    } as unknown as RevocationRepository;
    await state.load(repository, Date.now());
    now.value += 10_000;
    assert.equal(state.sinceSyncMs(), 10_000);
    await state.catchUp(repository);
    assert.equal(state.sinceSyncMs(), 50);
    failing = true;
    now.value += 5_000;
    await assert.rejects(state.catchUp(repository), /store down/);
    assert.equal(state.sinceSyncMs(), 5_100);
  });
});

describe('cluster section of the configuration', () => {
  const base = 'issuer: https://auth.example.com\n';
  it('defaults failClosedAfter to 60s', () => {
    assert.deepEqual(parseConfig(base, { env: {} }).config.cluster, DEFAULT_CLUSTER);
    assert.equal(DEFAULT_CLUSTER.failClosedAfterSeconds, 60);
  });
  it('reads a duration of at least 20s, and refuses less or an unknown key with the path', () => {
    assert.equal(parseConfig(`${base}cluster: { failClosedAfter: 2m }\n`, { env: {} }).config.cluster.failClosedAfterSeconds, 120);
    assert.throws(() => parseConfig(`${base}cluster: { failClosedAfter: 10s }\n`, { env: {} }), (error: unknown) => {
      assert.ok(error instanceof ConfigInvalidError);
      assert.match(error.message, /cluster\.failClosedAfter: expected a duration .*at least 20s, found "?10s"?/);
      return true;
    });
    assert.throws(() => parseConfig(`${base}cluster: { failClosedAftr: 1m }\n`, { env: {} }), /cluster\.failClosedAftr: unknown key/);
  });
});

describe('gateway: fail closed on stale revocation lists', () => {
  const monotonic = { value: 0 };
  let failing = false;
  let upstream: TestUpstream;
  let issuer: OpenIssuer;
  let gateway: OpenGateway;
  let gatewayUrl: string;
  let controlUrl: string;
  let token: string;
  const lines: DecisionLogLine[] = [];

  before(async () => {
    upstream = await startUpstream();
    const env = { GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64url') };
    const { config } = parseConfig(`
issuer: http://127.0.0.1:9
listen: { gateway: 127.0.0.1:0, control: 127.0.0.1:0 }
store: "sqlite::memory:"
cluster: { failClosedAfter: ${GRACE_S}s }
routes:
  - id: orders
    match: { path: /orders/** }
    upstream: ${upstream.url}
    audience: orders
    allow: [ { role: billing } ]
  - id: public
    match: { path: /public/** }
    upstream: ${upstream.url}
    audience: orders
    allow: [ { method: GET } ]
`, { env });
    const store = await openStore('sqlite::memory:');
    // The injected fault: every revocation read fails while `failing` is set.
    const changesSince = store.revocations.changesSince.bind(store.revocations);
    store.revocations.changesSince = async (...args) => {
      if (failing) throw new Error('the store is unreachable');
      return changesSince(...args);
    };
    issuer = await openIssuer(config, { env, store, tickMs: 3_600_000, monotonicClock: () => monotonic.value });
    gateway = await openGateway(config, { issuer: issuer.services, processMetrics: false, decisionLogDestination: { write: (line: string) => void lines.push(JSON.parse(line) as DecisionLogLine) } });
    ({ gateway: gatewayUrl, control: controlUrl } = await gateway.listen());
    token = (await issuer.services.mintAccessToken({ subject: 'svc-1', audience: 'orders', clientId: 'billing-svc', scopes: [], roles: ['billing'] })).token;
  });
  after(async () => {
    await gateway?.close();
    const store = issuer?.services.store;
    await issuer?.close();
    await store?.close();
    await upstream?.close();
  });

  async function get(path: string, bearer: string | null = token): Promise<{ status: number; body: string; retryAfter: string | null; line: DecisionLogLine }> {
    const response = await fetch(`${gatewayUrl}${path}`, { headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } });
    const body = await response.text();
    const requestId = response.headers.get('x-request-id');
    let line: DecisionLogLine | undefined;
    for (let i = 0; i < 100 && line === undefined; i++) {
      line = lines.find((candidate) => candidate.request_id === requestId);
      if (line === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { status: response.status, body, retryAfter: response.headers.get('retry-after'), line: line! };
  }

  it('allows while the last sync is within the grace', async () => {
    monotonic.value = (GRACE_S - 1) * 1000;
    assert.equal((await get('/orders/1')).status, 200);
  });

  it('past the grace: 503 with a generic body, the precise reason in the decision line', async () => {
    failing = true;
    await issuer.tick(); // fails: the lists stay as old as they were
    monotonic.value = (GRACE_S + 1) * 1000;
    const refused = await get('/orders/1');
    assert.equal(refused.status, 503);
    assert.deepEqual(JSON.parse(refused.body), { error: 'temporarily_unavailable' });
    assert.equal(refused.retryAfter, '5');
    assert.equal(refused.line.reason, 'revocations_stale');
    assert.equal(refused.line.decision, 'deny');
    assert.equal(refused.line.sub, 'svc-1');
    assert.equal(upstream.requests.filter((request) => request.url === '/orders/1').length, 1, 'the refused request never reached the upstream');
    // A load balancer should stop sending traffic here, and an operator sees why.
    assert.equal((await fetch(`${controlUrl}/readyz`)).status, 503);
    assert.match(await (await fetch(`${controlUrl}/metrics`)).text(), new RegExp(`^gatehouse_revocation_sync_age_seconds ${GRACE_S + 1}(\\.\\d+)?$`, 'm'));
  });

  it('meanwhile a refused token is still 401, and a request policy admits without a credential still passes', async () => {
    assert.equal((await get('/orders/1', 'not-a-token')).status, 401);
    const anonymous = await get('/public/page', null);
    assert.equal(anonymous.status, 200, JSON.stringify(anonymous));
  });

  it('a successful sync opens again at once', async () => {
    failing = false;
    await issuer.tick();
    const allowed = await get('/orders/1');
    assert.equal(allowed.status, 200);
    assert.equal(allowed.line.reason, null);
    assert.equal((await fetch(`${controlUrl}/readyz`)).status, 200);
  });
});
