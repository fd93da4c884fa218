/**
 * `gatehouse token mint | verify | explain` against a real configuration, store and key: tokens
 * minted by the CLI, tokens no minter would sign (wrong typ, alg none, a stranger's kid, ...),
 * revocations made behind the CLI's back. Exact texts for bad input: people and scripts read them.
 * And the promise of `token explain`: over a corpus of good and bad tokens, its checks name the
 * same reason as the gateway's verifier (`token verify`), and its verdict is that verifier's.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { createAccessTokenMinter } from '../../src/tokens/mint-access-token.ts';
import { runGatehouse } from './support/run.ts';
import { IDP, ISSUER, openTokenFixture, type TokenFixture } from './support/token-fixture.ts';

let fixture: TokenFixture;
before(async () => {
  fixture = await openTokenFixture();
});
after(async () => {
  await fixture.close();
});

const gatehouse = (...argv: string[]) => fixture.gatehouse(argv);
const claimsOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
const headerOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** A compact token with any header and payload and a signature that is never checked (the parser refuses first). */
const compact = (header: unknown, payload: unknown) => `${b64(header)}.${b64(payload)}.c2lnbmF0dXJl`;
const now = () => Math.floor(Date.now() / 1000);
/** One character of the signature changed, in the middle: still canonical base64url, no longer the signature. */
function tamperSignature(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return `${header}.${payload}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
}

async function mint(...flags: string[]): Promise<{ token: string; kid: string; exp: number; jti: string }> {
  const run = await gatehouse('token', 'mint', '--sub', 'alice', '--aud', 'orders', ...flags, '--json');
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as { token: string; kid: string; exp: number; jti: string };
}

/** An access token of ours that expired an hour ago: minted on a clock two hours behind. */
async function expiredToken(): Promise<string> {
  const minter = createAccessTokenMinter({ issuer: ISSUER, keys: fixture.issuer.services.keys, clock: () => Date.now() - 2 * 3_600_000 });
  return (await minter({ subject: 'alice', audience: 'orders', clientId: 'web', ttlSeconds: 3600 })).token;
}

/** `[status, check]` of every check line of `token explain`. */
function checkStatuses(stdout: string): string[] {
  return stdout.split('\n').filter((line) => /^ {2}(PASS|FAIL|SKIP) /.test(line)).map((line) => line.trim().split(/ +/).slice(0, 2).join(' '));
}

const ALL_PASS = ['form', 'header', 'payload', 'issuer', 'kid', 'alg', 'signature', 'typ', 'claims', 'audience', 'time', 'revocation', 'trusted-for'].map((check) => `PASS ${check}`);

describe('gatehouse token mint', () => {
  it('prints the token alone on stdout and its kid and expiry on stderr', async () => {
    const run = await gatehouse('token', 'mint', '--sub', 'alice', '--aud', 'orders', '--roles', 'admin,ops', '--roles', 'admin', '--scope', 'orders:read  orders:write', '--ttl', '2m');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const token = run.stdout.trim();
    const claims = claimsOf(token);
    assert.match(run.stderr, new RegExp(`^minted for alice \\(aud orders\\), kid ${headerOf(token).kid as string}, expires \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(in (2m|1m59s)\\)\\n$`));
    assert.deepEqual(headerOf(token), { alg: 'ES256', kid: fixture.issuer.services.keys.signingKey().kid, typ: 'at+jwt' });
    assert.deepEqual({ ...claims, exp: undefined, iat: undefined, jti: undefined }, {
      iss: ISSUER, sub: 'alice', aud: 'orders', client_id: 'gatehouse-cli', scope: 'orders:read orders:write', roles: ['admin', 'ops'], exp: undefined, iat: undefined, jti: undefined,
    });
    assert.equal((claims.exp as number) - (claims.iat as number), 120);
    assert.equal((await gatehouse('token', 'verify', token, '--route', 'orders')).code, 0);
  });

  it('--json prints token, kid, exp and jti; --client-id and the configured default lifetime', async () => {
    const minted = await mint('--client-id', 'billing-svc');
    assert.deepEqual(Object.keys(minted).sort(), ['exp', 'jti', 'kid', 'token']);
    const claims = claimsOf(minted.token);
    assert.equal(claims.client_id, 'billing-svc');
    assert.equal(claims.jti, minted.jti);
    assert.equal(claims.exp, minted.exp);
    assert.equal(minted.exp - (claims.iat as number), 300);
  });

  it('refuses bad flags with what to write instead (exit 2)', async () => {
    const usage = (stderr: string) => ({ code: 2, stdout: '', stderr });
    assert.deepEqual(await gatehouse('token', 'mint', '--aud', 'orders'), usage('gatehouse: token mint needs --sub\n  → for example: gatehouse token mint --sub alice --aud orders\n'));
    assert.deepEqual(await gatehouse('token', 'mint', '--sub', 'alice'), usage('gatehouse: token mint needs --aud\n  → for example: gatehouse token mint --sub alice --aud orders\n'));
    assert.deepEqual(await gatehouse('token', 'mint', '--sub', 'alice', '--aud', 'orders', '--ttl', '5x'), usage('gatehouse: --ttl "5x" is not a duration\n  → write a duration like 30s, 5m, 12h, 7d or 1h30m\n'));
    assert.deepEqual(await gatehouse('token', 'mint', '--sub', 'alice', '--aud', 'orders', '--ttl', '2h'), usage('gatehouse: --ttl 2h is out of range\n  → an access token lives from 1s to 1h (the hard cap)\n'));
    assert.deepEqual(await gatehouse('token', 'mint', '--sub', 'alice', '--aud', 'orders', '--scope', 'a "b"'), usage('gatehouse: --scope: "\\"b\\"" is not a scope\n  → scopes are printable ASCII without `"` or `\\`, separated by spaces\n'));
    assert.deepEqual(await gatehouse('token', 'mint', '--subject', 'alice'), usage('gatehouse: unknown flag --subject\n  → see `gatehouse token mint --help`\n'));
    assert.deepEqual(await gatehouse('token', 'mint', '--sub', 'alice', '--aud', 'orders', 'extra'), usage('gatehouse: unexpected argument "extra"\n  → usage: gatehouse token mint --sub SUB --aud AUD [--roles ROLE,…] [--scope "S1 S2"] [--client-id ID] [--ttl 5m] [--json]\n'));
  });

  it('says when no route takes the audience', async () => {
    const run = await gatehouse('token', 'mint', '--sub', 'alice', '--aud', 'billing');
    assert.equal(run.code, 0);
    assert.match(run.stderr, /^note: no route has the audience "billing"\nminted for alice \(aud billing\)/);
  });

  it('needs the configuration and the master key (exit 3)', async () => {
    const missing = join(fixture.dir, 'missing.yaml');
    assert.deepEqual(await runGatehouse(['token', 'mint', '--sub', 'alice', '--aud', 'orders', '--config', missing], { env: fixture.env }), {
      code: 3,
      stdout: '',
      stderr: `gatehouse: cannot read the configuration file ${missing}: no such file (ENOENT)\n  → create one with \`gatehouse init\`, or pass --config FILE\n`,
    });
    assert.deepEqual(await runGatehouse(['token', 'mint', '--sub', 'alice', '--aud', 'orders', '--config', fixture.configPath], { env: {} }), {
      code: 3,
      stdout: '',
      stderr: 'gatehouse: no master key: set GATEHOUSE_MASTER_KEY or configure a master key file\n  → set GATEHOUSE_MASTER_KEY or keys.masterKeyFile in gatehouse.yaml (`gatehouse init` writes one)\n',
    });
  });
});

