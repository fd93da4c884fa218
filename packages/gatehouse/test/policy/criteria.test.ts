/**
 * Every criterion and combinator, pass and fail, with the reason it gives. Conditions are written
 * as in gatehouse.yaml and go through parseConfig, so the tests see exactly what the loader makes.
 * Each case also checks that evaluate (the hot path) and explain (the debugging tools) agree.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig, type Condition } from '../../src/config/index.ts';
import { ANONYMOUS, compileCondition, type ConditionReason, type ConditionTrace, type PolicyIdentity, type PolicyRequest, type Verdict } from '../../src/policy/index.ts';

/** The first allow rule of a route whose allow list is this one condition, in flow style. */
function condition(text: string): Condition {
  const yaml = ['issuer: https://auth.example.com', 'routes:', '  - id: r', '    match: {}', '    upstream: http://127.0.0.1:1', '    audience: r', `    allow: [ ${text} ]`, ''];
  return parseConfig(yaml.join('\n'), { env: {} }).config.routes[0]!.allow[0]!;
}

const FRIDAY_NOON_UTC = Date.UTC(2024, 0, 5, 12, 0);

function user(identity: Partial<PolicyIdentity> = {}): PolicyIdentity {
  return { authenticated: true, sub: 'alice', roles: [], scopes: [], claims: {}, ...identity };
}

function request(fields: Partial<PolicyRequest> = {}): PolicyRequest {
  return { identity: user(), method: 'GET', path: '/', ip: '192.0.2.1', headers: {}, now: FRIDAY_NOON_UTC, ...fields };
}

function explained(text: string, at: PolicyRequest): ConditionTrace {
  const compiled = compileCondition(condition(text));
  const trace = compiled.explain(at);
  assert.equal(compiled.evaluate(at), trace.verdict, `evaluate and explain agree: ${text}`);
  assert.equal(trace.id, 'allow[0]');
  assert.ok(trace.detail.length > 0);
  return trace;
}

type Case = readonly [condition: string, request: PolicyRequest, verdict: Verdict, reason: ConditionReason];

function check(cases: readonly Case[]): void {
  for (const [text, at, verdict, reason] of cases) {
    const trace = explained(text, at);
    assert.deepEqual([trace.verdict, trace.reason], [verdict, reason], `${text} with ${JSON.stringify({ ...at, now: new Date(at.now).toISOString() })}`);
  }
}

const anonymous = request({ identity: ANONYMOUS });

