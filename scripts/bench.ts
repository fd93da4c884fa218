/**
 * `npm run bench [name ...]`: prints the figures the issues ask for, each as a ratio against a
 * baseline measured in the same run. Benchmarks are never timed assertions in tests.
 */
import { benchCluster } from '../bench/cluster.bench.ts';
import { benchGateway } from '../bench/gateway.bench.ts';
import { benchIssuer } from '../bench/issuer.bench.ts';
import { benchVerify } from '../bench/verify.bench.ts';

const suites: Record<string, { title: string; run: () => string | Promise<string> }> = {
  verify: { title: 'Token verification (µs per verify; uncached against raw node:crypto.verify, and per cache hit)', run: benchVerify },
  issuer: { title: 'Issuer grants per second over HTTP (autocannon), against a bare fastify form POST', run: benchIssuer },
  gateway: { title: 'Gateway requests per second over HTTP (autocannon), against a bare node:http + undici proxy and a fastify + @fastify/jwt peer stack', run: benchGateway },
  cluster: { title: 'Replicas on PostgreSQL: revocation propagation between replica processes (p50/p99), and two gateway replicas against one (autocannon)', run: benchCluster },
};

const wanted = process.argv.slice(2);
for (const [name, suite] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n## ${name}: ${suite.title}\n`);
  console.log(await suite.run());
}