describe('gatehouse token verify', () => {
  it('prints the verified identity (exit 0)', async () => {
    const { token, kid, exp, jti } = await mint('--roles', 'admin', '--scope', 'orders:read');
    const run = await gatehouse('token', 'verify', token, '--route', 'orders');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const lines = run.stdout.split('\n');
    assert.deepEqual(lines.filter((line) => !line.startsWith('  exp ')), [
      'valid for route orders (audience "orders")',
      `  issuer     "${ISSUER}" (this gatehouse)`,
      '  sub        "alice"',
      '  aud        "orders"',
      '  roles      ["admin"]',
      '  scopes     ["orders:read"]',
      '  client_id  "gatehouse-cli"',
      `  kid        "${kid}"`,
      `  jti        "${jti}"`,
      '',
    ]);
    assert.match(lines.find((line) => line.startsWith('  exp '))!, new RegExp(`^ {2}exp {8}${exp} {2}\\S+Z \\(in (5m|4m59s)\\)$`));
  });

  it('--json, --aud, and `-` reads the token from stdin', async () => {
    const { token, jti } = await mint('--roles', 'ops');
    const run = await fixture.gatehouse(['token', 'verify', '-', '--aud', 'orders', '--json'], { stdin: `${token}\n` });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual({ valid: result.valid, audience: result.audience, route: result.route, sub: result.sub, roles: result.roles, jti: result.jti, issuer: result.issuer }, {
      valid: true, audience: 'orders', route: null, sub: 'alice', roles: ['ops'], jti, issuer: ISSUER,
    });
  });

  it('refuses with `refused: <reason>: <detail>` (exit 1)', async () => {
    const { token, jti, exp } = await mint();
    assert.deepEqual(await gatehouse('token', 'verify', token, '--route', 'app'), {
      code: 1,
      stdout: 'refused: wrong_audience: "aud" "orders" does not contain "app"\n',
      stderr: '  → `gatehouse token explain` with the same arguments shows every check\n',
    });
    assert.match((await gatehouse('token', 'verify', await expiredToken(), '--route', 'orders')).stdout, /^refused: token_expired: expired at \d+; now \d+, leeway 30s\n$/);
    await fixture.issuer.services.revoker.revoke({ kind: 'token', value: jti, expiresAt: exp * 1000, reason: 'test' });
    assert.equal((await gatehouse('token', 'verify', token, '--route', 'orders')).stdout, 'refused: token_revoked: revoked: token list\n');
    const json = await gatehouse('token', 'verify', token, '--route', 'orders', '--json');
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.stdout), { valid: false, reason: 'token_revoked', detail: 'revoked: token list', audience: 'orders', route: 'orders' });
  });

  it('refuses a malformed token with the parser\'s reason (exit 1)', async () => {
    assert.deepEqual(await gatehouse('token', 'verify', 'abc', '--route', 'orders'), {
      code: 1,
      stdout: 'refused: malformed_token: a compact JWS has exactly three parts\n',
      stderr: '  → `gatehouse token explain` with the same arguments shows every check\n',
    });
    assert.equal((await gatehouse('token', 'verify', compact({ alg: 'none' }, {}), '--aud', 'orders')).stdout, 'refused: alg_not_allowed: "alg": "none" (unsecured JWS) is never accepted\n');
  });

  it('verifies the tokens of a trusted issuer, with its roles claim', async () => {
    const token = await fixture.signAsIdp(fixture.claims({ iss: IDP, client_id: undefined, jti: undefined, roles: undefined, realm_access: { roles: ['ops'] } }));
    const run = await gatehouse('token', 'verify', token, '--route', 'orders', '--json');
    assert.equal(run.code, 0, run.stdout);
    assert.deepEqual((JSON.parse(run.stdout) as { roles: unknown }).roles, ['ops']);
    assert.match((await gatehouse('token', 'verify', token, '--route', 'orders')).stdout, /^ {2}issuer {5}"https:\/\/idp\.test" \(trust\[0\]\)$/m);
  });

  it('needs exactly one audience and a route that exists (exit 2)', async () => {
    const usage = (stderr: string) => ({ code: 2, stdout: '', stderr });
    assert.deepEqual(await gatehouse('token', 'verify', 'abc'), usage('gatehouse: token verify needs the audience to check: --route ID or --aud AUD\n  → routes: orders, app, status\n'));
    assert.deepEqual(await gatehouse('token', 'verify', 'abc', '--route', 'orders', '--aud', 'orders'), usage('gatehouse: --route and --aud both set the audience\n  → pass one: --route checks the route\'s audience, --aud any audience\n'));
    assert.deepEqual(await gatehouse('token', 'verify', 'abc', '--route', 'ordrs'), usage(`gatehouse: no route "ordrs" in ${fixture.configPath}\n  → routes: orders, app, status\n`));
    assert.deepEqual(await gatehouse('token', 'verify', '--route', 'orders'), usage('gatehouse: missing argument: gatehouse token verify TOKEN (--route ID | --aud AUD) [--json]\n  → see `gatehouse token verify --help`\n'));
    const valueless = await runGatehouse(['token', 'verify', 'abc', '--route']);
    assert.equal(valueless.code, 2);
    assert.match(valueless.stderr, /^gatehouse: flag --route\b.* needs a value\n {2}→ see `gatehouse token verify --help`\n$/);
  });

  it('reports a missing configuration as the runner does (exit 3)', async () => {
    const missing = join(fixture.dir, 'nope', 'gatehouse.yaml');
    assert.deepEqual(await runGatehouse(['token', 'verify', 'abc', '--route', 'orders', '--config', missing], { env: fixture.env }), {
      code: 3,
      stdout: '',
      stderr: `gatehouse: cannot read the configuration file ${missing}: no such file (ENOENT)\n  → create one with \`gatehouse init\`, or pass --config FILE\n`,
    });
  });
});