describe('criteria', () => {
  it('authenticated: true needs a credential, false needs none', () => {
    check([
      ['{ authenticated: true }', request(), 'pass', 'authentication_matched'],
      ['{ authenticated: true }', anonymous, 'fail', 'authentication_mismatched'],
      ['{ authenticated: false }', anonymous, 'pass', 'authentication_matched'],
      ['{ authenticated: false }', request(), 'fail', 'authentication_mismatched'],
    ]);
  });

  it('sub: one of the listed subjects, exactly; unknown without an identity', () => {
    check([
      ['{ sub: [alice, bob] }', request(), 'pass', 'sub_matched'],
      ['{ sub: [alice, bob] }', request({ identity: user({ sub: 'carol' }) }), 'fail', 'sub_not_listed'],
      ['{ sub: alice }', request({ identity: user({ sub: 'Alice' }) }), 'fail', 'sub_not_listed'],
      ['{ sub: alice }', request({ identity: user({ sub: undefined }) }), 'fail', 'sub_not_listed'],
      ['{ sub: alice }', anonymous, 'unknown', 'unauthenticated'],
      ['{ sub: alice }', request({ identity: { ...ANONYMOUS, sub: 'alice' } }), 'unknown', 'unauthenticated'],
    ]);
  });

  it('roles: any one by default, every one with all', () => {
    const opsAndBilling = request({ identity: user({ roles: ['ops', 'billing'] }) });
    check([
      ['{ role: admin }', request({ identity: user({ roles: ['admin'] }) }), 'pass', 'roles_matched'],
      ['{ role: admin }', opsAndBilling, 'fail', 'roles_missing'],
      ['{ roles: [admin, ops] }', opsAndBilling, 'pass', 'roles_matched'],
      ['{ roles: { any: [admin, ops] } }', opsAndBilling, 'pass', 'roles_matched'],
      ['{ roles: { all: [ops, billing] } }', opsAndBilling, 'pass', 'roles_matched'],
      ['{ roles: { all: [ops, admin] } }', opsAndBilling, 'fail', 'roles_missing'],
      ['{ role: admin }', anonymous, 'unknown', 'unauthenticated'],
    ]);
  });

  it('scope: every listed scope is required', () => {
    check([
      ['{ scope: orders:read }', request({ identity: user({ scopes: ['openid', 'orders:read'] }) }), 'pass', 'scopes_granted'],
      ['{ scope: [orders:read, orders:write] }', request({ identity: user({ scopes: ['orders:read', 'orders:write'] }) }), 'pass', 'scopes_granted'],
      ['{ scope: [orders:read, orders:write] }', request({ identity: user({ scopes: ['orders:read'] }) }), 'fail', 'scopes_missing'],
      ['{ scope: orders:read }', request({ identity: user({ scopes: ['orders:readonly'] }) }), 'fail', 'scopes_missing'],
      ['{ scope: orders:read }', anonymous, 'unknown', 'unauthenticated'],
    ]);
  });

  it('claim: equals, in and prefix along a path of own properties; array claims match by element', () => {
    const claims = (value: Record<string, unknown>) => request({ identity: user({ claims: value }) });
    check([
      ['{ claim: { name: tenant, equals: acme } }', claims({ tenant: 'acme' }), 'pass', 'claim_matched'],
      ['{ claim: { name: tenant, equals: acme } }', claims({ tenant: 'ACME' }), 'fail', 'claim_mismatched'],
      ['{ claim: { name: tenant, equals: acme } }', claims({}), 'fail', 'claim_missing'],
      ['{ claim: { name: level, equals: 3 } }', claims({ level: 3 }), 'pass', 'claim_matched'],
      ['{ claim: { name: level, equals: 3 } }', claims({ level: '3' }), 'fail', 'claim_mismatched'],
      ['{ claim: { name: verified, equals: true } }', claims({ verified: true }), 'pass', 'claim_matched'],
      ['{ claim: { name: realm_access.roles, in: [ops, admin] } }', claims({ realm_access: { roles: ['viewer', 'admin'] } }), 'pass', 'claim_matched'],
      ['{ claim: { name: realm_access.roles, in: [ops, admin] } }', claims({ realm_access: { roles: ['viewer'] } }), 'fail', 'claim_mismatched'],
      ['{ claim: { name: realm_access.roles, in: [ops, admin] } }', claims({ realm_access: {} }), 'fail', 'claim_missing'],
      ['{ claim: { name: realm_access.roles, in: [ops, admin] } }', claims({ realm_access: 'admin' }), 'fail', 'claim_missing'],
      ['{ claim: { name: realm_access.roles, in: [ops, admin] } }', claims({ realm_access: null }), 'fail', 'claim_missing'],
      ['{ claim: { name: groups.0, equals: admin } }', claims({ groups: ['admin'] }), 'fail', 'claim_missing'],
      ['{ claim: { name: [https://example.com/tenant], equals: acme } }', claims({ 'https://example.com/tenant': 'acme' }), 'pass', 'claim_matched'],
      ['{ claim: { name: email, prefix: "admin@" } }', claims({ email: 'admin@example.com' }), 'pass', 'claim_matched'],
      ['{ claim: { name: email, prefix: "admin@" } }', claims({ email: 'bob@example.com' }), 'fail', 'claim_mismatched'],
      ['{ claim: { name: email, prefix: "4" } }', claims({ email: 42 }), 'fail', 'claim_mismatched'],
      ['{ claim: { name: tenant, equals: acme } }', anonymous, 'unknown', 'unauthenticated'],
    ]);
  });

  it('claim: never reads the prototype chain', () => {
    check([
      ['{ claim: { name: constructor.name, equals: Object } }', request(), 'fail', 'claim_missing'],
      ['{ claim: { name: toString, prefix: "f" } }', request(), 'fail', 'claim_missing'],
    ]);
    const polluted = Object.prototype as Record<string, unknown>;
    polluted['tenant'] = 'acme';
    try {
      check([['{ claim: { name: tenant, equals: acme } }', request(), 'fail', 'claim_missing']]);
    } finally {
      delete polluted['tenant'];
    }
    // A claim really named __proto__ (JSON.parse makes it an own property) is an ordinary claim.
    const claims = JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>;
    check([['{ claim: { name: __proto__.admin, equals: true } }', request({ identity: user({ claims }) }), 'pass', 'claim_matched']]);
  });

  it('method: exactly one of the listed methods', () => {
    check([
      ['{ method: [GET, HEAD] }', request({ method: 'HEAD' }), 'pass', 'method_matched'],
      ['{ method: GET }', request({ method: 'HEAD' }), 'fail', 'method_not_listed'],
      ['{ method: GET }', request({ method: 'get' }), 'fail', 'method_not_listed'],
      ['{ method: POST }', anonymous, 'fail', 'method_not_listed'],
    ]);
  });

  it('path: any of the globs, on the normalized path (glob semantics: test/gateway/routing.test.ts)', () => {
    check([
      ['{ path: [/a/*, /b/**] }', request({ path: '/a/1' }), 'pass', 'path_matched'],
      ['{ path: [/a/*, /b/**] }', request({ path: '/b' }), 'pass', 'path_matched'],
      ['{ path: [/a/*, /b/**] }', request({ path: '/a/1/2' }), 'fail', 'path_not_matched'],
      ['{ path: /admin/** }', request({ path: '/Admin' }), 'fail', 'path_not_matched'],
    ]);
  });

  it('ip: CIDR ranges, IPv4-mapped IPv6 compared as IPv4 both ways, unknown when not an address', () => {
    const from = (ip: string) => request({ ip });
    const ranges = '{ ip: [10.0.0.0/8, "2001:db8::/32", 192.0.2.7] }';
    check([
      [ranges, from('10.1.2.3'), 'pass', 'ip_in_range'],
      [ranges, from('11.0.0.1'), 'fail', 'ip_out_of_range'],
      [ranges, from('::ffff:10.1.2.3'), 'pass', 'ip_in_range'],
      [ranges, from('::ffff:a01:203'), 'pass', 'ip_in_range'],
      [ranges, from('::FFFF:10.1.2.3'), 'pass', 'ip_in_range'],
      [ranges, from('::ffff:11.0.0.1'), 'fail', 'ip_out_of_range'],
      [ranges, from('2001:db8::5'), 'pass', 'ip_in_range'],
      [ranges, from('2001:db9::5'), 'fail', 'ip_out_of_range'],
      [ranges, from('192.0.2.7'), 'pass', 'ip_in_range'],
      [ranges, from('192.0.2.8'), 'fail', 'ip_out_of_range'],
      [ranges, from('::10.1.2.3'), 'fail', 'ip_out_of_range'],
      ['{ ip: "::ffff:10.0.0.0/104" }', from('10.200.0.1'), 'pass', 'ip_in_range'],
      ['{ ip: "::ffff:10.0.0.0/104" }', from('11.0.0.1'), 'fail', 'ip_out_of_range'],
      [ranges, from(''), 'unknown', 'ip_invalid'],
      [ranges, from('localhost'), 'unknown', 'ip_invalid'],
      [ranges, from('010.1.2.3'), 'unknown', 'ip_invalid'],
    ]);
  });

  it('header: equals, prefix and present; several fields are ambiguous; never the prototype chain', () => {
    const headers = (value: PolicyRequest['headers']) => request({ headers: value });
    const tenant = '{ header: { name: X-Tenant, equals: acme } }';
    check([
      [tenant, headers({ 'x-tenant': 'acme' }), 'pass', 'header_matched'],
      [tenant, headers({ 'x-tenant': 'Acme' }), 'fail', 'header_mismatched'],
      [tenant, headers({ 'x-tenant': 'acme, evil' }), 'fail', 'header_mismatched'],
      [tenant, headers({}), 'fail', 'header_missing'],
      [tenant, headers({ 'x-tenant': undefined }), 'fail', 'header_missing'],
      [tenant, headers({ 'x-tenant': ['acme'] }), 'pass', 'header_matched'],
      [tenant, headers({ 'x-tenant': ['acme', 'evil'] }), 'unknown', 'header_ambiguous'],
      [tenant, headers({ 'x-tenant': [] }), 'fail', 'header_missing'],
      ['{ header: { name: user-agent, prefix: "curl/" } }', headers({ 'user-agent': 'curl/8.5.0' }), 'pass', 'header_matched'],
      ['{ header: { name: user-agent, prefix: "curl/" } }', headers({ 'user-agent': 'Mozilla/5.0 curl/' }), 'fail', 'header_mismatched'],
      ['{ header: { name: x-debug, present: true } }', headers({ 'x-debug': '' }), 'pass', 'header_matched'],
      ['{ header: { name: x-debug, present: true } }', headers({ 'x-debug': ['1', '2'] }), 'pass', 'header_matched'],
      ['{ header: { name: x-debug, present: true } }', headers({}), 'fail', 'header_missing'],
      ['{ header: { name: toString, present: true } }', headers({}), 'fail', 'header_missing'],
      ['{ header: { name: constructor, present: true } }', headers({}), 'fail', 'header_missing'],
    ]);
  });

  it('header: the detail never shows the value', () => {
    const trace = explained('{ header: { name: authorization, prefix: "Bearer " } }', request({ headers: { authorization: 'Basic c2VjcmV0OnNlY3JldA==' } }));
    assert.equal(trace.reason, 'header_mismatched');
    assert.ok(!trace.detail.includes('c2VjcmV0'));
  });

  it('time: local time in [from, to) on the listed days, in the zone given', () => {
    const at = (iso: string) => request({ now: Date.parse(iso) });
    const office = '{ time: { days: [mon, fri], from: "08:00", to: "18:30", tz: Europe/Paris } }';
    const fridayNight = '{ time: { days: [fri], from: "22:00", to: "06:00" } }';
    const lateEvening = '{ time: { from: "22:00", to: "24:00" } }';
    const newYorkDay = '{ time: { from: "09:00", to: "17:00", tz: America/New_York } }';
    check([
      // 2024-01-05 is a Friday; Paris is UTC+1 in January.
      [office, at('2024-01-05T07:30:00Z'), 'pass', 'time_in_window'],
      [office, at('2024-01-05T06:59:00Z'), 'fail', 'time_outside_window'],
      [office, at('2024-01-05T17:29:59Z'), 'pass', 'time_in_window'],
      [office, at('2024-01-05T17:30:00Z'), 'fail', 'time_outside_window'],
      [office, at('2024-01-04T10:00:00Z'), 'fail', 'time_outside_window'],
      [office, at('2024-01-08T10:00:00Z'), 'pass', 'time_in_window'],
      // Past midnight: the window belongs to the day it starts.
      [fridayNight, at('2024-01-05T23:00:00Z'), 'pass', 'time_in_window'],
      [fridayNight, at('2024-01-06T05:59:00Z'), 'pass', 'time_in_window'],
      [fridayNight, at('2024-01-06T06:00:00Z'), 'fail', 'time_outside_window'],
      [fridayNight, at('2024-01-05T05:00:00Z'), 'fail', 'time_outside_window'],
      [fridayNight, at('2024-01-06T22:30:00Z'), 'fail', 'time_outside_window'],
      [fridayNight, at('2024-01-05T21:59:00Z'), 'fail', 'time_outside_window'],
      [lateEvening, at('2024-01-05T23:59:59Z'), 'pass', 'time_in_window'],
      [lateEvening, at('2024-01-06T00:00:00Z'), 'fail', 'time_outside_window'],
      // The local weekday, not the UTC one: Friday 15:30 UTC is Saturday 00:30 in Tokyo.
      ['{ time: { days: [sat], from: "00:00", to: "01:00", tz: Asia/Tokyo } }', at('2024-01-05T15:30:00Z'), 'pass', 'time_in_window'],
      ['{ time: { days: [fri], from: "00:00", to: "01:00", tz: Asia/Tokyo } }', at('2024-01-05T15:30:00Z'), 'fail', 'time_outside_window'],
      // Wall-clock time follows DST: 13:30 UTC is 08:30 EST in January, 09:30 EDT after 10 March.
      [newYorkDay, at('2024-01-08T13:30:00Z'), 'fail', 'time_outside_window'],
      [newYorkDay, at('2024-03-11T13:30:00Z'), 'pass', 'time_in_window'],
    ]);
  });

  it('time: one compiled condition answers right as the clock moves (its per-minute memo follows)', () => {
    const compiled = compileCondition(condition('{ time: { from: "09:00", to: "17:00" } }'));
    const at = (iso: string) => compiled.evaluate(request({ now: Date.parse(iso) }));
    assert.deepEqual(
      ['2024-01-05T10:00:00Z', '2024-01-05T10:00:30Z', '2024-01-05T16:59:59Z', '2024-01-05T17:00:00Z', '2024-01-05T10:00:00Z', '2024-01-05T08:59:59Z'].map(at),
      ['pass', 'pass', 'pass', 'fail', 'pass', 'fail'],
    );
  });
});

