/**
 * Scale-out on PostgreSQL (docs/reference/scale-out.md), with replicas as `gatehouse start` runs
 * them, each in its own process, on one schema of the PostgreSQL server at
 * GATEHOUSE_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test):
 *  - revocation propagation: a token revoked at one replica's RFC 7009 endpoint, until the other
 *    replica's gateway refuses it, over many trials (p50/p99/max), both from the revocation
 *    request (the documented bound, target p99 ≤ 1 s) and from the endpoint's answer;
 *  - throughput (autocannon) of two gateway replicas against one, on the same upstream, with one
 *    valid token (the verified-token cache's steady state).
 * The machine has few cores: the load generator, the upstream and the replicas share them, so two
 * replicas cannot double one replica's throughput here; the row says what one more process buys.
 */
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createTestSchema, postgresUnavailableReason, POSTGRES_TEST_URL } from '../packages/gatehouse/test/support/postgres.ts';
import { freePort } from '../packages/gatehouse/test/support/issuer-harness.ts';
import { startReplicaCluster, type Replica } from '../packages/gatehouse/test/cluster/support/replica-cluster.ts';
import { clientCredentialsToken, measureRevocationPropagation, percentile } from '../packages/gatehouse/test/cluster/support/revocation-propagation.ts';
import { table } from './measure.ts';
import { cpuMicros, measureLoad, startServer, stopServer, type Load } from './servers.ts';

const TRIALS = 200;
const CONNECTIONS = 50;
const DURATION_S = 5;
const WARMUP_S = 1;

export async function benchCluster(): Promise<string> {
  const unavailable = await postgresUnavailableReason();
  if (unavailable !== undefined) return `skipped: ${unavailable}`;
  const schema = await createTestSchema({ url: POSTGRES_TEST_URL });
  let upstream: ChildProcess | undefined;
  let cluster: Awaited<ReturnType<typeof startReplicaCluster>> | undefined;
  try {
    const upstreamPort = await freePort();
    upstream = await startServer('./gateway-upstream-server.ts', [String(upstreamPort)], process.env);
    cluster = await startReplicaCluster({ url: POSTGRES_TEST_URL, schema: schema.name, replicas: 2, upstream: `http://127.0.0.1:${upstreamPort}` });
    const [a, b] = cluster.replicas as [Replica, Replica];

    const samples = await measureRevocationPropagation(cluster.replicas, TRIALS);
    const propagation = (name: string, values: number[], target: string) => ({
      measured: name,
      'p50 ms': percentile(values, 50),
      'p99 ms': percentile(values, 99),
      'max ms': Math.max(...values),
      target,
    });
    const sinceRequest = samples.map((sample) => sample.sinceRequestMs);
    const propagationRows = [
      propagation('revoked at A → refused at B, from the revocation request', sinceRequest, 'p99 ≤ 1000 ms'),
      propagation('… from the revocation endpoint\'s answer', samples.map((sample) => sample.sinceAnswerMs), '-'),
    ];

    const token = await clientCredentialsToken(a);
    const target = (replica: Replica, connections: number) => ({ url: `${replica.gateway}/orders/42`, connections, headers: { authorization: `Bearer ${token}` } });
    await measureLoad({ ...target(a, CONNECTIONS), duration: WARMUP_S });
    await measureLoad({ ...target(b, CONNECTIONS), duration: WARMUP_S });
    const cpu = () => [cpuMicros(a.pid), cpuMicros(b.pid)];
    const measure = async (targets: { replica: Replica; connections: number }[]) => {
      const before = cpu();
      const loads = await Promise.all(targets.map(({ replica, connections }) => measureLoad({ ...target(replica, connections), duration: DURATION_S })));
      const after = cpu();
      const total = loads.reduce((sum, load) => sum + load.total, 0);
      return {
        rps: loads.reduce((sum, load) => sum + load.rps, 0),
        p50: Math.max(...loads.map((load) => load.p50)),
        p99: Math.max(...loads.map((load) => load.p99)),
        non2xx: loads.reduce((sum, load) => sum + load.non2xx, 0),
        errors: loads.reduce((sum, load) => sum + load.errors, 0),
        cpuPerRequestUs: (after[0]! - before[0]! + (after[1]! - before[1]!)) / Math.max(1, total),
      };
    };
    // Interleaved, one replica measured before and after, so drift on the shared machine hits both rows.
    const one1 = await measure([{ replica: a, connections: CONNECTIONS }]);
    const two = await measure([{ replica: a, connections: CONNECTIONS / 2 }, { replica: b, connections: CONNECTIONS / 2 }]);
    const one2 = await measure([{ replica: b, connections: CONNECTIONS }]);
    const one = { ...one1, rps: (one1.rps + one2.rps) / 2, cpuPerRequestUs: (one1.cpuPerRequestUs + one2.cpuPerRequestUs) / 2 };
    const throughput = (name: string, load: Pick<Load, 'rps' | 'p50' | 'p99' | 'non2xx' | 'errors'> & { cpuPerRequestUs: number }) => ({
      measured: name,
      'req/s': Math.round(load.rps),
      'CPU µs/req': Math.round(load.cpuPerRequestUs),
      'p50 ms': load.p50,
      'p99 ms': load.p99,
      'non-2xx': load.non2xx,
      errors: load.errors,
      '× one replica': load.rps / one.rps,
    });
    const throughputRows = [throughput('one gateway replica', one), throughput('two gateway replicas (load split evenly)', two)];
    const p99 = percentile(sinceRequest, 99);
    return [
      table(propagationRows),
      `\n(${TRIALS} trials alternating A→B and B→A, 2 replica processes on one PostgreSQL schema; target p99 ≤ 1 s: ${p99 <= 1000 ? 'met' : 'NOT met'})\n`,
      table(throughputRows),
      `\n(${CONNECTIONS} connections in all, ${DURATION_S} s after a ${WARMUP_S} s warm-up; one valid token, cached; CPU per request summed over both replica processes; one replica averaged over A and B before and after; this machine has ${availableParallelism()} cores for the load generator, the upstream and the replicas together)`,
    ].join('\n');
  } finally {
    await cluster?.close();
    await stopServer(upstream);
    await schema.drop();
  }
}
