/**
 * `gatehouse policy test`: the gateway's decision for one request at a route — anonymous or with a
 * token verified as the gateway verifies it — every rule with its verdict and reason, then the
 * decision; exit 0 allow, 1 deny. Exact texts: people and scripts read them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAccessTokenMinter } from '../../src/tokens/mint-access-token.ts';
import { runGatehouse } from './support/run.ts';
import { ISSUER, openTokenFixture, type TokenFixture } from './support/token-fixture.ts';

let fixture: TokenFixture;
before(async () => {
  fixture = await openTokenFixture();
});
after(async () => {
  await fixture.close();
});

const gatehouse = (...argv: string[]) => fixture.gatehouse(argv);

async function mint(...flags: string[]): Promise<string> {
  const run = await gatehouse('token', 'mint', '--sub', 'alice', ...flags);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout.trim();
}

describe('gatehouse policy test', () => {
  it('decides an anonymous request without --token (exit 0 allow, 1 deny)', async () => {
    assert.deepEqual(await gatehouse('policy', 'test', '--route', 'status'), {
      code: 0,
      stderr: '',
      stdout: [
        'identity: anonymous (no --token)',
        'policy of route status: GET /status from 127.0.0.1',
        '  deny (no rules)',
        '  allow',
        '    PASS    allow[0]  method_matched: method GET; the condition needs one of GET',
        'verdict: allow (rule allow[0])',
        '',
      ].join('\n'),
    });
    assert.deepEqual(await gatehouse('policy', 'test', '--route', 'orders'), {
      code: 1,
      stderr: '',
      stdout: [
        'identity: anonymous (no --token)',
        'policy of route orders: GET /orders from 127.0.0.1',
        '  deny',
        '    FAIL    blocked-net  ip_out_of_range: client address 127.0.0.1 is outside 192.0.2.0/24',
        '  allow',
        '    UNKNOWN allow[0]  unauthenticated: the request carries no identity',
        '    UNKNOWN allow[1]  all_undecided: allow[1].all[0] unknown',
        '      UNKNOWN allow[1].all[0]  unauthenticated: the request carries no identity',
        '      PASS    allow[1].all[1]  method_matched: method GET; the condition needs one of GET',
        'verdict: 401 unauthenticated (unauthenticated)',
        '',
      ].join('\n'),
    });
  });

  it('decides with the identity of a verified token', async () => {
    const token = await mint('--aud', 'orders', '--scope', 'orders:read', '--roles', 'ops');
    const get = await gatehouse('policy', 'test', '--route', 'orders', '--token', token, '--path', '/orders/42');
    assert.equal(get.code, 0, get.stderr);
    assert.deepEqual(get.stdout.split('\n'), [
      `identity: "alice" (this gatehouse), roles ["ops"], scopes ["orders:read"]`,
      'policy of route orders: GET /orders/42 from 127.0.0.1',
      '  deny',
      '    FAIL    blocked-net  ip_out_of_range: client address 127.0.0.1 is outside 192.0.2.0/24',
      '  allow',
      '    FAIL    allow[0]  roles_missing: roles [ops]; the condition needs any of admin',
      '    PASS    allow[1]  all_passed: all 2 passed',
      '      PASS    allow[1].all[0]  scopes_granted: the token grants orders:read',
      '      PASS    allow[1].all[1]  method_matched: method GET; the condition needs one of GET',
      'verdict: allow (rule allow[1])',
      '',
    ]);
    const post = await gatehouse('policy', 'test', '--route', 'orders', '--token', token, '--method', 'POST');
    assert.equal(post.code, 1);
    assert.match(post.stdout, /\nverdict: 403 insufficient_scope \(no_allow_rule_matched\)\n$/);
    const blocked = await gatehouse('policy', 'test', '--route', 'orders', '--token', token, '--ip', '192.0.2.200');
    assert.equal(blocked.code, 1);
    assert.match(blocked.stdout, /\n {4}PASS {4}blocked-net {2}ip_in_range: client address 192\.0\.2\.200 is in 192\.0\.2\.0\/24\n[^]*\nverdict: 403 insufficient_scope \(denied_by_rule, rule blocked-net\)\n$/);
  });

  it('takes request headers with --header (repeated fields are joined, as node:http does)', async () => {
    const token = await mint('--aud', 'app');
    const tenant = await gatehouse('policy', 'test', '--route', 'app', '--token', token, '--header', 'X-Tenant: acme');
    assert.equal(tenant.code, 0, tenant.stdout);
    assert.match(tenant.stdout, /\n {6}PASS {4}allow\[0\]\.all\[0\] {2}header_matched: x-tenant passes; the condition needs it equal to "acme"\n/);
    const none = await gatehouse('policy', 'test', '--route', 'app', '--token', token);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /header_missing: x-tenant is absent[^]*\nverdict: 403 insufficient_scope \(no_allow_rule_matched\)\n$/);
    const twice = await gatehouse('policy', 'test', '--route', 'app', '--token', token, '--header', 'x-tenant: acme', '--header', 'X-Tenant:acme');
    assert.equal(twice.code, 1);
    assert.match(twice.stdout, /header_mismatched: x-tenant is present and fails/);
  });

  it('a refused token is a 401 before policy runs (exit 1)', async () => {
    const minter = createAccessTokenMinter({ issuer: ISSUER, keys: fixture.issuer.services.keys, clock: () => Date.now() - 2 * 3_600_000 });
    const expired = (await minter({ subject: 'alice', audience: 'orders', clientId: 'web' })).token;
    const run = await gatehouse('policy', 'test', '--route', 'orders', '--token', expired);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^token: refused: token_expired: expired at \d+; now \d+, leeway 30s\npolicy of route orders: not evaluated \(the gateway refuses the token before policy runs\)\nverdict: 401 invalid_token \(token_expired\)\n$/);
    assert.deepEqual(await gatehouse('policy', 'test', '--route', 'orders', '--token', 'abc'), {
      code: 1,
      stderr: '',
      stdout: 'token: refused: malformed_token: a compact JWS has exactly three parts\npolicy of route orders: not evaluated (the gateway refuses the token before policy runs)\nverdict: 401 invalid_token (malformed_token)\n',
    });
  });

  it('--json, and `--token -` reads the token from stdin', async () => {
    const token = await mint('--aud', 'orders', '--roles', 'admin');
    const run = await fixture.gatehouse(['policy', 'test', '--route', 'orders', '--token', '-', '--method', 'DELETE', '--path', '/orders/1', '--header', 'X-Trace: secret-value', '--json'], { stdin: `${token}\n` });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^note: route orders does not serve DELETE \/orders\/1 \(its methods are GET, POST\): the gateway would answer 404; its policy is shown anyway\n$/);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual(result.identity, { authenticated: true, sub: 'alice', roles: ['admin'], scopes: [] });
    assert.deepEqual(result.token, { valid: true, issuer: ISSUER });
    assert.deepEqual(result.verdict, { decision: 'allow', status: 200, error: null, reason: 'allowed', rule: 'allow[0]' });
    const policy = result.policy as { request: unknown; decision: { ruleId: string }; allow: { id: string; verdict: string }[] };
    assert.deepEqual(policy.request, { method: 'DELETE', path: '/orders/1', ip: '127.0.0.1', headers: ['x-trace'] });
    assert.deepEqual(policy.allow.map((rule) => [rule.id, rule.verdict]), [['allow[0]', 'pass'], ['allow[1]', 'fail']]);
    assert.ok(!run.stdout.includes('secret-value'), 'header values are never echoed');
  });

  it('says what to do on bad input (exit 2) and a missing configuration (exit 3)', async () => {
    const usage = (stderr: string) => ({ code: 2, stdout: '', stderr });
    assert.deepEqual(await gatehouse('policy', 'test'), usage('gatehouse: policy test needs --route ID\n  → routes: orders, app, status\n'));
    assert.deepEqual(await gatehouse('policy', 'test', '--route', 'billing'), usage(`gatehouse: no route "billing" in ${fixture.configPath}\n  → routes: orders, app, status\n`));
    assert.deepEqual(await gatehouse('policy', 'test', '--route', 'orders', '--method', 'TRACE'), usage('gatehouse: --method TRACE is not a method a route can name\n  → one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (methods are case-sensitive)\n'));
    assert.deepEqual(await gatehouse('policy', 'test', '--route', 'orders', '--path', '/orders/../admin'), usage('gatehouse: --path "/orders/../admin" is a path the gateway refuses (bad_path)\n  → start it with / and leave out dot segments, empty segments, encoded slashes and `;`\n'));
    assert.deepEqual(await gatehouse('policy', 'test', '--route', 'orders', '--ip', '10.0.0'), usage('gatehouse: --ip "10.0.0" is not an IP address\n  → pass the client address as the gateway would see it, like 203.0.113.7 or 2001:db8::1\n'));
    assert.deepEqual(await gatehouse('policy', 'test', '--route', 'orders', '--header', 'no colon'), usage('gatehouse: --header "no colon" is not \'Name: value\'\n  → for example --header \'X-Tenant: acme\'\n'));
    assert.deepEqual(await gatehouse('policy', 'test', '--route', 'orders', '--tokn', 'x'), usage('gatehouse: unknown flag --tokn\n  → see `gatehouse policy test --help`\n'));
    assert.deepEqual(await gatehouse('policy', 'test', 'orders'), usage('gatehouse: unexpected argument "orders"\n  → usage: gatehouse policy test --route ID [--token TOKEN] [--method GET] [--path /x] [--ip 127.0.0.1] [--header \'NAME: VALUE\'] [--json]\n'));
    const missing = join(fixture.dir, 'absent.yaml');
    assert.deepEqual(await runGatehouse(['policy', 'test', '--route', 'orders', '--config', missing], { env: fixture.env }), {
      code: 3,
      stdout: '',
      stderr: `gatehouse: cannot read the configuration file ${missing}: no such file (ENOENT)\n  → create one with \`gatehouse init\`, or pass --config FILE\n`,
    });
  });

  it('has a --help', async () => {
    const help = await runGatehouse(['policy', 'test', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: gatehouse policy test --route ID \[--token TOKEN\]/m);
    assert.match(help.stdout, /--header 'NAME: VALUE' {2}a request header \(repeatable\)/);
    for (const command of [['token', 'mint'], ['token', 'verify'], ['token', 'explain']]) {
      const run = await runGatehouse([...command, '--help']);
      assert.equal(run.code, 0);
      assert.match(run.stdout, new RegExp(`^Usage: gatehouse ${command.join(' ')} `, 'm'));
    }
  });
});
