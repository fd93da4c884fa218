/**
 * A folder with a gatehouse.yaml on a SQLite store in it, for the admin commands' tests: run
 * commands against it in-process, and open an issuer on the same store, as a running server would
 * be, to see what a command changed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessTokenClaims } from '@gatehouse/verify';
import { loadConfig } from '../../../src/config/index.ts';
import { openIssuer, type OpenIssuer } from '../../../src/issuer/open-issuer.ts';
import { TEST_SECRETS } from '../../support/issuer-harness.ts';
import { runGatehouse, type CliRun, type RunOptions } from './run.ts';

export const ISSUER = 'http://127.0.0.1:9000';

export const CONFIG_YAML = `issuer: ${ISSUER}
store: sqlite:./data/gatehouse.db
clients:
  - id: billing-svc
    secret: \${BILLING_SECRET}
    grants: [client_credentials]
    scopes: [orders:read]
    audiences: [orders]
    roles: [billing]
`;

export const PASSWORD = 'correct horse battery staple';

export interface AdminFixture {
  readonly dir: string;
  /** The configuration file's absolute path. */
  readonly configPath: string;
  readonly env: Readonly<Record<string, string>>;
  /** `gatehouse ...argv` in the folder, with the master key and the client secret in the environment. */
  run(argv: readonly string[], options?: RunOptions): Promise<CliRun>;
  /** `users add NAME --password-stdin`; resolves the new user's id. */
  addUser(name: string, roles?: readonly string[]): Promise<string>;
  /** An issuer on the folder's configuration and store (a running server); closed by dispose(). */
  openIssuer(): Promise<OpenIssuer>;
  dispose(): Promise<void>;
}

export async function adminFixture(): Promise<AdminFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'));
  const configPath = join(dir, 'gatehouse.yaml');
  await writeFile(configPath, CONFIG_YAML);
  const env = { GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64url'), BILLING_SECRET: TEST_SECRETS.billing };
  const issuers: OpenIssuer[] = [];
  const run = (argv: readonly string[], options: RunOptions = {}) => runGatehouse(argv, { cwd: dir, env, ...options });
  return {
    dir,
    configPath,
    env,
    run,
    async addUser(name, roles = []) {
      const added = await run(['users', 'add', name, '--password-stdin', ...(roles.length === 0 ? [] : ['--roles', roles.join(',')])], { stdin: `${PASSWORD}\n` });
      const id = /\(id ([0-9a-f-]+)\)/.exec(added.stdout)?.[1];
      if (added.code !== 0 || id === undefined) throw new Error(`users add ${name} failed: ${added.stderr}`);
      return id;
    },
    async openIssuer() {
      const { config } = await loadConfig(configPath, { env });
      const issuer = await openIssuer(config, { env });
      issuers.push(issuer);
      return issuer;
    },
    async dispose() {
      await Promise.all(issuers.map((issuer) => issuer.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The claims revocation looks at, for asking a RevocationState about a token without minting one. */
export function claimsOf(fields: { sub: string; sid?: string; iat?: number; jti?: string }): AccessTokenClaims {
  const iat = fields.iat ?? Math.floor(Date.now() / 1000) - 1;
  return { iss: ISSUER, aud: 'orders', exp: iat + 300, client_id: 'web', jti: fields.jti ?? randomBytes(8).toString('hex'), ...fields, iat };
}

/** `gatehouse: message` and its `→ hint` line, as the runner prints them. */
export function errorText(message: string, hint?: string): string {
  return `gatehouse: ${message}\n${hint === undefined ? '' : `  → ${hint}\n`}`;
}
