/**
 * The gateway's Prometheus metrics: what moves when, that /metrics is valid text exposition, and
 * that label values stay within bounded sets (no paths, subjects or IPs; unknown reasons → other).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import { REASON_CODES, type JwksEvent } from '@gatehouse/verify';
import { createGatewayMetrics, type GatewayMetricsOptions } from '../../src/metrics/gateway-metrics.ts';

const T0 = Date.UTC(2030, 0, 1, 12);

function metrics(options: GatewayMetricsOptions = {}) {
  return createGatewayMetrics({ defaultMetrics: false, clock: () => T0, ...options });
}

/** The samples of the exposition: `name{labels}` → value. */
async function samples(gateway: ReturnType<typeof createGatewayMetrics>): Promise<Map<string, number>> {
  const { body } = await gateway.render();
  const map = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    map.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return map;
}

// Values as Go's strconv.ParseFloat reads them (the exposition format's rule): NaN in any case (prom-client writes "Nan").
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*")*\})? (?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[Nn][Aa][Nn]|[-+]Inf)(?: -?\d+)?$/;
const HELP = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$/;
const TYPE = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/;

function jwks(type: JwksEvent['type'], url = 'https://idp.example.com/jwks.json'): JwksEvent {
  if (type === 'jwks.fetched') return { type, url, keyCount: 2, skipped: [] };
  if (type === 'jwks.fetch_failed') return { type, url, code: 'jwks_fetch_failed', message: 'timeout' };
  if (type === 'jwks.refresh_throttled') return { type, url, kid: 'unknown' };
  return { type, url, fetchedAt: 0 };
}

