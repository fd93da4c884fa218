/**
 * Gateway throughput over HTTP with autocannon, every row in one run against the same upstream:
 * direct to the upstream; the bare proxy (node:http + undici Pool, no auth: the reference); the
 * gateway with one valid token (verified-token cache hit); the gateway with a fresh token per
 * request (more tokens than the cache holds, so every request verifies a signature); and the peer
 * stack (fastify + @fastify/jwt with its cache + @fastify/http-proxy) on the same ES256 tokens.
 * Upstream and proxies each run in their own child process so the load generator keeps a core.
 * Targets: gateway cached ≥ 0.95× the bare proxy and ≥ 1.9× the peer stack.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../packages/gatehouse/test/support/issuer-harness.ts';
import { table } from './measure.ts';
import { measureLoad, measureLoadWithCpu, startServer, stopServer, type Load } from './servers.ts';

const CONNECTIONS = 50;
const DURATION_S = 5;
const WARMUP_S = 1;
/** More than the verified-token cache holds (10,000), so a rotation never hits it. */
const FRESH_TOKENS = 25_000;

const start = startServer;
const stop = stopServer;
const load = (options: autocannon.Options, duration = DURATION_S): Promise<Load> => measureLoad({ connections: CONNECTIONS, duration, ...options });
const loadWithCpu = (options: autocannon.Options, pid: number | undefined) => measureLoadWithCpu({ connections: CONNECTIONS, duration: DURATION_S, ...options }, pid);

export async function benchGateway(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-gw-bench-'));
  const [upstreamPort, barePort, gatewayPort, controlPort, peerPort, issuerPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const upstream = `http://127.0.0.1:${upstreamPort}`;
  const issuer = `http://127.0.0.1:${issuerPort}`;
  const env = { ...process.env, GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64url') };
  const configPath = join(dir, 'gatehouse.yaml');
  const tokensFile = join(dir, 'tokens.json');
  const keysFile = join(dir, 'jwks.json');
  await writeFile(configPath, `
issuer: ${issuer}
listen: { gateway: 127.0.0.1:${gatewayPort}, control: 127.0.0.1:${controlPort} }
store: sqlite:${join(dir, 'gatehouse.db')}
routes:
  - id: orders
    match: { path: /orders/**, methods: [GET, POST] }
    upstream: ${upstream}
    audience: orders
    allow: [ { role: billing } ]
`);

  const children: ChildProcess[] = [];
  try {
    const upstreamServer = await start('./gateway-upstream-server.ts', [String(upstreamPort)], env);
    const bareServer = await start('./bare-proxy-server.ts', [String(barePort), upstream], env);
    const gatewayServer = await start('./gateway-server.ts', [configPath, tokensFile, String(FRESH_TOKENS)], env);
    children.push(upstreamServer, bareServer, gatewayServer);
    const { tokens, jwks } = JSON.parse(await readFile(tokensFile, 'utf8')) as { tokens: string[]; jwks: unknown };
    await writeFile(keysFile, JSON.stringify(jwks));
    const peerServer = await start('./peer-stack-server.ts', [String(peerPort), upstream, keysFile, issuer], env);
    children.push(peerServer);

    const path = '/orders/42';
    const cachedToken = tokens[0]!;
    const withToken = { headers: { authorization: `Bearer ${cachedToken}` } };
    const targets = {
      // The same requests everywhere, the bearer token included: only what each server does with them differs.
      direct: { url: `${upstream}${path}`, ...withToken },
      bare: { url: `http://127.0.0.1:${barePort}${path}`, ...withToken },
      cached: { url: `http://127.0.0.1:${gatewayPort}${path}`, ...withToken },
      peer: { url: `http://127.0.0.1:${peerPort}${path}`, ...withToken },
    };
    let next = 1;
    const fresh: autocannon.Options = {
      url: `http://127.0.0.1:${gatewayPort}${path}`,
      requests: [{
        method: 'GET',
        setupRequest: (request: autocannon.Request) => {
          const token = tokens[next]!;
          next = next + 1 < tokens.length ? next + 1 : 1;
          return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
        },
      }],
    };
    for (const target of Object.values(targets)) await load(target, WARMUP_S);

    // Interleaved, and the reference measured before and after, so drift on the shared machine hits every row.
    const bare1 = await loadWithCpu(targets.bare, bareServer.pid);
    const direct = await loadWithCpu(targets.direct, upstreamServer.pid);
    const cached = await loadWithCpu(targets.cached, gatewayServer.pid);
    const peer = await loadWithCpu(targets.peer, peerServer.pid);
    const freshLoad = await loadWithCpu(fresh, gatewayServer.pid);
    const bare2 = await loadWithCpu(targets.bare, bareServer.pid);
    const bare = { ...bare1, rps: (bare1.rps + bare2.rps) / 2, cpuPerRequestUs: (bare1.cpuPerRequestUs + bare2.cpuPerRequestUs) / 2 };

    const row = (name: string, l: Load & { cpuPerRequestUs: number }, target: string) => ({
      measured: name,
      'req/s': Math.round(l.rps),
      'CPU µs/req': Math.round(l.cpuPerRequestUs),
      'p50 ms': l.p50,
      'p99 ms': l.p99,
      'non-2xx': l.non2xx,
      errors: l.errors,
      '× bare proxy': l.rps / bare.rps,
      '× peer stack': l.rps / peer.rps,
      target,
    });
    const rows = [
      row('direct to the upstream', direct, '-'),
      row('bare proxy (node:http + undici Pool, no auth)', bare, 'reference'),
      row('gateway, one valid token (cached)', cached, '≥ 0.95× bare, ≥ 1.9× peer'),
      row('gateway, fresh token per request', freshLoad, '-'),
      row('peer: fastify + @fastify/jwt (cache) + http-proxy', peer, '-'),
    ];
    const verdict = [
      `gateway cached / bare proxy = ${(cached.rps / bare.rps).toFixed(2)} (target ≥ 0.95: ${cached.rps / bare.rps >= 0.95 ? 'met' : 'NOT met'})`,
      `gateway cached / peer stack = ${(cached.rps / peer.rps).toFixed(2)} (target ≥ 1.9: ${cached.rps / peer.rps >= 1.9 ? 'met' : 'NOT met'})`,
      `CPU per request of the proxy process: gateway ${Math.round(cached.cpuPerRequestUs)} µs, bare proxy ${Math.round(bare.cpuPerRequestUs)} µs, peer ${Math.round(peer.cpuPerRequestUs)} µs (bare / gateway = ${(bare.cpuPerRequestUs / cached.cpuPerRequestUs).toFixed(2)}; the direct row's is the upstream's)`,
    ];
    return `${table(rows)}\n\n${verdict.join('\n')}\n(${CONNECTIONS} connections, ${DURATION_S} s each after a ${WARMUP_S} s warm-up, each server in its own process; bare proxy averaged before and after; fresh tokens: ${FRESH_TOKENS} ES256 tokens in rotation)`;
  } finally {
    for (const child of children.reverse()) await stop(child);
    await rm(dir, { recursive: true, force: true });
  }
}
