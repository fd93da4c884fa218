/**
 * The gateway's reloader and the token verifiers it builds and retires: one is built only when
 * trust or tokens.leeway changed, the replaced one is closed after the swap, one built for a
 * reload that fails anyway is closed, and the issuer's settings that a reload cannot reach are
 * named in a warning.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logger } from 'pino';
import { loadHashedConfig } from '../../src/config-reload/index.ts';
import type { GatehouseConfig } from '../../src/config/index.ts';
import type { RouteTokenVerifier } from '../../src/gateway/authn/index.ts';
import { createGatewayReloader } from '../../src/gateway/gateway-reloader.ts';
import { buildGatewayState } from '../../src/gateway/pipeline/gateway-state.ts';
import { configDir, configYaml } from '../config-reload/reload-test-helpers.ts';

interface FakeVerifier extends RouteTokenVerifier {
  readonly built: number;
}

async function harness() {
  const files = await configDir();
  const created: FakeVerifier[] = [];
  const closed: number[] = [];
  const warnings: { details: Record<string, unknown>; message: string }[] = [];
  let refuse: Error | undefined;
  const tokenVerifierFor = async (_config: GatehouseConfig): Promise<RouteTokenVerifier> => {
    if (refuse !== undefined) throw refuse;
    const built = created.length + 1;
    const verifier: FakeVerifier = {
      built,
      verifyForRoute: () => assert.fail('not used here'),
      ready: async () => {},
      close: async () => void closed.push(built),
    };
    created.push(verifier);
    return verifier;
  };
  const logger = {
    info: () => {},
    error: () => {},
    warn: (details: Record<string, unknown>, message: string) => void warnings.push({ details, message }),
  } as unknown as Logger;
  const initial = await loadHashedConfig(files.path, { env: {} });
  const reloader = createGatewayReloader({
    path: files.path,
    env: {},
    watch: false,
    initial: { config: initial.config, state: buildGatewayState(initial.config, await tokenVerifierFor(initial.config)) },
    tokenVerifierFor,
    logger,
  });
  return {
    files,
    reloader,
    created,
    closed,
    warnings,
    refuseWith: (error: Error | undefined) => void (refuse = error),
    tokensBuilt: () => (reloader.current().state.tokens as FakeVerifier).built,
  };
}

const withLeeway = (seconds: number, text = configYaml()) => `${text}tokens: { leeway: ${seconds}s }\n`;
const TWO_ROUTES = configYaml({ routes: [{ id: 'orders', path: '/orders/**' }, { id: 'billing', path: '/billing/**' }] });

describe('createGatewayReloader', () => {
  it('keeps the running verifier when trust and leeway are unchanged; builds one and closes the old one when they change', async () => {
    const h = await harness();
    try {
      await h.files.write(TWO_ROUTES);
      assert.equal((await h.reloader.reload()).status, 'swapped');
      assert.equal(h.tokensBuilt(), 1);
      assert.deepEqual(h.closed, []);

      await h.files.write(withLeeway(10, TWO_ROUTES));
      assert.equal((await h.reloader.reload()).status, 'swapped');
      assert.equal(h.tokensBuilt(), 2);
      assert.equal(h.reloader.current().state.authenticators.length, 2);
      await h.reloader.close();
      assert.deepEqual(h.closed, [1], 'the replaced verifier is closed; the running one is its owner\'s to close');
    } finally {
      await h.reloader.close();
      await h.files.remove();
    }
  });

  it('a verifier that cannot be built refuses the reload: nothing swapped, nothing closed', async () => {
    const h = await harness();
    const failure = new Error('trust[0] (https://idp.example.test): /etc/idp.jwks.json: cannot read JWK Set file (ENOENT)');
    try {
      const running = h.reloader.current();
      h.refuseWith(failure);
      await h.files.write(withLeeway(10));
      assert.deepEqual(await h.reloader.reload(), { status: 'rejected', error: failure });
      assert.equal(h.reloader.current(), running);
      assert.deepEqual(h.closed, []);
    } finally {
      await h.reloader.close();
      await h.files.remove();
    }
  });

  it('a verifier built for a reload that fails on its routes is closed; the running one is not', async () => {
    const h = await harness();
    try {
      const running = h.reloader.current();
      await h.files.write(withLeeway(10, configYaml({ routes: [{ id: 'a', path: '/orders/**' }, { id: 'b', path: '/orders/**' }] })));
      const result = await h.reloader.reload();
      assert.equal(result.status, 'rejected');
      assert.equal(h.reloader.current(), running);
      assert.equal(h.created.length, 2);
      assert.deepEqual(h.closed, [2]);
    } finally {
      await h.reloader.close();
      await h.files.remove();
    }
  });

  it('names the issuer settings a reload changed but cannot apply; the gateway\'s own are not named', async () => {
    const h = await harness();
    try {
      await h.files.write(withLeeway(10, configYaml().replace('audiences: [orders, billing]', 'audiences: [orders]')));
      assert.equal((await h.reloader.reload()).status, 'swapped');
      assert.deepEqual(h.warnings.map((warning) => warning.details), [{ settings: ['clients', 'tokens.leeway'] }]);
      assert.equal(h.warnings[0]!.message, 'the issuer applies clients, tokens.leeway on the next restart; the gateway applied this reload');

      await h.files.write(`${withLeeway(10, TWO_ROUTES.replace('audiences: [orders, billing]', 'audiences: [orders]'))}anomaly: { ip: { failures: 5 } }\n`);
      assert.equal((await h.reloader.reload()).status, 'swapped');
      assert.equal(h.warnings.length, 1, 'routes and anomaly reload at the gateway: no warning');
    } finally {
      await h.reloader.close();
      await h.files.remove();
    }
  });
});
