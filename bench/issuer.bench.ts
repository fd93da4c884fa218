/**
 * Issue 3 figures: client_credentials grants/s and refresh_token grants/s on the embedded SQLite
 * store, over HTTP with autocannon (targets ≥ 3,000/s and ≥ 1,000/s on this machine), each next
 * to a bare fastify form-POST server measured in the same run as the ratio's baseline. The server
 * runs in a child process (compiled code) so the load generator has the other core.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { generateOpaqueToken, hashOpaqueToken, hashPassword, openStore } from 'gatehouse';
import { freePort } from '../packages/gatehouse/test/support/issuer-harness.ts';
import { table } from './measure.ts';
import { measureLoad, startServer, stopServer, type Load } from './servers.ts';

const CONNECTIONS = 32;
const DURATION_S = 6;
const CLIENT_SECRET = 'bench-billing-secret-0123456789abcdefghij';

const start = startServer;
const stop = stopServer;
const load = (options: autocannon.Options): Promise<Load> => measureLoad({ connections: CONNECTIONS, duration: DURATION_S, ...options });

export async function benchIssuer(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...process.env, GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64url'), BILLING_SECRET: CLIENT_SECRET };
  const configPath = join(dir, 'gatehouse.yaml');
  await writeFile(configPath, `
issuer: ${url}
store: sqlite:${join(dir, 'gatehouse.db')}
clients:
  - id: billing-svc
    secret: \${BILLING_SECRET}
    grants: [client_credentials]
    scopes: [orders:read]
    audiences: [orders]
  - id: web
    public: true
    grants: [authorization_code, refresh_token]
    redirectUris: [http://127.0.0.1:9/callback]
    scopes: [orders:read]
    audiences: [orders]
`);

  // One refresh-token family per connection, created in the store before the server starts.
  const store = await openStore(`sqlite:${join(dir, 'gatehouse.db')}`);
  const now = Date.now();
  const user = await store.users.create({ username: 'bench', passwordHash: await hashPassword('bench-password-123'), roles: [], now });
  const refreshTokens: string[] = [];
  for (let i = 0; i < CONNECTIONS * 4; i++) {
    const token = generateOpaqueToken();
    await store.refreshTokens.createFamily({ userId: user.id, clientId: 'web', scope: 'orders:read', audience: 'orders', tokenHash: hashOpaqueToken(token), now, idleTtl: 3_600_000, absoluteTtl: 86_400_000 });
    refreshTokens.push(token);
  }
  await store.close();

  const rows: Record<string, string | number>[] = [];
  const basePort = await freePort();
  const baseline = await start('./form-baseline-server.ts', [String(basePort)], env);
  const issuer = await start('./issuer-server.ts', [configPath, String(port)], env);
  try {
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
    const basic = `Basic ${Buffer.from(`billing-svc:${CLIENT_SECRET}`).toString('base64')}`;
    const ccBody = 'grant_type=client_credentials&resource=orders';
    // Interleave baseline and subject so drift on the shared machine hits both.
    const base1 = await load({ url: `http://127.0.0.1:${basePort}/oauth2/token`, method: 'POST', headers: formHeaders, body: ccBody });
    const cc = await load({ url: `${url}/oauth2/token`, method: 'POST', headers: { ...formHeaders, authorization: basic }, body: ccBody });
    const refresh = await load({
      url: `${url}/oauth2/token`,
      requests: [{
        method: 'POST',
        headers: formHeaders,
        // autocannon resets the per-connection context after every request of a one-request
        // list, so live tokens circulate through a pool instead: each is taken by exactly one
        // request, and the rotated successor goes back in.
        setupRequest: (request: autocannon.Request) => {
          const token = refreshTokens.shift();
          if (token === undefined) throw new Error('the refresh-token pool ran dry: requests are failing');
          return { ...request, body: `grant_type=refresh_token&client_id=web&refresh_token=${token}` };
        },
        onResponse: (status: number, body: string) => {
          if (status === 200) refreshTokens.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
        },
      }],
    });
    const base2 = await load({ url: `http://127.0.0.1:${basePort}/oauth2/token`, method: 'POST', headers: formHeaders, body: ccBody });
    const baselineRps = (base1.rps + base2.rps) / 2;
    const row = (name: string, l: Load, target: string) => ({
      'measured (SQLite, HTTP)': name, 'req/s': Math.round(l.rps), 'p50 ms': l.p50, 'p99 ms': l.p99, 'non-2xx': l.non2xx, errors: l.errors,
      'ratio to baseline': l.rps / baselineRps, target,
    });
    rows.push(row('baseline: bare fastify form POST', { ...base1, rps: baselineRps }, '-'));
    rows.push(row('client_credentials grants', cc, '≥ 3,000/s'));
    rows.push(row('refresh_token grants (rotating)', refresh, '≥ 1,000/s'));
  } finally {
    await stop(issuer);
    await stop(baseline);
    await rm(dir, { recursive: true, force: true });
  }
  return table(rows) + `\n(${CONNECTIONS} connections, ${DURATION_S} s each, server in its own process; baseline averaged before and after)`;
}
