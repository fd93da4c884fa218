/**
 * Key rotation once per schedule with several replicas on one PostgreSQL schema: every lifecycle
 * step runs under keyLifecycleLock, so replicas that tick across the same boundary at the same
 * moment (each on its own pool, with injected clocks) take turns, and only the first one writes.
 */
import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { keyLifecycleLock } from '../../src/cluster/index.ts';
import { rotationDueAt } from '../../src/keys/advance-keys.ts';
import type { KeyEvent } from '../../src/keys/key-record.ts';
import { KeyManager } from '../../src/keys/key-manager.ts';
import { StoreKeyRepository } from '../../src/keys/store-key-repository.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { createTestSchema, registerPostgresSuite, type TestSchema } from '../support/postgres.ts';

const T0 = Date.UTC(2030, 0, 1);
const REPLICAS = 3;

await registerPostgresSuite('key rotation across replicas', (url) => {
  describe('key rotation across replicas on PostgreSQL', () => {
    let schema: TestSchema;
    const stores: Store[] = [];
    before(async () => {
      schema = await createTestSchema({ url });
      for (let i = 0; i < REPLICAS; i++) stores.push(await openStore(url, { schema: schema.name, poolSize: 3 }));
    });
    after(async () => {
      await Promise.all(stores.map((store) => store.close()));
      await schema?.drop();
    });

    it('replicas starting at once, then ticking at once across rotation and activation, write each step exactly once', async () => {
      const masterKey = createSecretKey(randomBytes(32));
      const now = { value: T0 };
      const events: KeyEvent[][] = stores.map(() => []);
      // All at once on an empty schema: exactly one first key.
      const managers = await Promise.all(
        stores.map((store, i) =>
          KeyManager.open({
            repository: new StoreKeyRepository(store.signingKeys, keyLifecycleLock(store)),
            masterKey,
            clock: () => now.value,
            onEvent: (event) => events[i]!.push(event),
          }),
        ),
      );
      const all = () => events.flat().map((event) => event.type).sort();
      assert.deepEqual(all(), ['key.activated', 'key.created']);
      const first = managers[0]!.signingKey().kid;
      for (const manager of managers) assert.equal(manager.signingKey().kid, first);

      // The successor is due: every replica ticks at once, and one generates it.
      const active = managers[0]!.records().find((record) => record.state === 'active')!;
      now.value = rotationDueAt(active, managers[0]!.policy);
      for (const list of events) list.length = 0;
      await Promise.all(managers.map((manager) => manager.tick()));
      const records = await stores[0]!.signingKeys.list();
      assert.deepEqual(records.map((record) => record.state).sort(), ['active', 'pending'], 'exactly one successor');
      assert.deepEqual(all(), ['key.created']);
      const successor = records.find((record) => record.state === 'pending')!;
      for (const manager of managers) assert.deepEqual(manager.jwks(), managers[0]!.jwks(), 'every replica publishes the same JWKS');
      assert.equal(managers[0]!.jwks().keys.length, 2);

      // The successor's time to sign: every replica ticks at once, and one activates it.
      now.value = successor.activatesAt;
      for (const list of events) list.length = 0;
      await Promise.all(managers.map((manager) => manager.tick()));
      assert.deepEqual(all(), ['key.activated', 'key.retiring']);
      for (const manager of managers) assert.equal(manager.signingKey().kid, successor.kid);
      assert.deepEqual((await stores[0]!.signingKeys.list()).map((record) => record.state).sort(), ['active', 'retiring']);

      // Many more ticks at once change nothing.
      for (const list of events) list.length = 0;
      now.value += 1000;
      await Promise.all(managers.flatMap((manager) => [manager.tick(), manager.tick()]));
      assert.deepEqual(all(), []);
    });
  });
});
