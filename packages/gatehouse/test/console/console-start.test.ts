/**
 * Where the console runs: with the gateway, on its control listener, unless left out
 * (`console: false`); `gatehouse start --services console` says so instead of starting anything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startGatewayHarness } from '../gateway/support/e2e-gateway-harness.ts';
import { runGatehouse } from '../cli/support/run.ts';

describe('the console comes with the gateway', () => {
  it('`gatehouse start --services console` is a usage error whose hint says where the console is', async () => {
    const run = await runGatehouse(['start', '--services', 'console']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--services: unknown part "console"/);
    assert.match(run.stderr, /the console comes with the gateway: it is served at \/console\/ on the gateway's control listener; run gateway/);
  });

  it('openGateway({ console: false }) serves no console, registers no console client and keeps no history', async () => {
    const h = await startGatewayHarness({ console: false });
    try {
      assert.equal(h.gateway.decisionHistory, undefined);
      assert.equal((await fetch(`${h.controlUrl}/console/`)).status, 404);
      assert.equal((await fetch(`${h.controlUrl}/console/api/session`)).status, 404);
      assert.equal(await h.issuer.services.clients.find('gatehouse-console'), undefined);
      assert.equal((await fetch(`${h.controlUrl}/healthz`)).status, 200);
    } finally {
      await h.close();
    }
  });

  it('by default the console client is registered while the gateway runs, and gone once it closes', async () => {
    const h = await startGatewayHarness();
    const found = await h.issuer.services.clients.find('gatehouse-console');
    assert.deepEqual([found?.source, found?.public, found?.grants, found?.audiences], ['builtin', true, ['authorization_code'], ['gatehouse-console']]);
    await h.gateway.close();
    assert.equal(await h.issuer.services.clients.find('gatehouse-console'), undefined);
    await h.close();
  });
});
