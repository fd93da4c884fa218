/**
 * The console's token debugger is `gatehouse token explain`: on the same configuration, store and
 * keys, the API's checks, refusal and verdict are the CLI's, for refused tokens of every kind and
 * for one that passes (with the route's policy). And what is pasted stays in the answer: the
 * token is in no log line, no decision line and not in the decision history.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.ts';
import { openGateway, type OpenGateway } from '../../src/gateway/open-gateway.ts';
import { createAccessTokenMinter } from '../../src/tokens/mint-access-token.ts';
import { ISSUER, openTokenFixture, type TokenFixture } from '../cli/support/token-fixture.ts';

let fixture: TokenFixture;
let gateway: OpenGateway;
let uiDirectory: string;
let bearer: string;
const logs: string[] = [];
const decisionLines: string[] = [];

before(async () => {
  fixture = await openTokenFixture();
  uiDirectory = await mkdtemp(join(tmpdir(), 'gatehouse-console-ui-'));
  await writeFile(join(uiDirectory, 'index.html'), '<!doctype html><title>console</title>\n');
  const { config } = await loadConfig(fixture.configPath, { env: fixture.env });
  const loopback = { host: '127.0.0.1', port: 0 };
  gateway = await openGateway({ ...config, listen: { gateway: loopback, issuer: loopback, control: loopback } }, {
    issuer: fixture.issuer.services,
    processMetrics: false,
    logger: pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) }),
    decisionLogDestination: { write: (line: string) => void decisionLines.push(line) },
    console: { uiDirectory },
  });
  bearer = (await fixture.issuer.services.mintAccessToken({ subject: 'root', audience: 'gatehouse-console', clientId: 'ops-cli', roles: ['admin'] })).token;
});

after(async () => {
  await gateway?.close();
  await fixture?.close();
  await rm(uiDirectory, { recursive: true, force: true });
});

async function explainInConsole(body: Record<string, unknown>): Promise<any> {
  const response = await gateway.controlApp.inject({ method: 'POST', url: '/console/api/explain', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

async function explainInCli(token: string, ...flags: string[]): Promise<any> {
  const run = await fixture.gatehouse(['token', 'explain', token, ...flags, '--json']);
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  return JSON.parse(run.stdout);
}

/** What must agree: every check's status and reason in order, the refusal's reason, the verdict. */
function outcome(explained: any) {
  return {
    checks: explained.checks.map((check: { check: string; status: string; reason: string | null }) => [check.check, check.status, check.reason]),
    refusal: explained.refusal?.reason ?? null,
    verdict: explained.verdict,
    policy: explained.policy === null ? null : explained.policy.decision,
  };
}

function tamperSignature(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return `${header}.${payload}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
}

const pasted: string[] = [];

describe('POST /console/api/explain agrees with `gatehouse token explain`', () => {
  it('on refused tokens: expired, bad signature, wrong audience, wrong typ, revoked, malformed', async () => {
    const minter = createAccessTokenMinter({ issuer: ISSUER, keys: fixture.issuer.services.keys, clock: () => Date.now() - 2 * 3_600_000 });
    const expired = (await minter({ subject: 'alice', audience: 'orders', clientId: 'web', ttlSeconds: 3600 })).token;
    const good = await fixture.sign(fixture.claims());
    const revokedClaims = fixture.claims({ sub: 'mallory' });
    await fixture.issuer.services.revoker.revoke({ kind: 'token', value: revokedClaims.jti as string, expiresAt: Date.now() + 3_600_000, reason: 'test' });
    const cases: Record<string, string> = {
      expired,
      'bad signature': tamperSignature(good),
      'wrong audience': await fixture.sign(fixture.claims({ aud: 'app' })),
      'wrong typ': await fixture.sign(fixture.claims(), { typ: 'JWT' }),
      revoked: await fixture.sign(revokedClaims),
      malformed: 'not.a.token',
    };
    for (const [name, token] of Object.entries(cases)) {
      pasted.push(token);
      const inConsole = await explainInConsole({ token, route: 'orders' });
      const inCli = await explainInCli(token, '--route', 'orders');
      assert.equal(inConsole.verdict.decision, 'deny', name);
      assert.deepEqual(outcome(inConsole), outcome(inCli), name);
      assert.equal(inConsole.gatewayDisagrees, undefined, name);
    }
  });

  it('on a token that passes, with the request described: the same policy decision and verdict', async () => {
    const token = await fixture.sign(fixture.claims({ scope: 'orders:read' }));
    pasted.push(token);
    const inConsole = await explainInConsole({ token, route: 'orders', method: 'GET', path: '/orders/7', ip: '203.0.113.9' });
    const inCli = await explainInCli(token, '--route', 'orders', '--method', 'GET', '--path', '/orders/7', '--ip', '203.0.113.9');
    assert.deepEqual(outcome(inConsole), outcome(inCli));
    assert.deepEqual(inConsole.policy, inCli.policy);
    assert.equal(inConsole.verdict.decision, 'allow');
    assert.deepEqual(inConsole.claims, JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()));
    assert.deepEqual(inConsole.header.typ, 'at+jwt');
  });

  it('without a route: checked for its own audience, no policy, verdict valid', async () => {
    const token = await fixture.sign(fixture.claims({ aud: 'status' }));
    pasted.push(token);
    const inConsole = await explainInConsole({ token });
    const inCli = await explainInCli(token, '--aud', 'status');
    assert.deepEqual(outcome(inConsole), outcome(inCli));
    assert.deepEqual(inConsole.verdict, { decision: 'valid', status: null, error: null, reason: null, rule: null });
    assert.equal(inConsole.audience, 'status');
  });
});

describe('a pasted token is never kept', () => {
  it('appears in no log line, no decision line and not in the decision history', async () => {
    assert.ok(pasted.length >= 8);
    // Traffic at the gateway too, so the history and the decision log are not empty.
    const { gateway: url } = await gateway.listen();
    const { request } = await import('undici');
    const refused = await request(`${url}/orders/1`, { headers: { host: 'api.test' } });
    await refused.body.dump();
    assert.equal(refused.statusCode, 401);
    const deadline = Date.now() + 5000;
    while (gateway.decisionHistory!.query().lines.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const history = JSON.stringify(gateway.decisionHistory!.query({ limit: 10_000 }));
    assert.ok(gateway.decisionHistory!.query().lines.length >= 1);
    const everything = [history, ...logs, ...decisionLines].join('\n');
    for (const token of pasted) {
      assert.ok(!everything.includes(token), 'the token itself');
      assert.ok(!everything.includes(token.split('.')[2] ?? token), 'not even its signature');
    }
  });
});
