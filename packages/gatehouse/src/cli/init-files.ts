import { randomBytes } from 'node:crypto';
import { access, mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config/index.ts';
import { openIssuer } from '../issuer/open-issuer.ts';
import { UserService } from '../issuer/users/user-service.ts';
import { createMasterKeyFile } from '../keys/create-master-key-file.ts';
import { CliError } from './cli-error.ts';
import { EXIT } from './exit-codes.ts';

export const CONFIG_FILE = 'gatehouse.yaml';
export const MASTER_KEY_FILE = 'gatehouse.key';
export const DEMO_USER = 'demo';
/** Where the demo routes forward to; `gatehouse quickstart` runs a demo upstream there. */
export const DEMO_UPSTREAM_PORT = 9001;

export interface InitOptions {
  readonly gatewayPort?: number;
  readonly issuerPort?: number;
  readonly controlPort?: number;
  readonly upstreamPort?: number;
}

export interface InitResult {
  readonly configPath: string;
  readonly masterKeyPath: string;
  readonly username: string;
  /** Printed once, never stored in clear. */
  readonly password: string;
}

/** The gatehouse.yaml `init` writes: everything on loopback, the embedded store, two demo routes. */
export function initConfigText(options: InitOptions = {}): string {
  const gateway = options.gatewayPort ?? 8080;
  const issuer = options.issuerPort ?? 9000;
  const control = options.controlPort ?? 4000;
  const upstream = options.upstreamPort ?? DEMO_UPSTREAM_PORT;
  return `# Written by \`gatehouse init\`. Every key: docs/reference/configuration.md
# Everything listens on loopback; put a TLS terminator in front before exposing it.
issuer: http://localhost:${issuer}            # the iss of every token; public URL of the issuer
listen: { gateway: 127.0.0.1:${gateway}, issuer: 127.0.0.1:${issuer}, control: 127.0.0.1:${control} }
store: sqlite:./data/gatehouse.db         # or postgres://user@host:5432/gatehouse for several replicas
keys: { algorithm: ES256, rotateEvery: 24h, masterKeyFile: ./${MASTER_KEY_FILE} }
tokens: { accessTtl: 5m, refreshIdle: 12h, refreshMax: 7d }
routes:
  # An API for services and scripts: Bearer tokens with audience "demo".
  - id: demo-api
    match: { path: /api/** }
    upstream: http://127.0.0.1:${upstream}
    audience: demo
    allow:
      - role: admin                       # admins may do anything
      - all: [ { scope: demo:read }, { method: GET } ]   # readers may GET
  # A browser app: page loads without a session go to the sign-in page.
  - id: demo-app
    match: { host: localhost, path: /app/** }
    upstream: http://127.0.0.1:${upstream}
    audience: demo
    login: browser
    allow: [ { authenticated: true } ]
`;
}

/**
 * `gatehouse init` in `dir`: gatehouse.yaml, a master key file (mode 0600), the store with its
 * first signing key, and a demo user with a random password. Never overwrites anything: an
 * existing gatehouse.yaml or key file is a conflict (replacing a master key would make every
 * sealed key unreadable).
 */
export async function initGatehouse(dir: string, options: InitOptions = {}, env: Readonly<Record<string, string | undefined>> = {}): Promise<InitResult> {
  const configPath = join(dir, CONFIG_FILE);
  const masterKeyPath = join(dir, MASTER_KEY_FILE);
  for (const path of [configPath, masterKeyPath]) {
    if (await exists(path)) throw new CliError(EXIT.conflict, `${path} already exists; init never overwrites`, 'run `gatehouse start` to use it, or init in an empty directory (--dir DIR)');
  }
  await mkdir(join(dir, 'data'), { recursive: true, mode: 0o700 });
  await createMasterKeyFile(masterKeyPath);
  try {
    await writeFile(configPath, initConfigText(options), { flag: 'wx', mode: 0o644 });
  } catch (error) {
    await unlink(masterKeyPath).catch(() => {});
    throw error;
  }
  const { config } = await loadConfig(configPath, { env });
  const issuer = await openIssuer(config, { env });
  try {
    const password = randomBytes(12).toString('base64url');
    await new UserService(issuer.services).createUser(DEMO_USER, password, ['admin']);
    return { configPath, masterKeyPath, username: DEMO_USER, password };
  } finally {
    await issuer.close();
  }
}

/** Whether anything is at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
