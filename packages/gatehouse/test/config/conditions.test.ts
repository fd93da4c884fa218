import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition } from '../../src/config/index.ts';
import { issuesOf, onlyIssue, parse, where, withRoute } from './config-test-helpers.ts';

/** The first allow rule of a route whose allow list is the one condition given in flow style. */
function allowRule(condition: string): Condition {
  return parse(withRoute(`    allow: [ ${condition} ]`)).config.routes[0]!.allow[0]!;
}

/** The issue of a route whose allow list holds the one condition given; its text starts at column 14. */
function allowIssue(condition: string) {
  return onlyIssue(withRoute(`    allow: [ ${condition} ]`));
}

describe('conditions', () => {
  it('each kind normalizes to a typed condition', () => {
    const cases: [string, Condition][] = [
      ['{ authenticated: true }', { id: 'allow[0]', kind: 'authenticated', authenticated: true }],
      ['{ sub: alice }', { id: 'allow[0]', kind: 'sub', subjects: ['alice'] }],
      ['{ sub: [alice, bob] }', { id: 'allow[0]', kind: 'sub', subjects: ['alice', 'bob'] }],
      ['{ role: admin }', { id: 'allow[0]', kind: 'roles', match: 'any', roles: ['admin'] }],
      ['{ roles: [admin, ops] }', { id: 'allow[0]', kind: 'roles', match: 'any', roles: ['admin', 'ops'] }],
      ['{ roles: { all: [admin, ops] } }', { id: 'allow[0]', kind: 'roles', match: 'all', roles: ['admin', 'ops'] }],
      ['{ role: { any: [admin] } }', { id: 'allow[0]', kind: 'roles', match: 'any', roles: ['admin'] }],
      ['{ scope: [orders:read, orders:write] }', { id: 'allow[0]', kind: 'scope', scopes: ['orders:read', 'orders:write'] }],
      ['{ claim: { name: realm_access.roles, in: [a, 1, true] } }', { id: 'allow[0]', kind: 'claim', claim: ['realm_access', 'roles'], test: { op: 'in', values: ['a', 1, true] } }],
      ['{ claim: { name: [https://example.com/tenant], equals: acme } }', { id: 'allow[0]', kind: 'claim', claim: ['https://example.com/tenant'], test: { op: 'equals', value: 'acme' } }],
      ['{ claim: { name: email, prefix: "admin@" } }', { id: 'allow[0]', kind: 'claim', claim: ['email'], test: { op: 'prefix', value: 'admin@' } }],
      ['{ method: [GET, HEAD] }', { id: 'allow[0]', kind: 'method', methods: ['GET', 'HEAD'] }],
      ['{ path: [/a/*, /b/**] }', { id: 'allow[0]', kind: 'path', paths: ['/a/*', '/b/**'] }],
      ['{ ip: [192.168.0.0/16, "2001:DB8:0:0::/32", 127.0.0.1] }', {
        id: 'allow[0]',
        kind: 'ip',
        ranges: [
          { family: 'ipv4', address: '192.168.0.0', prefixLength: 16 },
          { family: 'ipv6', address: '2001:db8::', prefixLength: 32 },
          { family: 'ipv4', address: '127.0.0.1', prefixLength: 32 },
        ],
      }],
      ['{ header: { name: X-Tenant, equals: acme } }', { id: 'allow[0]', kind: 'header', name: 'x-tenant', test: { op: 'equals', value: 'acme' } }],
      ['{ header: { name: x-debug, present: true } }', { id: 'allow[0]', kind: 'header', name: 'x-debug', test: { op: 'present' } }],
      ['{ time: { days: [mon, fri], from: "08:00", to: "18:30", tz: Europe/Paris } }', { id: 'allow[0]', kind: 'time', days: ['mon', 'fri'], fromMinute: 480, toMinute: 1110, timeZone: 'Europe/Paris' }],
      ['{ time: { from: "22:00", to: "24:00" } }', { id: 'allow[0]', kind: 'time', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], fromMinute: 1320, toMinute: 1440, timeZone: 'UTC' }],
      ['{ any: [ { sub: a }, { not: { role: b } } ] }', {
        id: 'allow[0]',
        kind: 'any',
        conditions: [
          { id: 'allow[0].any[0]', kind: 'sub', subjects: ['a'] },
          { id: 'allow[0].any[1]', kind: 'not', condition: { id: 'allow[0].any[1].not', kind: 'roles', match: 'any', roles: ['b'] } },
        ],
      }],
    ];
    for (const [text, expected] of cases) assert.deepEqual(allowRule(text), expected, text);
  });

  it('an explicit id names the rule in the audit log; rules without one are named by place', () => {
    const { config } = parse(withRoute(
      '    allow:',
      '      - { id: admins, role: admin }',
      '      - all: [ { id: readers, scope: orders:read }, { method: GET } ]',
      '    deny:',
      '      - { ip: 10.0.0.0/8 }',
    ));
    const route = config.routes[0]!;
    assert.equal(route.allow[0]!.id, 'admins');
    assert.equal(route.allow[1]!.id, 'allow[1]');
    assert.deepEqual((route.allow[1] as Extract<Condition, { kind: 'all' }>).conditions.map((condition) => condition.id), ['readers', 'allow[1].all[1]']);
    assert.equal(route.deny[0]!.id, 'deny[0]');
  });

  it('a condition has exactly one condition key', () => {
    const two = allowIssue('{ role: admin, scope: orders:read }');
    assert.deepEqual(where(two), { kind: 'invalid_value', line: 7, column: 14, path: 'routes[0].allow[0]' });
    assert.equal(two.found, 'role and scope');
    assert.equal(two.hint, 'combine conditions with all: [...] or any: [...]');
    assert.equal(allowIssue('{ id: lonely }').found, 'none');
    assert.equal(allowIssue('admin').found, '"admin"');
  });

  it('all and any need at least one condition; not takes one condition', () => {
    assert.deepEqual(where(allowIssue('{ all: [] }')), { kind: 'invalid_value', line: 7, column: 21, path: 'routes[0].allow[0].all' });
    assert.deepEqual(where(allowIssue('{ not: [ { role: a } ] }')), { kind: 'invalid_value', line: 7, column: 21, path: 'routes[0].allow[0].not' });
  });

  it('nesting is bounded', () => {
    const deep = '{ not: '.repeat(8) + '{ role: a }' + ' }'.repeat(8);
    const issue = allowIssue(deep);
    assert.equal(issue.path, `routes[0].allow[0]${'.not'.repeat(8)}`);
    assert.equal(issue.expected, 'conditions nested at most 8 deep');
    assert.doesNotThrow(() => allowRule('{ not: '.repeat(7) + '{ role: a }' + ' }'.repeat(7)));
  });

  it('roles in a mapping need exactly one of any and all', () => {
    assert.equal(allowIssue('{ roles: { any: [a], all: [b] } }').expected, 'exactly one of any, all');
    assert.equal(allowIssue('{ roles: { every: [a] } }').hint, undefined);
  });

  it('claim needs a name and exactly one test', () => {
    const issues = issuesOf(withRoute('    allow: [ { claim: { equals: x, prefix: y } } ]'));
    assert.deepEqual(issues.map((issue) => [issue.kind, issue.path]), [
      ['missing_key', 'routes[0].allow[0].claim.name'],
      ['invalid_value', 'routes[0].allow[0].claim'],
    ]);
    assert.equal(allowIssue('{ claim: { name: "a..b", equals: 1 } }').path, 'routes[0].allow[0].claim.name');
    assert.equal(allowIssue('{ claim: { name: a, in: [] } }').path, 'routes[0].allow[0].claim.in');
  });

  it('header conditions check the name and refuse present: false', () => {
    assert.equal(allowIssue('{ header: { name: "bad header", present: true } }').path, 'routes[0].allow[0].header.name');
    assert.match(allowIssue('{ header: { name: x-a, present: false } }').expected, /not: \{ header/);
  });

  it('methods are uppercase HTTP methods, with a suggestion', () => {
    const issue = allowIssue('{ method: [GET, post] }');
    assert.deepEqual(where(issue), { kind: 'invalid_value', line: 7, column: 30, path: 'routes[0].allow[0].method[1]' });
    assert.equal(issue.hint, 'did you mean "POST"?');
    assert.equal(allowIssue('{ method: TRACE }').path, 'routes[0].allow[0].method');
  });

  describe('ip ranges', () => {
    it('refuses bad addresses, bad prefixes and host bits, with the range it probably meant', () => {
      const bad: [string, string | undefined][] = [
        ['10.0.0.300/8', '"10.0.0.300" is not an IP address'],
        ['10.0.0.0/33', 'an IPv4 prefix length is at most 32'],
        ['10.0.0.0/', 'the prefix length must be a number from 0 to 32'],
        ['10.0.0.0/08', 'the prefix length must be a number from 0 to 32'],
        ['010.0.0.0/8', '"010.0.0.0" is not an IP address'],
        ['10.0.0.5/8', 'did you mean 10.0.0.0/8?'],
        ['2001:db8::1/32', 'did you mean 2001:db8::/32?'],
        ['2001:db8:::1', '"2001:db8:::1" is not an IP address'],
        ['fe80::1%eth0', '"fe80::1%eth0" is not an IP address'],
        ['::1/129', 'an IPv6 prefix length is at most 128'],
        ['example.com', '"example.com" is not an IP address'],
      ];
      for (const [range, hint] of bad) {
        const issue = allowIssue(`{ ip: "${range}" }`);
        assert.deepEqual(where(issue), { kind: 'invalid_value', line: 7, column: 20, path: 'routes[0].allow[0].ip' }, range);
        assert.equal(issue.hint, hint, range);
      }
    });

    it('accepts IPv4, IPv6 (compressed, full, with an embedded IPv4 tail) and canonicalizes', () => {
      const ranges = (allowRule('{ ip: ["0.0.0.0/0", "::/0", "::ffff:192.0.2.1", "2001:0db8:0000:0000:0001:0000:0000:0001/128", "1:0:0:1::/64"] }') as Extract<Condition, { kind: 'ip' }>).ranges;
      assert.deepEqual(ranges.map((range) => `${range.address}/${range.prefixLength}`), ['0.0.0.0/0', '::/0', '::ffff:c000:201/128', '2001:db8::1:0:0:1/128', '1:0:0:1::/64']);
    });
  });

  describe('path globs', () => {
    it('refuses globs that could never match or that would match ambiguously', () => {
      const bad: [string, string][] = [
        ['orders/**', 'it must start with /'],
        ['/orders*', '"orders*": * and ** must be a whole segment'],
        ['/a/**/b/**', 'at most one ** per pattern'],
        ['/a//b', 'empty segments (//) never match a normalized path'],
        ['/a/../b', '. and .. segments never match a normalized path'],
        ['/a%2Fb', 'write the path decoded, without %-escapes'],
        ['/a?b=1', '"a?b=1" has characters that are not allowed in a path (? and # start the query and fragment)'],
      ];
      for (const [glob, hint] of bad) {
        const issue = allowIssue(`{ path: "${glob}" }`);
        assert.deepEqual(where(issue), { kind: 'invalid_value', line: 7, column: 22, path: 'routes[0].allow[0].path' }, glob);
        assert.equal(issue.hint, hint, glob);
      }
    });

    it('the route match path is checked the same way', () => {
      const issue = onlyIssue(withRoute().replace('/orders/**', '/orders/**/x/**'));
      assert.deepEqual(where(issue), { kind: 'invalid_value', line: 4, column: 20, path: 'routes[0].match.path' });
    });

    it('accepts /, trailing slashes, * and ** segments', () => {
      const paths = (allowRule('{ path: [/, /a/, /a/*/b, /**, "/v1/users/*/keys/**"] }') as Extract<Condition, { kind: 'path' }>).paths;
      assert.deepEqual(paths, ['/', '/a/', '/a/*/b', '/**', '/v1/users/*/keys/**']);
    });
  });

  describe('time windows', () => {
    it('an unknown time zone is refused, with the closest known one', () => {
      const issue = allowIssue('{ time: { from: "09:00", to: "17:00", tz: Europe/Pariss } }');
      assert.deepEqual(where(issue), { kind: 'invalid_value', line: 7, column: 56, path: 'routes[0].allow[0].time.tz' });
      assert.equal(issue.hint, 'did you mean "Europe/Paris"?');
      assert.equal(allowIssue('{ time: { from: "09:00", to: "17:00", tz: Mars/Olympus } }').hint, undefined);
    });

    it('refuses bad times, unknown or repeated days and empty windows', () => {
      const issues = issuesOf(withRoute('    allow: [ { time: { days: [mon, mon, funday], from: "9:00", to: "24:01" } } ]'));
      assert.deepEqual(issues.map((issue) => [issue.kind, issue.path]), [
        ['duplicate', 'routes[0].allow[0].time.days[1]'],
        ['invalid_value', 'routes[0].allow[0].time.days[2]'],
        ['invalid_value', 'routes[0].allow[0].time.from'],
        ['invalid_value', 'routes[0].allow[0].time.to'],
      ]);
      assert.equal(allowIssue('{ time: { from: "24:00", to: "08:00" } }').path, 'routes[0].allow[0].time.from');
      const empty = allowIssue('{ time: { from: "08:00", to: "08:00" } }');
      assert.deepEqual([empty.kind, empty.path], ['conflict', 'routes[0].allow[0].time.to']);
    });

    it('time zones are normalized as Intl resolves them', () => {
      assert.equal((allowRule('{ time: { from: "00:00", to: "06:00", tz: utc } }') as Extract<Condition, { kind: 'time' }>).timeZone, 'UTC');
    });
  });
});
