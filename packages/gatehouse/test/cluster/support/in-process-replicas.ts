/**
 * Issuers in this process on one PostgreSQL schema, each with its own store (its own pool) and,
 * unless told otherwise, its own listening connection: replicas, minus the process boundary
 * (test/cluster/replicas.test.ts has that). Ticks are left to the test (tickMs: 1 h), so what
 * reaches a replica between them came through LISTEN/NOTIFY.
 */
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../../../src/config/index.ts';
import { openIssuer, type IssuerClusterOptions, type OpenIssuer } from '../../../src/issuer/open-issuer.ts';
import { openStore } from '../../../src/store/index.ts';

export interface ReplicaOptions {
  readonly url: string;
  readonly schema: string;
  /** The same for every replica of one deployment. */
  readonly masterKey: string;
  readonly cluster?: IssuerClusterOptions;
  readonly monotonicClock?: () => number;
}

export function newMasterKey(): string {
  return randomBytes(32).toString('base64url');
}

export async function openReplica(options: ReplicaOptions): Promise<OpenIssuer> {
  const env = { GATEHOUSE_MASTER_KEY: options.masterKey };
  const { config } = parseConfig('issuer: http://127.0.0.1:9\nstore: "sqlite::memory:"\n', { file: 'replica.yaml', env });
  const store = await openStore(options.url, { schema: options.schema, poolSize: 4 });
  try {
    const issuer = await openIssuer(config, {
      env,
      store,
      tickMs: 3_600_000,
      cluster: options.cluster ?? { listen: { connectionString: options.url, schema: options.schema, initialBackoffMs: 20, maxBackoffMs: 200 } },
      ...(options.monotonicClock === undefined ? {} : { monotonicClock: options.monotonicClock }),
    });
    return {
      ...issuer,
      async close() {
        await issuer.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Resolves once `check` holds, polling every few milliseconds; rejects after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'the condition'): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