describe('combinators: three-valued, so an unknown never turns into a pass', () => {
  const admin = (method: string) => request({ identity: user({ roles: ['admin'] }), method });
  const member = (method: string) => request({ identity: user({ roles: ['member'] }), method });
  const nobody = (method: string) => request({ identity: ANONYMOUS, method });

  it('all: every member passes; a failure decides; otherwise unknown stays unknown', () => {
    const rule = '{ all: [ { role: admin }, { method: GET } ] }';
    check([
      [rule, admin('GET'), 'pass', 'all_passed'],
      [rule, admin('POST'), 'fail', 'all_some_failed'],
      [rule, member('GET'), 'fail', 'all_some_failed'],
      [rule, nobody('POST'), 'fail', 'all_some_failed'],
      [rule, nobody('GET'), 'unknown', 'all_undecided'],
    ]);
  });

  it('any: a member passes; a pass decides; otherwise unknown stays unknown', () => {
    const rule = '{ any: [ { role: admin }, { method: GET } ] }';
    check([
      [rule, admin('POST'), 'pass', 'any_passed'],
      [rule, member('GET'), 'pass', 'any_passed'],
      [rule, nobody('GET'), 'pass', 'any_passed'],
      [rule, member('POST'), 'fail', 'any_none_passed'],
      [rule, nobody('POST'), 'unknown', 'any_undecided'],
    ]);
  });

  it('not: negates a pass or a fail, and keeps an unknown', () => {
    check([
      ['{ not: { role: admin } }', member('GET'), 'pass', 'not_inner_failed'],
      ['{ not: { role: admin } }', admin('GET'), 'fail', 'not_inner_passed'],
      ['{ not: { role: admin } }', nobody('GET'), 'unknown', 'not_undecided'],
      ['{ not: { authenticated: true } }', nobody('GET'), 'pass', 'not_inner_failed'],
      ['{ not: { not: { method: GET } } }', nobody('GET'), 'pass', 'not_inner_failed'],
    ]);
  });

  it('nest, and the trace names every member by its id', () => {
    const rule = '{ any: [ { all: [ { id: readers, scope: orders:read }, { method: GET } ] }, { not: { ip: 10.0.0.0/8 } } ] }';
    const trace = explained(rule, request({ identity: user({ scopes: ['orders:read'] }), method: 'POST', ip: '10.0.0.1' }));
    assert.deepEqual([trace.verdict, trace.reason], ['fail', 'any_none_passed']);
    const flatten = (node: ConditionTrace): [string, Verdict][] => [[node.id, node.verdict], ...(node.children ?? []).flatMap(flatten)];
    assert.deepEqual(flatten(trace), [
      ['allow[0]', 'fail'],
      ['allow[0].any[0]', 'fail'],
      ['readers', 'pass'],
      ['allow[0].any[0].all[1]', 'fail'],
      ['allow[0].any[1]', 'fail'],
      ['allow[0].any[1].not', 'pass'],
    ]);
  });
});
