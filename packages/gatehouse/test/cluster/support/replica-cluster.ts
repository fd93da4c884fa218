/**
 * Several replica processes (replica-process.ts) on one PostgreSQL schema, from one configuration
 * file: what an operator gets by starting `gatehouse start` N times against one database. Used by
 * test/cluster/replicas.test.ts and bench/cluster.bench.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLUSTER_SECRETS = {
  billing: 'billing-secret-0123456789abcdefghijklmnop',
} as const;
/** The public client whose refresh tokens the tests rotate. */
export const CLUSTER_REDIRECT_URI = 'http://127.0.0.1:9/callback';

export interface Replica {
  readonly pid: number;
  /** Bound URLs, e.g. http://127.0.0.1:40123 */
  readonly issuer: string;
  readonly gateway: string;
  readonly control: string;
  /** Sends one stdin command (see replica-process.ts) and resolves with its JSON answer. */
  command(line: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface ReplicaClusterOptions {
  /** PostgreSQL URL of the database (the schema is added to it). */
  readonly url: string;
  /** An existing schema: every replica's store lives there. */
  readonly schema: string;
  readonly replicas: number;
  /** Where the `orders` route forwards. */
  readonly upstream: string;
  /** Extra top-level YAML (a cluster section, …). */
  readonly extraConfig?: string;
}

export interface ReplicaCluster {
  readonly replicas: readonly Replica[];
  /** The store URL every replica uses (the schema set through `options=-c search_path=…`). */
  readonly storeUrl: string;
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

const REPLICA_SCRIPT = fileURLToPath(new URL('./replica-process.ts', import.meta.url));

/** The URL with the schema as every connection's search_path, as an operator would write it in `store:`. */
export function storeUrlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

export async function startReplicaCluster(options: ReplicaClusterOptions): Promise<ReplicaCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-cluster-'));
  const storeUrl = storeUrlWithSchema(options.url, options.schema);
  const configPath = join(dir, 'gatehouse.yaml');
  await writeFile(configPath, `
issuer: http://127.0.0.1:9
listen: { gateway: 127.0.0.1:0, issuer: 127.0.0.1:0, control: 127.0.0.1:0 }
store: "${storeUrl}"
clients:
  - id: billing-svc
    secret: \${BILLING_SECRET}
    grants: [client_credentials]
    scopes: [orders:read]
    audiences: [orders]
    roles: [billing]
  - id: web
    public: true
    grants: [authorization_code, refresh_token]
    redirectUris: [${CLUSTER_REDIRECT_URI}]
    scopes: [openid, offline_access, orders:read]
    audiences: [orders]
routes:
  - id: orders
    match: { path: /orders/** }
    upstream: ${options.upstream}
    audience: orders
    allow: [ { role: billing }, { scope: orders:read } ]
# Propagation trials present every revoked token until it is refused: high limits, so they never trip a block.
anomaly: { ip: { failures: 1000000 }, subject: { failures: 1000000 } }
${options.extraConfig ?? ''}
`);
  const env = { BILLING_SECRET: CLUSTER_SECRETS.billing, GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64url') };
  const started = await Promise.allSettled(Array.from({ length: options.replicas }, () => startReplica(configPath, env)));
  const replicas = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  const close = async (): Promise<void> => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  if (failed !== undefined) {
    await close();
    throw (failed as PromiseRejectedResult).reason;
  }
  return { replicas, storeUrl, env, close };
}

async function startReplica(configPath: string, env: Readonly<Record<string, string>>): Promise<Replica> {
  const child = spawn(process.execPath, ['--conditions=gatehouse-source', '--import', 'tsx', REPLICA_SCRIPT, configPath], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (process.env.REPLICA_STDERR === '1') process.stderr.write(chunk);
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((answer: Record<string, unknown>) => void)[] = [];
  const ready = new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica did not start within 60 s:\n${stderr}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica exited with ${code} before it was ready:\n${stderr}`));
    });
    lines.on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      if ('ready' in message) {
        clearTimeout(timer);
        resolve(message.ready as Record<string, string>);
      } else waiting.shift()?.(message);
    });
  });
  const urls = await ready.catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  return {
    pid: child.pid!,
    issuer: urls.issuer!,
    gateway: urls.gateway!,
    control: urls.control!,
    command(line) {
      return new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin!.write(`${line}\n`);
      });
    },
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