describe('gateway metrics', () => {
  it('counts decisions by route, result and reason', async () => {
    const gateway = metrics({ reasons: ['policy_denied'] });
    gateway.recordDecision({ route: 'orders', decision: 'allow', reason: null });
    gateway.recordDecision({ route: 'orders', decision: 'allow' });
    gateway.recordDecision({ route: 'orders', decision: 'deny', reason: 'token_expired' });
    gateway.recordDecision({ route: 'orders', decision: 'deny', reason: 'policy_denied' });
    gateway.recordDecision({ route: null, decision: 'deny', reason: 'policy_denied' });
    const s = await samples(gateway);
    assert.equal(s.get('gatehouse_decisions_total{route="orders",result="allow",reason="none"}'), 2);
    assert.equal(s.get('gatehouse_decisions_total{route="orders",result="deny",reason="token_expired"}'), 1);
    assert.equal(s.get('gatehouse_decisions_total{route="orders",result="deny",reason="policy_denied"}'), 1);
    assert.equal(s.get('gatehouse_decisions_total{route="none",result="deny",reason="policy_denied"}'), 1);
  });

  it('observes token verification in µs..ms buckets', async () => {
    const gateway = metrics();
    gateway.observeTokenVerify(0.000001); // a cache hit
    gateway.observeTokenVerify(0.00007); // an ES256 verify
    gateway.observeTokenVerify(0.02); // beyond the last bucket
    gateway.observeTokenVerify(Number.NaN); // ignored
    const s = await samples(gateway);
    assert.equal(s.get('gatehouse_token_verify_seconds_bucket{le="0.00001"}'), 1);
    assert.equal(s.get('gatehouse_token_verify_seconds_bucket{le="0.00005"}'), 1);
    assert.equal(s.get('gatehouse_token_verify_seconds_bucket{le="0.0001"}'), 2);
    assert.equal(s.get('gatehouse_token_verify_seconds_bucket{le="0.01"}'), 2);
    assert.equal(s.get('gatehouse_token_verify_seconds_bucket{le="+Inf"}'), 3);
    assert.equal(s.get('gatehouse_token_verify_seconds_count'), 3);
    assert.ok(Math.abs(s.get('gatehouse_token_verify_seconds_sum')! - 0.020071) < 1e-12);
  });

  it('observes upstream exchanges by route and status class (error when no response came)', async () => {
    const gateway = metrics();
    gateway.observeUpstream('orders', 200, 0.004);
    gateway.observeUpstream('orders', 204, 0.004);
    gateway.observeUpstream('orders', 503, 0.2);
    gateway.observeUpstream('orders', undefined, 5);
    gateway.observeUpstream('orders', null, 5);
    gateway.observeUpstream('orders', 42, 5);
    const s = await samples(gateway);
    assert.equal(s.get('gatehouse_upstream_request_seconds_count{route="orders",status_class="2xx"}'), 2);
    assert.equal(s.get('gatehouse_upstream_request_seconds_bucket{le="0.005",route="orders",status_class="2xx"}'), 2);
    assert.equal(s.get('gatehouse_upstream_request_seconds_count{route="orders",status_class="5xx"}'), 1);
    assert.equal(s.get('gatehouse_upstream_request_seconds_count{route="orders",status_class="error"}'), 3);
  });

  it('counts JWKS events by issuer and result, fed by a remote key source\'s onEvent', async () => {
    const gateway = metrics();
    for (const type of ['jwks.fetched', 'jwks.fetched', 'jwks.fetch_failed', 'jwks.refresh_throttled', 'jwks.expired'] as const) {
      gateway.recordJwksEvent(jwks(type), 'https://idp.example.com');
    }
    gateway.recordJwksEvent(jwks('jwks.fetched', 'https://other.example.com/jwks'));
    gateway.recordJwksEvent({ type: 'jwks.unheard_of', url: 'x' } as unknown as JwksEvent, 'https://idp.example.com');
    const s = await samples(gateway);
    assert.equal(s.get('gatehouse_jwks_fetches_total{issuer="https://idp.example.com",result="fetched"}'), 2);
    assert.equal(s.get('gatehouse_jwks_fetches_total{issuer="https://idp.example.com",result="failed"}'), 1);
    assert.equal(s.get('gatehouse_jwks_fetches_total{issuer="https://idp.example.com",result="throttled"}'), 1);
    assert.equal(s.get('gatehouse_jwks_fetches_total{issuer="https://idp.example.com",result="expired"}'), 1);
    assert.equal(s.get('gatehouse_jwks_fetches_total{issuer="https://other.example.com/jwks",result="fetched"}'), 1);
    assert.equal([...s.keys()].filter((key) => key.startsWith('gatehouse_jwks_fetches_total')).length, 5);
  });

  it('reads the signing key\'s age on each scrape (NaN when no key signs)', async () => {
    let activatedAt: number | undefined = T0 - 3_600_000;
    const gateway = metrics({ signingKeyActivatedAt: () => activatedAt });
    assert.equal((await samples(gateway)).get('gatehouse_signing_key_age_seconds'), 3600);
    activatedAt = T0 - 1500;
    assert.equal((await samples(gateway)).get('gatehouse_signing_key_age_seconds'), 1.5);
    activatedAt = undefined;
    assert.ok(Number.isNaN((await samples(gateway)).get('gatehouse_signing_key_age_seconds')));
  });

  it('registers Node default metrics on its own registry, prefixed, and nothing on the global one', async () => {
    const before = await globalRegistry.metrics();
    const gateway = createGatewayMetrics();
    const { body, contentType } = await gateway.render();
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    assert.match(body, /^gatehouse_process_cpu_user_seconds_total \d/m);
    assert.match(body, /^gatehouse_nodejs_heap_size_used_bytes \d/m);
    assert.equal(await globalRegistry.metrics(), before);
    assert.ok(!before.includes('gatehouse_'));
    // A second gateway (tests, several parts in one process) does not collide with the first.
    assert.doesNotThrow(() => createGatewayMetrics());
  });

  it('renders valid Prometheus text exposition: every line a HELP, a TYPE or a well-formed sample of a declared metric', async () => {
    const gateway = createGatewayMetrics({ clock: () => T0, signingKeyActivatedAt: () => T0 - 1000 });
    gateway.recordDecision({ route: 'orders', decision: 'deny', reason: 'wrong_audience' });
    gateway.recordDecision({ route: 'app "quoted" \\ route', decision: 'allow' });
    gateway.observeTokenVerify(0.00003);
    gateway.observeUpstream('orders', 200, 0.01);
    gateway.recordJwksEvent(jwks('jwks.fetched'), 'https://idp.example.com');
    const { body } = await gateway.render();
    const typed = new Map<string, string>();
    let sampleCount = 0;
    for (const line of body.split('\n')) {
      if (line === '') continue;
      const type = TYPE.exec(line);
      if (type !== null) {
        typed.set(type[1]!, type[2]!);
        continue;
      }
      if (HELP.test(line)) continue;
      const sample = SAMPLE.exec(line);
      assert.ok(sample !== null, `not a sample line: ${JSON.stringify(line)}`);
      const name = sample[1]!;
      const family = typed.has(name) ? name : name.replace(/_(bucket|sum|count|total|created)$/, '');
      assert.ok(typed.has(family) || typed.has(name), `sample of an undeclared metric: ${name}`);
      sampleCount++;
    }
    assert.ok(sampleCount > 50, `only ${sampleCount} samples`);
    for (const [name, type] of [
      ['gatehouse_decisions_total', 'counter'],
      ['gatehouse_token_verify_seconds', 'histogram'],
      ['gatehouse_upstream_request_seconds', 'histogram'],
      ['gatehouse_jwks_fetches_total', 'counter'],
      ['gatehouse_signing_key_age_seconds', 'gauge'],
    ]) {
      assert.equal(typed.get(name!), type, name);
    }
  });
});

