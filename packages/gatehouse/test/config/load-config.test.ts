import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { ServerError } from '../../src/errors.ts';
import { ConfigInvalidError, loadConfig, type ConfidentialClientConfig } from '../../src/config/index.ts';
import { SECRET } from './config-test-helpers.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const DESIGN_EXAMPLE = join(FIXTURES, 'design-example.yaml');

describe('loadConfig', () => {
  it('loads the DESIGN.md example and normalizes it', async () => {
    const { config, warnings } = await loadConfig(DESIGN_EXAMPLE, { env: { BILLING_SECRET: SECRET } });
    assert.deepEqual(warnings, []);
    assert.equal(config.issuer, 'https://auth.example.com');
    assert.deepEqual(config.listen, { gateway: { host: '0.0.0.0', port: 8080 }, issuer: { host: '0.0.0.0', port: 9000 }, control: { host: '0.0.0.0', port: 4000 } });
    // sqlite paths resolve against the configuration file's directory.
    assert.deepEqual(config.store, { dialect: 'sqlite', filename: join(FIXTURES, 'data', 'gatehouse.db') });
    assert.deepEqual(config.keys, { algorithm: 'ES256', rotateEverySeconds: 86_400, masterKeyFile: null });
    assert.deepEqual(config.tokens, { accessTtlSeconds: 300, refreshIdleSeconds: 43_200, refreshMaxSeconds: 604_800, leewaySeconds: 30 });

    const [billing, web] = config.clients;
    assert.equal(billing?.public, false);
    assert.equal((billing as ConfidentialClientConfig).secret.reveal(), SECRET);
    assert.deepEqual({ ...billing, secret: undefined }, {
      id: 'billing-svc', public: false, secret: undefined, grants: ['client_credentials'], scopes: ['orders:read'],
      audiences: ['orders'], redirectUris: [], roles: ['billing'],
    });
    assert.deepEqual(web, {
      id: 'web', public: true, grants: ['authorization_code', 'refresh_token'], scopes: ['openid', 'profile', 'orders:read'],
      audiences: ['orders', 'app'], redirectUris: ['https://app.example.com/callback'], roles: [],
    });

    assert.deepEqual(config.routes[0], {
      id: 'orders',
      match: { host: 'api.example.com', path: '/orders/**', methods: ['GET', 'POST'] },
      upstream: 'http://127.0.0.1:9001/',
      audience: 'orders',
      login: null,
      allow: [
        { id: 'allow[0]', kind: 'roles', match: 'any', roles: ['admin'] },
        {
          id: 'allow[1]',
          kind: 'all',
          conditions: [
            { id: 'allow[1].all[0]', kind: 'scope', scopes: ['orders:read'] },
            { id: 'allow[1].all[1]', kind: 'method', methods: ['GET'] },
          ],
        },
      ],
      deny: [{ id: 'deny[0]', kind: 'not', condition: { id: 'deny[0].not', kind: 'ip', ranges: [{ family: 'ipv4', address: '10.0.0.0', prefixLength: 8 }] } }],
      stripHeaders: [],
      forwardToken: false,
    });
    assert.deepEqual(config.routes[1], {
      id: 'app',
      match: { host: 'app.example.com', path: null, methods: null },
      upstream: 'http://127.0.0.1:3000/',
      audience: 'app',
      login: 'browser',
      allow: [{ id: 'allow[0]', kind: 'authenticated', authenticated: true }],
      deny: [],
      stripHeaders: [],
      forwardToken: false,
    });
    assert.deepEqual(config.trust, [{
      issuer: 'https://idp.example.com',
      jwks: { kind: 'remote', url: 'https://idp.example.com/.well-known/jwks.json' },
      audiences: ['orders'],
      rolesClaim: ['realm_access', 'roles'],
      algorithms: ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'],
      typ: 'at+jwt',
    }]);
  });

  it('returns a deeply frozen configuration', async () => {
    const loaded = await loadConfig(DESIGN_EXAMPLE, { env: { BILLING_SECRET: SECRET } });
    assert.ok(Object.isFrozen(loaded));
    assert.ok(Object.isFrozen(loaded.config.routes[0]!.allow[1]));
    assert.ok(Object.isFrozen(loaded.config.routes[0]!.match.methods));
    assert.throws(() => {
      (loaded.config.tokens as { accessTtlSeconds: number }).accessTtlSeconds = 86_400;
    }, TypeError);
  });

  it('never prints a client secret, in inspect, JSON or string form', async () => {
    const { config } = await loadConfig(DESIGN_EXAMPLE, { env: { BILLING_SECRET: SECRET } });
    const dumps = [inspect(config, { depth: null }), JSON.stringify(config), String((config.clients[0] as ConfidentialClientConfig).secret)];
    for (const dump of dumps) {
      assert.ok(!dump.includes(SECRET), dump);
      assert.ok(dump.includes('[redacted]'));
    }
  });

  it('refuses with config_invalid when the example lacks its environment variable', async () => {
    await assert.rejects(loadConfig(DESIGN_EXAMPLE, { env: {} }), (error: unknown) => {
      assert.ok(error instanceof ConfigInvalidError);
      assert.equal(error.file, DESIGN_EXAMPLE);
      assert.deepEqual(error.issues.map((issue) => [issue.kind, issue.path, issue.line, issue.column]), [['missing_variable', 'clients[0].secret', 8, 13]]);
      return true;
    });
  });

  describe('unreadable files', () => {
    let dir: string;
    after(async () => {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('a missing file is config_unreadable, with the path and the OS reason', async () => {
      const missing = join(FIXTURES, 'does-not-exist.yaml');
      await assert.rejects(loadConfig(missing, { env: {} }), (error: unknown) => {
        assert.ok(error instanceof ServerError);
        assert.equal(error.code, 'config_unreadable');
        assert.match(error.message, new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such file \\(ENOENT\\)`));
        assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
        return true;
      });
    });

    it('a directory is config_unreadable', async () => {
      await assert.rejects(loadConfig(FIXTURES, { env: {} }), (error: unknown) => {
        assert.ok(error instanceof ServerError);
        assert.equal(error.code, 'config_unreadable');
        assert.match(error.message, /it is a directory \(EISDIR\)/);
        return true;
      });
    });

    it('a file without read permission is config_unreadable', { skip: process.getuid?.() === 0 ? 'root reads any file' : false }, async () => {
      dir = await mkdtemp(join(tmpdir(), 'gatehouse-config-'));
      const locked = join(dir, 'gatehouse.yaml');
      await writeFile(locked, 'issuer: https://auth.example.com\n');
      await chmod(locked, 0o000);
      await assert.rejects(loadConfig(locked, { env: {} }), (error: unknown) => error instanceof ServerError && error.code === 'config_unreadable' && /permission denied \(EACCES\)/.test(error.message));
    });

    it('a file that is not UTF-8 is config_unreadable', async () => {
      dir ??= await mkdtemp(join(tmpdir(), 'gatehouse-config-'));
      const binary = join(dir, 'latin1.yaml');
      await writeFile(binary, Buffer.from([0x69, 0x73, 0x73, 0x75, 0x65, 0x72, 0x3a, 0x20, 0xe9, 0x0a]));
      await assert.rejects(loadConfig(binary, { env: {} }), (error: unknown) => error instanceof ServerError && error.code === 'config_unreadable' && /not UTF-8/.test(error.message));
    });

    it('resolves relative paths in the file against its directory', async () => {
      dir ??= await mkdtemp(join(tmpdir(), 'gatehouse-config-'));
      const file = join(dir, 'relative.yaml');
      await writeFile(file, [
        'issuer: https://auth.example.com',
        'store: sqlite:state/gatehouse.db',
        'keys: { masterKeyFile: ./secrets/master.key }',
        'trust:',
        '  - { issuer: https://idp.example.com, jwks: ./idp-jwks.json, audiences: [orders] }',
        '',
      ].join('\n'));
      const { config } = await loadConfig(file, { env: {} });
      assert.deepEqual(config.store, { dialect: 'sqlite', filename: join(dir, 'state', 'gatehouse.db') });
      assert.equal(config.keys.masterKeyFile, join(dir, 'secrets', 'master.key'));
      assert.deepEqual(config.trust[0]!.jwks, { kind: 'file', path: join(dir, 'idp-jwks.json') });
    });
  });
});