describe('gatehouse token explain', () => {
  it('passes every check, then shows the route\'s policy and the verdict (exit 0)', async () => {
    const { token } = await mint('--roles', 'admin');
    const run = await gatehouse('token', 'explain', token, '--route', 'orders', '--method', 'POST', '--path', '/orders/7');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const lines = run.stdout.split('\n');
    assert.match(lines[0]!, /^checks for audience "orders" \(route orders\) at \S+Z, in the gateway's order$/);
    assert.deepEqual(checkStatuses(run.stdout), ALL_PASS);
    assert.ok(lines.includes('  PASS  audience     "aud" "orders" contains "orders"'));
    assert.ok(lines.includes('  PASS  revocation   on none of the token, family, subject, key lists'));
    assert.deepEqual(lines.slice(14), [
      'policy of route orders: POST /orders/7 from 127.0.0.1',
      '  deny',
      '    FAIL    blocked-net  ip_out_of_range: client address 127.0.0.1 is outside 192.0.2.0/24',
      '  allow',
      '    PASS    allow[0]  roles_matched: roles [admin]; the condition needs any of admin',
      '    FAIL    allow[1]  all_some_failed: allow[1].all[0] failed; allow[1].all[1] failed',
      '      FAIL    allow[1].all[0]  scopes_missing: the token lacks orders:read',
      '      FAIL    allow[1].all[1]  method_not_listed: method POST; the condition needs one of GET',
      'verdict: allow (rule allow[0])',
      '',
    ]);
  });

  it('ends in the policy\'s refusal: 403 insufficient_scope with the reason and rule (exit 1)', async () => {
    const { token } = await mint('--scope', 'orders:read');
    const post = await gatehouse('token', 'explain', token, '--route', 'orders', '--method', 'POST');
    assert.equal(post.code, 1);
    assert.match(post.stdout, /\nverdict: 403 insufficient_scope \(no_allow_rule_matched\)\n$/);
    const blocked = await gatehouse('token', 'explain', token, '--route', 'orders', '--ip', '192.0.2.9');
    assert.match(blocked.stdout, /\n {4}PASS {4}blocked-net {2}ip_in_range: client address 192\.0\.2\.9 is in 192\.0\.2\.0\/24\n[^]*\nverdict: 403 insufficient_scope \(denied_by_rule, rule blocked-net\)\n$/);
  });

  it('goes on after a failure: an expired token still shows its audience and revocation', async () => {
    const run = await gatehouse('token', 'explain', await expiredToken(), '--route', 'app');
    assert.equal(run.code, 1);
    assert.deepEqual(checkStatuses(run.stdout), ALL_PASS.map((line) => (line === 'PASS audience' || line === 'PASS time' ? line.replace('PASS', 'FAIL') : line)));
    const lines = run.stdout.split('\n');
    assert.ok(lines.includes('  FAIL  audience     wrong_audience: "aud" "orders" does not contain "app"'));
    assert.match(lines.find((line) => line.startsWith('  FAIL  time'))!, /^ {2}FAIL {2}time {9}token_expired: expired at \d+; now \d+, leeway 30s$/);
    assert.deepEqual(lines.slice(-3), ['policy of route app: not evaluated (the gateway refuses the token before policy runs)', 'verdict: 401 invalid_token (wrong_audience)', '']);
  });

  it('skips the claim checks after a bad signature: the claims are the sender\'s words', async () => {
    const run = await gatehouse('token', 'explain', tamperSignature(await fixture.sign(fixture.claims())), '--route', 'orders');
    assert.equal(run.code, 1);
    const kid = fixture.issuer.services.keys.signingKey().kid;
    assert.deepEqual(run.stdout.split('\n').slice(7), [
      `  FAIL  signature    bad_signature: signature does not verify with key ${kid}`,
      '  SKIP  typ          claims unverified: the signature did not verify',
      '  SKIP  claims       claims unverified: the signature did not verify',
      '  SKIP  audience     claims unverified: the signature did not verify',
      '  SKIP  time         claims unverified: the signature did not verify',
      '  SKIP  revocation   claims unverified: the signature did not verify',
      '  SKIP  trusted-for  claims unverified: the signature did not verify',
      'policy of route orders: not evaluated (the gateway refuses the token before policy runs)',
      'verdict: 401 invalid_token (bad_signature)',
      '',
    ]);
  });

  it('refuses a malformed token at the first check and skips the rest (exit 1)', async () => {
    const run = await gatehouse('token', 'explain', 'abc', '--aud', 'orders');
    assert.equal(run.code, 1);
    assert.equal(run.stderr, '');
    const skipped = ['header', 'payload', 'issuer', 'kid', 'alg', 'signature', 'typ', 'claims', 'audience', 'time', 'revocation', 'trusted-for'];
    assert.deepEqual(run.stdout.split('\n').slice(1), [
      '  FAIL  form         malformed_token: a compact JWS has exactly three parts',
      ...skipped.map((check) => `  SKIP  ${check.padEnd(11)}  the token did not parse`),
      'verdict: 401 invalid_token (malformed_token)',
      '',
    ]);
    const none = await gatehouse('token', 'explain', compact({ alg: 'none', typ: 'at+jwt' }, fixture.claims()), '--aud', 'orders');
    assert.deepEqual(checkStatuses(none.stdout).slice(0, 3), ['PASS form', 'FAIL header', 'SKIP payload']);
    assert.match(none.stdout, /\n {2}FAIL {2}header {7}alg_not_allowed: "alg": "none" \(unsecured JWS\) is never accepted\n {2}SKIP {2}payload {6}not examined: the header was refused first\n/);
  });

  it('--aud checks the token alone: `verdict: valid`, no policy', async () => {
    const { token } = await mint();
    const run = await gatehouse('token', 'explain', token, '--aud', 'orders', '--json');
    assert.equal(run.code, 0);
    const result = JSON.parse(run.stdout) as { route: unknown; policy: unknown; verdict: unknown; refusal: unknown };
    assert.deepEqual([result.route, result.policy, result.refusal, result.verdict], [null, null, null, { decision: 'valid', status: null, error: null, reason: null, rule: null }]);
    assert.match((await gatehouse('token', 'explain', token, '--aud', 'orders')).stdout, /\nverdict: valid\n$/);
  });

  it('refuses bad input with what to do next (exit 2)', async () => {
    const usage = (stderr: string) => ({ code: 2, stdout: '', stderr });
    assert.deepEqual(await gatehouse('token', 'explain', 'abc', '--aud', 'orders', '--path', '/x'), usage('gatehouse: --path describes a request to a route\'s policy: it needs --route\n  → pass --route ID instead of --aud\n'));
    assert.deepEqual(await gatehouse('token', 'explain', 'abc'), usage('gatehouse: token explain needs the audience to check: --route ID or --aud AUD\n  → routes: orders, app, status\n'));
    assert.deepEqual(await gatehouse('token', 'explain', 'abc', '--route', 'x'), usage(`gatehouse: no route "x" in ${fixture.configPath}\n  → routes: orders, app, status\n`));
    assert.deepEqual(await gatehouse('token', 'explain', 'abc', '--route', 'orders', '--method', 'get'), usage('gatehouse: --method get is not a method a route can name\n  → one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (methods are case-sensitive)\n'));
    assert.deepEqual(await gatehouse('token', 'explain', 'abc', '--route', 'orders', '--ip', 'localhost'), usage('gatehouse: --ip "localhost" is not an IP address\n  → pass the client address as the gateway would see it, like 203.0.113.7 or 2001:db8::1\n'));
  });

  it('names the same reason as the gateway\'s verifier for every token of a corpus', async () => {
    const t = now();
    const ours = fixture.issuer.services.keys.signingKey();
    const claims = fixture.claims;
    const idpClaims = (overrides: Record<string, unknown> = {}) => claims({ iss: IDP, client_id: undefined, jti: undefined, ...overrides });
    const { token: revokedToken, jti: revokedJti, exp: revokedExp } = await mint();
    await fixture.issuer.services.revoker.revoke({ kind: 'token', value: revokedJti, expiresAt: revokedExp * 1000, reason: 'test' });
    const mallory = await fixture.sign(claims({ sub: 'mallory', iat: t - 5 }));
    await fixture.issuer.services.revoker.revoke({ kind: 'subject', value: 'mallory', reason: 'test' });
    await fixture.issuer.services.revoker.revoke({ kind: 'family', value: 'family-1', reason: 'test' });

    const corpus: { name: string; token: string; target?: string[]; reason: string | null }[] = [
      { name: 'valid', token: await fixture.sign(claims()), reason: null },
      { name: 'minted by the CLI', token: (await mint()).token, reason: null },
      { name: 'empty', token: '', reason: 'token_missing' },
      { name: 'too large', token: 'a'.repeat(9000), reason: 'token_too_large' },
      { name: 'two parts', token: 'abc.def', reason: 'malformed_token' },
      { name: 'padded', token: (await fixture.sign(claims())).replace('.', '=.'), reason: 'malformed_token' },
      { name: 'header not JSON', token: `${b64('not json')}.${b64({})}.c2ln`, reason: 'malformed_header' },
      { name: 'payload not JSON', token: `${b64({ alg: 'ES256', kid: ours.kid, typ: 'at+jwt' })}.${b64('[1]')}.c2ln`, reason: 'malformed_payload' },
      { name: 'alg none', token: compact({ alg: 'none', kid: ours.kid, typ: 'at+jwt' }, claims()), reason: 'alg_not_allowed' },
      { name: 'embedded jwk', token: compact({ alg: 'ES256', kid: ours.kid, jwk: { kty: 'EC' } }, claims()), reason: 'embedded_key_not_allowed' },
      { name: 'crit', token: compact({ alg: 'ES256', kid: ours.kid, crit: ['exp'], exp: 1 }, claims()), reason: 'unsupported_crit' },
      { name: 'wrong issuer', token: await fixture.sign(claims({ iss: 'https://evil.test' })), reason: 'wrong_issuer' },
      { name: 'no issuer', token: await fixture.sign(claims({ iss: undefined })), reason: 'wrong_issuer' },
      { name: 'unknown kid', token: await fixture.sign(claims(), { kid: 'unknown-kid' }), reason: 'unknown_kid' },
      { name: 'no kid', token: await fixture.sign(claims(), { kid: undefined }), reason: 'unknown_kid' },
      { name: 'HS256 with our kid (key confusion)', token: await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: ours.kid, typ: 'at+jwt' }).sign(new Uint8Array(32).fill(1)), reason: 'alg_not_allowed' },
      { name: 'bad signature', token: tamperSignature(await fixture.sign(claims())), reason: 'bad_signature' },
      { name: 'typ JWT', token: await fixture.sign(claims(), { typ: 'JWT' }), reason: 'wrong_typ' },
      { name: 'no typ', token: await fixture.sign(claims(), { typ: undefined }), reason: 'wrong_typ' },
      { name: 'typ application/at+jwt', token: await fixture.sign(claims(), { typ: 'application/at+jwt' }), reason: null },
      { name: 'exp a string', token: await fixture.sign(claims({ exp: String(t + 300) })), reason: 'invalid_claim' },
      { name: 'no jti', token: await fixture.sign(claims({ jti: undefined })), reason: 'missing_claim' },
      { name: 'no exp', token: await fixture.sign(claims({ exp: undefined })), reason: 'missing_claim' },
      { name: 'wrong audience', token: await fixture.sign(claims({ aud: 'billing' })), reason: 'wrong_audience' },
      { name: 'audience list', token: await fixture.sign(claims({ aud: ['billing', 'orders'] })), reason: null },
      { name: 'expired', token: await expiredToken(), reason: 'token_expired' },
      { name: 'expired within the leeway', token: await fixture.sign(claims({ exp: t - 10 })), reason: null },
      { name: 'expired and for another audience', token: await fixture.sign(claims({ aud: 'billing', exp: t - 100 })), reason: 'wrong_audience' },
      { name: 'not yet valid', token: await fixture.sign(claims({ nbf: t + 600 })), reason: 'token_not_yet_valid' },
      { name: 'issued in the future', token: await fixture.sign(claims({ iat: t + 600 })), reason: 'issued_in_future' },
      { name: 'revoked token', token: revokedToken, reason: 'token_revoked' },
      { name: 'revoked subject', token: mallory, reason: 'token_revoked' },
      { name: 'revoked family', token: await fixture.sign(claims({ sid: 'family-1' })), reason: 'token_revoked' },
      { name: 'revoked and expired', token: await fixture.sign(claims({ sid: 'family-1', exp: t - 100, iat: t - 400 })), reason: 'token_expired' },
      { name: 'trusted issuer', token: await fixture.signAsIdp(idpClaims()), reason: null },
      { name: 'trusted issuer, no sub', token: await fixture.signAsIdp(idpClaims({ sub: undefined })), reason: 'missing_claim' },
      { name: 'trusted issuer, untyped', token: await fixture.signAsIdp(idpClaims(), { typ: undefined }), reason: 'wrong_typ' },
      { name: 'trusted issuer, signed with our key', token: await fixture.sign(idpClaims()), reason: 'unknown_kid' },
      { name: 'trusted issuer at a route it is not trusted for', token: await fixture.signAsIdp(idpClaims({ aud: 'app' })), target: ['--route', 'app'], reason: 'wrong_audience' },
      { name: 'at --aud', token: await fixture.sign(claims({ aud: 'status' })), target: ['--aud', 'status'], reason: null },
    ];
    for (const { name, token, target = ['--route', 'orders'], reason } of corpus) {
      const verified = await gatehouse('token', 'verify', token, ...target, '--json');
      const explained = await gatehouse('token', 'explain', token, ...target, '--json');
      const verify = JSON.parse(verified.stdout) as { valid: boolean; reason?: string };
      const explain = JSON.parse(explained.stdout) as { checks: { status: string; reason: string | null }[]; refusal: { reason: string } | null; verdict: { reason: string | null; error: string | null }; gatewayDisagrees?: string };
      assert.equal(verify.valid ? null : verify.reason, reason, `${name}: token verify`);
      assert.equal(explain.refusal?.reason ?? null, reason, `${name}: the first failed check of token explain`);
      assert.equal(explain.checks.find((check) => check.status === 'fail')?.reason ?? null, reason, `${name}: the first FAIL line`);
      assert.equal(explain.gatewayDisagrees, undefined, `${name}: explain and the gateway's verifier disagree`);
      if (reason !== null) assert.deepEqual([explain.verdict.error, explain.verdict.reason], ['invalid_token', reason], `${name}: verdict`);
      if (reason !== null) assert.deepEqual([verified.code, explained.code], [1, 1], `${name}: exit codes`);
    }
  });
});