describe('label cardinality stays bounded', () => {
  it('maps every reason outside the registries to other; known codes keep their name', async () => {
    const gateway = metrics({ reasons: ['policy_denied'] });
    for (let i = 0; i < 500; i++) gateway.recordDecision({ route: 'orders', decision: 'deny', reason: `/etc/passwd?${i}` });
    gateway.recordDecision({ route: 'orders', decision: 'deny', reason: '__proto__' });
    gateway.recordDecision({ route: 'orders', decision: 'deny', reason: 'constructor' });
    for (const code of REASON_CODES) gateway.recordDecision({ route: 'orders', decision: 'deny', reason: code });
    const s = await samples(gateway);
    const reasons = [...s.keys()].filter((key) => key.startsWith('gatehouse_decisions_total')).map((key) => /reason="([^"]*)"/.exec(key)![1]);
    assert.deepEqual(reasons.sort(), [...REASON_CODES, 'other'].sort());
    assert.equal(s.get('gatehouse_decisions_total{route="orders",result="deny",reason="other"}'), 502);
    assert.equal(s.get('gatehouse_decisions_total{route="orders",result="deny",reason="token_revoked"}'), 1);
  });

  it('caps distinct route and issuer values (beyond maxRoutes: other), and a result outside allow/deny is other', async () => {
    const gateway = metrics({ maxRoutes: 3 });
    for (let i = 0; i < 100; i++) {
      gateway.recordDecision({ route: `route-${i}`, decision: 'allow' });
      gateway.observeUpstream(`route-${i}`, 200, 0.01);
      gateway.recordJwksEvent(jwks('jwks.fetched'), `https://idp-${i}.example.com`);
    }
    gateway.recordDecision({ route: 'route-0', decision: 'maybe' as 'allow' });
    const s = await samples(gateway);
    const decisionRoutes = new Set([...s.keys()].filter((key) => key.startsWith('gatehouse_decisions_total')).map((key) => /route="([^"]*)"/.exec(key)![1]));
    assert.deepEqual([...decisionRoutes].sort(), ['other', 'route-0', 'route-1', 'route-2']);
    assert.equal(s.get('gatehouse_decisions_total{route="other",result="allow",reason="none"}'), 97);
    assert.equal(s.get('gatehouse_decisions_total{route="route-0",result="other",reason="none"}'), 1);
    assert.equal(s.get('gatehouse_upstream_request_seconds_count{route="other",status_class="2xx"}'), 97);
    assert.equal([...s.keys()].filter((key) => key.startsWith('gatehouse_jwks_fetches_total')).length, 4);
  });

  it('has no label that could carry a path, a subject or an IP', () => {
    const gateway = metrics();
    const labels = new Set<string>();
    for (const metric of gateway.registry.getMetricsAsArray()) {
      for (const name of (metric as unknown as { labelNames?: string[] }).labelNames ?? []) labels.add(name);
    }
    assert.deepEqual([...labels].sort(), ['issuer', 'reason', 'result', 'route', 'status_class']);
  });

  it('validates maxRoutes when built', () => {
    for (const maxRoutes of [0, -1, 1.5, Number.NaN]) assert.throws(() => metrics({ maxRoutes }), TypeError);
  });
});
