/**
 * A gatehouse.yaml in a temporary folder (SQLite store beside it, a master key in the env given to
 * the CLI, one trusted IdP whose JWK Set is a local file), the issuer opened on that store for
 * what a test arranges behind the CLI's back (revocations, tokens no minter would sign), and
 * `gatehouse(...)` to run the CLI in-process against it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, calculateJwkThumbprint, type CryptoKey, type JWTHeaderParameters } from 'jose';
import { loadConfig } from '../../../src/config/index.ts';
import { openIssuer, type OpenIssuer } from '../../../src/issuer/open-issuer.ts';
import { runGatehouse, type CliRun } from './run.ts';

export const ISSUER = 'https://auth.test';
export const IDP = 'https://idp.test';

export const FIXTURE_YAML = `
issuer: ${ISSUER}
store: sqlite:./gatehouse.db
clients:
  - id: web
    public: true
    grants: [authorization_code, refresh_token]
    redirectUris: [https://app.test/callback]
    scopes: [openid, orders:read]
    audiences: [orders, app, status]
routes:
  - id: orders
    match: { host: api.test, path: /orders/**, methods: [GET, POST] }
    upstream: http://127.0.0.1:9001
    audience: orders
    allow:
      - role: admin
      - all: [ { scope: orders:read }, { method: GET } ]
    deny:
      - { id: blocked-net, ip: 192.0.2.0/24 }
  - id: app
    match: { host: app.test }
    upstream: http://127.0.0.1:3000
    audience: app
    allow:
      - all: [ { header: { name: X-Tenant, equals: acme } }, { authenticated: true } ]
  - id: status
    match: { host: status.test, path: /status }
    upstream: http://127.0.0.1:3001
    audience: status
    allow: [ { method: GET } ]
trust:
  - issuer: ${IDP}
    jwks: ./idp-jwks.json
    audiences: [orders]
    roles: realm_access.roles
`;

export interface TokenFixture {
  readonly dir: string;
  readonly configPath: string;
  readonly env: Readonly<Record<string, string>>;
  /** The issuer on the same store and master key as the CLI. */
  readonly issuer: OpenIssuer;
  /** `gatehouse ...argv --config <the fixture's file>`. */
  gatehouse(argv: readonly string[], options?: { stdin?: string }): Promise<CliRun>;
  /** Claims of a valid access token of ours for `orders`, with `overrides` (undefined deletes a claim). */
  claims(overrides?: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** Signs with our active key: header {alg, kid, typ: at+jwt} merged with `header`. */
  sign(claims: Readonly<Record<string, unknown>>, header?: Partial<JWTHeaderParameters>): Promise<string>;
  /** Signs as the trusted IdP (its kid, ES256, typ at+jwt unless `header` says otherwise). */
  signAsIdp(claims: Readonly<Record<string, unknown>>, header?: Partial<JWTHeaderParameters>): Promise<string>;
  close(): Promise<void>;
}

export async function openTokenFixture(): Promise<TokenFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'));
  const configPath = join(dir, 'gatehouse.yaml');
  const env = { GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64url') };
  const idpKeys = await generateKeyPair('ES256');
  const idpJwk = await exportJWK(idpKeys.publicKey);
  const idpKid = await calculateJwkThumbprint(idpJwk);
  await writeFile(join(dir, 'idp-jwks.json'), JSON.stringify({ keys: [{ ...idpJwk, kid: idpKid, alg: 'ES256', use: 'sig' }] }));
  await writeFile(configPath, FIXTURE_YAML);
  const { config } = await loadConfig(configPath, { env });
  const issuer = await openIssuer(config, { env });
  const signWith = async (key: { kid: string; alg: string; privateKey: CryptoKey }, claims: Readonly<Record<string, unknown>>, header: Partial<JWTHeaderParameters> = {}) =>
    new SignJWT({ ...claims }).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header }).sign(key.privateKey);
  return {
    dir,
    configPath,
    env,
    issuer,
    gatehouse: (argv, options = {}) => runGatehouse([...argv, '--config', configPath], { env, cwd: dir, ...options }),
    claims(overrides = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = { iss: ISSUER, sub: 'alice', aud: 'orders', exp: now + 300, iat: now, jti: randomBytes(8).toString('base64url'), client_id: 'web', roles: [] };
      for (const [name, value] of Object.entries(overrides)) {
        if (value === undefined) delete claims[name];
        else claims[name] = value;
      }
      return claims;
    },
    sign: (claims, header) => signWith(issuer.services.keys.signingKey(), claims, header),
    signAsIdp: (claims, header) => signWith({ kid: idpKid, alg: 'ES256', privateKey: idpKeys.privateKey }, claims, header),
    async close() {
      await issuer.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
