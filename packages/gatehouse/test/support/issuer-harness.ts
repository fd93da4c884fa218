/**
 * Starts a real issuer on 127.0.0.1 for integration tests: a generated configuration (validated
 * by the real loader), an in-memory SQLite store unless one is given, a fresh master key, and
 * the standard test clients. Everything is torn down by close().
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { parseConfig } from '../../src/config/index.ts';
import { hashPassword } from '../../src/issuer/users/password-hash.ts';
import { openIssuer, type OpenIssuer } from '../../src/issuer/open-issuer.ts';
import type { Store } from '../../src/store/index.ts';

export const TEST_SECRETS = {
  billing: 'billing-secret-0123456789abcdefghijklmnop',
  portal: 'portal-secret-0123456789abcdefghijklmnopq',
  resourceServer: 'resource-server-secret-0123456789abcdefgh',
} as const;

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

export interface IssuerHarness extends OpenIssuer {
  /** The issuer URL, e.g. http://127.0.0.1:51234 */
  readonly url: string;
  addUser(username: string, password: string, roles?: readonly string[]): Promise<string>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface HarnessOptions {
  readonly clock?: () => number;
  readonly store?: Store;
  /** Extra YAML appended under `clients:` (indented by two spaces). */
  readonly extraClients?: string;
  /** YAML for the tokens section, e.g. "{ accessTtl: 5m, refreshIdle: 1h, refreshMax: 1d }". */
  readonly tokens?: string;
  readonly algorithm?: 'ES256' | 'RS256' | 'PS256' | 'EdDSA';
}

export async function startIssuer(options: HarnessOptions = {}): Promise<IssuerHarness> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const yaml = `
issuer: ${url}
store: "sqlite::memory:"
keys: { algorithm: ${options.algorithm ?? 'ES256'} }
tokens: ${options.tokens ?? '{ accessTtl: 5m, refreshIdle: 12h, refreshMax: 7d }'}
clients:
  - id: billing-svc
    secret: \${BILLING_SECRET}
    grants: [client_credentials]
    scopes: [orders:read, orders:write]
    audiences: [orders]
    roles: [billing]
  - id: web
    public: true
    grants: [authorization_code, refresh_token]
    redirectUris: [${REDIRECT_URI}]
    scopes: [openid, profile, offline_access, orders:read]
    audiences: [orders, app]
  - id: portal
    secret: \${PORTAL_SECRET}
    grants: [authorization_code, refresh_token]
    redirectUris: [${REDIRECT_URI}]
    scopes: [openid, profile, offline_access, orders:read]
    audiences: [orders]
  - id: resource-server
    secret: \${RESOURCE_SERVER_SECRET}
    grants: [client_credentials]
    scopes: []
    audiences: [orders]
${options.extraClients ?? ''}
`;
  const env = {
    BILLING_SECRET: TEST_SECRETS.billing,
    PORTAL_SECRET: TEST_SECRETS.portal,
    RESOURCE_SERVER_SECRET: TEST_SECRETS.resourceServer,
    GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64url'),
  };
  const { config } = parseConfig(yaml, { file: 'test-gatehouse.yaml', env });
  const issuer = await openIssuer(config, { env, ...(options.clock ? { clock: options.clock } : {}), ...(options.store ? { store: options.store } : {}) });
  await issuer.app.listen({ port, host: '127.0.0.1' });
  return {
    ...issuer,
    url,
    async addUser(username, password, roles = []) {
      const clock = issuer.services.clock;
      const user = await issuer.services.store.users.create({ username, passwordHash: await hashPassword(password), roles: [...roles], now: clock() });
      return user.id;
    },
  };
}
