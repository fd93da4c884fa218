/**
 * The policy engine: deny first, then allow, else deny by default; 401 for a request without a
 * credential, 403 for an authenticated one; the deciding rule's id; explain ends in the decision
 * decide makes; everything is compiled once.
 */
import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import { describe, it } from 'node:test';
import { parseConfig, type RouteConfig } from '../../src/config/index.ts';
import { ANONYMOUS, compilePolicy, type Decision, type PolicyIdentity, type PolicyRequest } from '../../src/policy/index.ts';

function routesOf(...lines: string[]): readonly RouteConfig[] {
  return parseConfig(['issuer: https://auth.example.com', 'routes:', ...lines, ''].join('\n'), { env: {} }).config.routes;
}

/** One route with these rule lines (`    allow: ...`, `    deny: ...`). */
function policy(...ruleLines: string[]) {
  const [route] = routesOf('  - id: r', '    match: {}', '    upstream: http://127.0.0.1:1', '    audience: r', ...ruleLines);
  return compilePolicy(route!);
}

function user(identity: Partial<PolicyIdentity> = {}): PolicyIdentity {
  return { authenticated: true, sub: 'alice', roles: [], scopes: [], claims: {}, ...identity };
}

function request(fields: Partial<PolicyRequest> = {}): PolicyRequest {
  return { identity: user(), method: 'GET', path: '/orders/1', ip: '10.1.2.3', headers: {}, now: Date.UTC(2024, 0, 5, 12), ...fields };
}

/** The fields a test compares, in one line. */
function summary(decision: Decision): string {
  return `${decision.effect} ${decision.status} ${decision.reason} ${decision.ruleId ?? '-'} ${decision.matched ?? '-'}`;
}

describe('decisions', () => {
  it('an allow rule that passes allows, naming the first such rule', () => {
    const rules = policy('    allow:', '      - { id: admins, role: admin }', '      - { method: GET }', '      - { authenticated: true }');
    assert.equal(summary(rules.decide(request({ identity: user({ roles: ['admin'] }) }))), 'allow 200 allowed admins allow');
    assert.equal(summary(rules.decide(request())), 'allow 200 allowed allow[1] allow');
    assert.equal(summary(rules.decide(request({ method: 'POST' }))), 'allow 200 allowed allow[2] allow');
  });

  it('a deny that passes wins over every allow: 403 authenticated, 401 anonymous', () => {
    const rules = policy('    allow: [ { authenticated: true }, { authenticated: false } ]', '    deny: [ { method: DELETE }, { id: no-admin-paths, path: /admin/** } ]');
    assert.equal(summary(rules.decide(request({ method: 'DELETE' }))), 'deny 403 denied_by_rule deny[0] deny');
    assert.equal(summary(rules.decide(request({ path: '/admin/users' }))), 'deny 403 denied_by_rule no-admin-paths deny');
    assert.equal(summary(rules.decide(request({ identity: ANONYMOUS, method: 'DELETE' }))), 'deny 401 denied_by_rule deny[0] deny');
    assert.equal(summary(rules.decide(request({ identity: ANONYMOUS }))), 'allow 200 allowed allow[1] allow');
  });

  it('no allow rule passes: deny by default, 403 authenticated, 401 anonymous', () => {
    const rules = policy('    allow: [ { role: admin } ]');
    assert.equal(summary(rules.decide(request({ identity: user({ roles: ['member'] }) }))), 'deny 403 no_allow_rule_matched - -');
    assert.equal(summary(rules.decide(request({ identity: ANONYMOUS }))), 'deny 401 unauthenticated - -');
  });

  it('a route without allow rules refuses everyone', () => {
    const rules = policy();
    assert.equal(summary(rules.decide(request({ identity: user({ roles: ['admin'] }) }))), 'deny 403 no_allow_rule_matched - -');
    assert.equal(summary(rules.decide(request({ identity: ANONYMOUS }))), 'deny 401 unauthenticated - -');
  });

  it('a deny rule that cannot be decided denies; guard it with authenticated: true to scope it', () => {
    const bare = policy('    allow: [ { path: /** } ]', '    deny: [ { role: banned } ]');
    assert.equal(summary(bare.decide(request({ identity: ANONYMOUS }))), 'deny 401 deny_rule_undecided deny[0] deny');
    assert.equal(summary(bare.decide(request({ identity: user({ roles: ['banned'] }) }))), 'deny 403 denied_by_rule deny[0] deny');
    assert.equal(summary(bare.decide(request())), 'allow 200 allowed allow[0] allow');
    const guarded = policy('    allow: [ { path: /** } ]', '    deny: [ { all: [ { authenticated: true }, { role: banned } ] } ]');
    assert.equal(summary(guarded.decide(request({ identity: ANONYMOUS }))), 'allow 200 allowed allow[0] allow');
    const header = policy('    allow: [ { path: /** } ]', '    deny: [ { header: { name: x-debug, equals: "1" } } ]');
    assert.equal(summary(header.decide(request({ headers: { 'x-debug': ['0', '1'] } }))), 'deny 403 deny_rule_undecided deny[0] deny');
    assert.equal(summary(header.decide(request({ headers: { 'x-debug': '0' } }))), 'allow 200 allowed allow[0] allow');
  });

  it('an allow rule that cannot be decided does not allow: no identity, no pass through not', () => {
    const rules = policy('    allow: [ { not: { role: contractor } } ]');
    assert.equal(summary(rules.decide(request({ identity: ANONYMOUS }))), 'deny 401 unauthenticated - -');
    assert.equal(summary(rules.decide(request())), 'allow 200 allowed allow[0] allow');
    assert.equal(summary(rules.decide(request({ identity: user({ roles: ['contractor'] }) }))), 'deny 403 no_allow_rule_matched - -');
  });

  it('authenticated: false admits only anonymous requests; a route for everyone says both', () => {
    const anonymousOnly = policy('    allow: [ { authenticated: false } ]');
    assert.equal(anonymousOnly.decide(request({ identity: ANONYMOUS })).effect, 'allow');
    assert.equal(summary(anonymousOnly.decide(request())), 'deny 403 no_allow_rule_matched - -');
    const everyone = policy('    allow: [ { any: [ { authenticated: true }, { authenticated: false } ] } ]');
    assert.equal(everyone.decide(request({ identity: ANONYMOUS })).effect, 'allow');
    assert.equal(everyone.decide(request()).effect, 'allow');
  });

  it('decisions are shared and frozen: decide allocates none', () => {
    const rules = policy('    allow: [ { role: admin } ]', '    deny: [ { method: DELETE } ]');
    const admin = request({ identity: user({ roles: ['admin'] }) });
    assert.equal(rules.decide(admin), rules.decide({ ...admin, path: '/other' }));
    assert.ok(Object.isFrozen(rules.decide(admin)));
    assert.equal(rules.decide(request({ method: 'DELETE' })), rules.decide(request({ method: 'DELETE', identity: user({ sub: 'bob' }) })));
  });
});

