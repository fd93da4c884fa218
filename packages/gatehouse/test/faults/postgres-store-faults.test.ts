/**
 * The store when PostgreSQL goes away under it and comes back (docs/reference/faults.md), on a
 * private cluster this file starts, stops and cuts: every failure is store_unavailable, fast; the
 * same store works again once the server does, with nothing committed lost; and a refresh rotation
 * cut at any statement leaves the old token either rotated once or untouched, never two live
 * successors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ServerError } from '../../src/errors.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { registerPrivatePostgresSuite, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.ts';
import { holdFirstStatement, waitForLockWaiter } from './fault-injection.ts';

const HOUR = 3_600_000;

async function rejectsUnavailable(promise: Promise<unknown>): Promise<ServerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ServerError, `not a ServerError: ${String(error)}`);
    assert.equal(error.code, 'store_unavailable', error.message);
    return error;
  }
  assert.fail('expected store_unavailable, but it resolved');
}

registerPrivatePostgresSuite('PostgreSQL store faults', () => {
  describe('PostgreSQL store faults', () => {
    let server: PrivatePostgres;
    let store: Store;
    let userId: string;
    let sequence = 0;

    before(async () => {
      server = await startPrivatePostgres();
      // Trust authentication ignores the password: it is here to show it never reaches a message.
      store = await openStore(server.url.replace('postgres@', 'postgres:s3cret@'), { connectTimeoutMs: 2_000 });
      userId = (await store.users.create({ username: 'alice', passwordHash: 'h', now: Date.now() })).id;
    });
    after(async () => {
      await store?.close();
      await server?.close();
    });

    /** A family with one live refresh token, `<prefix>-0`. */
    async function newFamily(): Promise<{ familyId: string; token: string; prefix: string }> {
      const prefix = `rt${(sequence += 1)}`;
      const family = await store.refreshTokens.createFamily({ userId, clientId: 'web', scope: 'openid', tokenHash: `${prefix}-0`, now: Date.now(), idleTtl: HOUR, absoluteTtl: 24 * HOUR });
      return { familyId: family.id, token: `${prefix}-0`, prefix };
    }

    async function tokensOf(familyId: string): Promise<{ token_hash: string; rotated_at: number | null; successor_hash: string | null }[]> {
      return server.query('select token_hash, rotated_at, successor_hash from refresh_tokens where family_id = $1 order by created_at, token_hash', [familyId]);
    }

    const rotate = (oldHash: string, newHash: string) => store.refreshTokens.rotate({ oldHash, newHash, now: Date.now(), idleTtl: HOUR });

    it('server stopped: every query fails fast as store_unavailable, naming the server without the password', async () => {
      await server.stop();
      try {
        const started = Date.now();
        const error = await rejectsUnavailable(store.users.findById(userId));
        assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
        assert.match(error.message, /PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres/);
        assert.doesNotMatch(error.message, /s3cret/);
        await rejectsUnavailable(store.transaction((repositories) => repositories.users.list()));
        await rejectsUnavailable(rotate('rt-none', 'rt-none-1'));
      } finally {
        await server.start();
      }
      // The same store, not reopened: the pool connects again on the next query.
      assert.equal((await store.users.findById(userId))?.username, 'alice');
    });

    it('what was committed before a crash (immediate stop) is there after the restart', async () => {
      const { familyId, token, prefix } = await newFamily();
      assert.equal((await rotate(token, `${prefix}-1`)).status, 'rotated');
      await server.restart('immediate');
      const tokens = await tokensOf(familyId);
      assert.deepEqual(tokens.map((row) => [row.token_hash, row.successor_hash]), [[token, `${prefix}-1`], [`${prefix}-1`, null]]);
      assert.equal((await rotate(`${prefix}-1`, `${prefix}-2`)).status, 'rotated');
    });

    it('idle connections cut (pg_terminate_backend): the pool drops them and the next queries open new ones', async () => {
      await Promise.all(Array.from({ length: 5 }, () => store.users.list()));
      assert.ok((await server.terminateConnections()) > 0, 'the pool had connections to cut');
      await delay(100);
      const results = await Promise.all(Array.from({ length: 10 }, () => store.users.findById(userId)));
      assert.ok(results.every((user) => user?.username === 'alice'));
    });

    it('the connection cut between two statements of a transaction: no crash, store_unavailable, nothing of it committed', async () => {
      // pg-pool listens for errors only on idle clients: without the store's own listener the
      // server's FATAL message, arriving while this one is checked out, would end the process.
      await rejectsUnavailable(
        store.transaction(async (repositories) => {
          await repositories.users.create({ username: 'bob', passwordHash: 'h', now: Date.now() });
          await server.terminateConnections();
          await delay(200);
          return repositories.users.list();
        }),
      );
      assert.equal(await store.users.findByUsername('bob'), undefined);
      assert.equal((await store.users.findById(userId))?.username, 'alice');
    });

    it('no free pool connection within the connect timeout is store_unavailable too', async () => {
      const small = await openStore(server.url, { poolSize: 1, connectTimeoutMs: 300 });
      let release!: () => void;
      const held = small.transaction(() => new Promise<void>((resolve) => (release = resolve)));
      try {
        await delay(50);
        const started = Date.now();
        const error = await rejectsUnavailable(small.users.list());
        assert.ok(Date.now() - started < 2_000);
        assert.match(error.message, /timeout/);
      } finally {
        release();
        await held;
      }
      assert.equal((await small.users.list()).length, 1);
      await small.close();
    });

    it('a unique violation is still store_conflict, not store_unavailable', async () => {
      await assert.rejects(store.users.create({ username: 'alice', passwordHash: 'h', now: Date.now() }), (error: unknown) => error instanceof ServerError && error.code === 'store_conflict');
    });

    describe('refresh rotation cut mid-transaction', () => {
      it('connection cut after the family is locked (at the UPDATE): nothing committed, the old token rotates once later', async () => {
        const { familyId, token, prefix } = await newFamily();
        const held = await holdFirstStatement(server, 'refresh_tokens', 'before update');
        try {
          const rotation = rotate(token, `${prefix}-lost`);
          rotation.catch(() => {});
          await held.terminate();
          await rejectsUnavailable(rotation);
        } finally {
          await held.remove();
        }
        assert.deepEqual((await tokensOf(familyId)).map((row) => [row.token_hash, row.rotated_at]), [[token, null]], 'the old token is untouched and live');
        assert.equal((await rotate(token, `${prefix}-1`)).status, 'rotated');
        const tokens = await tokensOf(familyId);
        assert.deepEqual(tokens.filter((row) => row.rotated_at === null).map((row) => row.token_hash), [`${prefix}-1`], 'one live successor');
      });

      it('server stopped while the successor is being written (the last statement): after the restart, no successor, and the old token rotates once', async () => {
        const { familyId, token, prefix } = await newFamily();
        const held = await holdFirstStatement(server, 'refresh_tokens', 'after insert');
        const rotation = rotate(token, `${prefix}-lost`);
        rotation.catch(() => {});
        await held.sleeping;
        await server.stop('fast');
        await rejectsUnavailable(rotation);
        await server.start();
        await held.remove();
        assert.deepEqual((await tokensOf(familyId)).map((row) => [row.token_hash, row.rotated_at]), [[token, null]]);
        assert.equal((await rotate(token, `${prefix}-1`)).status, 'rotated');
        assert.equal((await tokensOf(familyId)).filter((row) => row.rotated_at === null).length, 1);
      });

      it('two rotations of one token, the first cut while the second waits on its lock: the second rotates, one live successor', async () => {
        const { familyId, token, prefix } = await newFamily();
        const held = await holdFirstStatement(server, 'refresh_tokens', 'before update');
        try {
          const first = rotate(token, `${prefix}-first`);
          first.catch(() => {});
          await held.sleeping;
          const second = rotate(token, `${prefix}-second`);
          await waitForLockWaiter(server);
          await held.terminate();
          await rejectsUnavailable(first);
          assert.equal((await second).status, 'rotated');
        } finally {
          await held.remove();
        }
        const tokens = await tokensOf(familyId);
        assert.deepEqual(
          tokens.map((row) => [row.token_hash, row.successor_hash]),
          [[token, `${prefix}-second`], [`${prefix}-second`, null]],
        );
        // The cut one's retry is now a reuse: the family is revoked, as for any replay.
        assert.equal((await rotate(token, `${prefix}-retry`)).status, 'reused');
      });
    });
  });
});