describe('explain', () => {
  it('evaluates every rule in full and ends in the decision decide makes', () => {
    const rules = policy(
      '    allow: [ { role: admin }, { all: [ { scope: orders:read }, { method: GET } ] } ]',
      '    deny: [ { method: DELETE }, { not: { ip: 10.0.0.0/8 } } ]',
    );
    const requests = [
      request({ identity: user({ roles: ['admin'] }), method: 'DELETE' }),
      request({ identity: user({ scopes: ['orders:read'] }) }),
      request({ identity: user({ scopes: ['orders:read'] }), method: 'POST' }),
      request({ identity: ANONYMOUS, ip: '203.0.113.9' }),
      request({ identity: ANONYMOUS }),
    ];
    for (const at of requests) {
      const explanation = rules.explain(at);
      assert.equal(explanation.decision, rules.decide(at));
      assert.equal(explanation.routeId, 'r');
      assert.deepEqual(explanation.deny.map((trace) => trace.id), ['deny[0]', 'deny[1]']);
      assert.deepEqual(explanation.allow.map((trace) => trace.id), ['allow[0]', 'allow[1]']);
    }
    const deleted = rules.explain(requests[0]!);
    assert.deepEqual(
      [...deleted.deny, ...deleted.allow].map((trace) => `${trace.id} ${trace.verdict} ${trace.reason}`),
      ['deny[0] pass method_matched', 'deny[1] fail not_inner_passed', 'allow[0] pass roles_matched', 'allow[1] fail all_some_failed'],
    );
    assert.equal(deleted.deny[1]!.children![0]!.id, 'deny[1].not');
    assert.equal(deleted.deny[1]!.children![0]!.reason, 'ip_in_range');
  });
});

describe('compiled once', () => {
  it('builds the BlockList, the Intl formatter and the globs at compile time, none per request', (t) => {
    const formatter = t.mock.method(Intl, 'DateTimeFormat');
    const addSubnet = t.mock.method(BlockList.prototype, 'addSubnet');
    const [route] = routesOf(
      '  - id: r',
      '    match: {}',
      '    upstream: http://127.0.0.1:1',
      '    audience: r',
      '    allow: [ { all: [ { time: { from: "08:00", to: "18:00", tz: Europe/Paris } }, { path: /orders/** } ] } ]',
      '    deny: [ { not: { ip: [10.0.0.0/8, "2001:db8::/32"] } } ]',
    );
    formatter.mock.resetCalls();
    const rules = compilePolicy(route!);
    assert.equal(formatter.mock.callCount(), 1);
    assert.equal(addSubnet.mock.callCount(), 2);
    const formatToParts = t.mock.method(Intl.DateTimeFormat.prototype, 'formatToParts');
    const noon = Date.UTC(2024, 0, 5, 11);
    for (let second = 0; second < 60; second++) {
      assert.equal(rules.decide(request({ now: noon + second * 1000 })).effect, 'allow');
      assert.equal(rules.explain(request({ now: noon + second * 1000 })).decision.effect, 'allow');
    }
    assert.equal(formatter.mock.callCount(), 1);
    assert.equal(addSubnet.mock.callCount(), 2);
    // The local time is read once per minute, not once per request.
    assert.equal(formatToParts.mock.callCount(), 1);
    rules.decide(request({ now: noon + 60_000 }));
    assert.equal(formatToParts.mock.callCount(), 2);
  });
});

describe('the DESIGN.md routes', () => {
  const routes = routesOf(
    '  - id: orders',
    '    match: { host: api.example.com, path: /orders/**, methods: [GET, POST] }',
    '    upstream: http://127.0.0.1:9001',
    '    audience: orders                  # tokens for this route must carry this aud',
    '    allow:                            # deny by default; any rule that matches allows',
    '      - role: admin',
    '      - all: [ { scope: orders:read }, { method: GET } ]',
    '    deny:                             # a matching deny wins over any allow',
    '      - not: { ip: 10.0.0.0/8 }',
    '  - id: app',
    '    match: { host: app.example.com }',
    '    upstream: http://127.0.0.1:3000',
    '    audience: app',
    '    login: browser                    # unauthenticated page loads go to sign-in',
    '    allow: [ { authenticated: true } ]',
  );
  const orders = compilePolicy(routes[0]!);
  const app = compilePolicy(routes[1]!);
  const admin = user({ sub: 'root', roles: ['admin'] });
  const billing = user({ sub: 'billing-svc', roles: ['billing'], scopes: ['orders:read'] });

  it('orders: admins may do anything, from inside 10.0.0.0/8', () => {
    assert.equal(summary(orders.decide(request({ identity: admin, method: 'POST' }))), 'allow 200 allowed allow[0] allow');
    assert.equal(summary(orders.decide(request({ identity: admin, ip: '::ffff:10.9.8.7' }))), 'allow 200 allowed allow[0] allow');
  });

  it('orders: orders:read may GET, not POST', () => {
    assert.equal(summary(orders.decide(request({ identity: billing, method: 'GET' }))), 'allow 200 allowed allow[1] allow');
    assert.equal(summary(orders.decide(request({ identity: billing, method: 'POST' }))), 'deny 403 no_allow_rule_matched - -');
  });

  it('orders: outside 10.0.0.0/8 the deny rule wins, even for an admin', () => {
    assert.equal(summary(orders.decide(request({ identity: admin, ip: '203.0.113.5' }))), 'deny 403 denied_by_rule deny[0] deny');
    assert.equal(summary(orders.decide(request({ identity: billing, ip: '11.0.0.1' }))), 'deny 403 denied_by_rule deny[0] deny');
    assert.equal(orders.explain(request({ identity: admin, ip: '203.0.113.5' })).deny[0]!.children![0]!.id, 'deny[0].not');
  });

  it('orders: without a credential, 401 from anywhere', () => {
    assert.equal(summary(orders.decide(request({ identity: ANONYMOUS }))), 'deny 401 unauthenticated - -');
    assert.equal(summary(orders.decide(request({ identity: ANONYMOUS, ip: '203.0.113.5' }))), 'deny 401 denied_by_rule deny[0] deny');
  });

  it('app: any authenticated user; without a credential, 401 (the gateway sends it to sign in)', () => {
    assert.equal(summary(app.decide(request({ identity: user({ sub: 'bob' }), path: '/settings', ip: '198.51.100.1' }))), 'allow 200 allowed allow[0] allow');
    assert.equal(summary(app.decide(request({ identity: ANONYMOUS, path: '/' }))), 'deny 401 unauthenticated - -');
  });
});
