/**
 * LISTEN/NOTIFY between replicas (src/cluster), in one process: a revocation or key change at one
 * issuer reaches another without a tick; a lost listening connection is replaced and what was
 * missed meanwhile is caught up; other schemas' notifications are ignored; SQLite has none of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { AccessTokenClaims } from '@gatehouse/verify';
import { announceChange, changeTopicFor, CoalescedTask } from '../../src/cluster/index.ts';
import type { OpenIssuer } from '../../src/issuer/open-issuer.ts';
import { startIssuer } from '../support/issuer-harness.ts';
import { createTestSchema, registerPostgresSuite, type TestSchema } from '../support/postgres.ts';
import { eventually, newMasterKey, openReplica } from './support/in-process-replicas.ts';

const ISSUER = 'http://127.0.0.1:9';
const MASTER_KEY = { value: '' };
const claims = (jti: string, sub = 'alice'): AccessTokenClaims => ({ iss: ISSUER, sub, aud: 'orders', exp: 4_102_444_800, iat: Math.floor(Date.now() / 1000), jti }) as AccessTokenClaims;

describe('change notifications: units', () => {
  it('a payload names the schema and a topic; anything else is not ours', () => {
    assert.equal(changeTopicFor('gh_a', 'gh_a revocations'), 'revocations');
    assert.equal(changeTopicFor('gh_a', 'gh_a keys'), 'keys');
    assert.equal(changeTopicFor('gh_a', 'gh_b revocations'), undefined);
    assert.equal(changeTopicFor('gh_a', 'gh_a users'), undefined);
    assert.equal(changeTopicFor('gh_a', 'gh_a'), undefined);
    assert.equal(changeTopicFor('gh_a', undefined), undefined);
  });

  it('a coalesced task asked for many times while it runs runs once more, not once per request', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const task = new CoalescedTask(async () => {
      runs++;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    const first = task.run();
    const waiting = Array.from({ length: 5 }, () => task.run());
    assert.equal(runs, 1);
    release();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(runs, 2);
    release();
    await Promise.all(waiting);
    assert.equal(runs, 2);
    await task.idle();
  });

  it('SQLite: the issuer neither listens nor announces', async () => {
    const issuer = await startIssuer();
    try {
      assert.equal(issuer.replicaSync, undefined);
    } finally {
      await issuer.close();
    }
  });
});

await registerPostgresSuite('replicas following each other through LISTEN/NOTIFY', (url) => {
  describe('replicas following each other through LISTEN/NOTIFY', () => {
    let schema: TestSchema;
    let a: OpenIssuer;
    let b: OpenIssuer;
    before(async () => {
      schema = await createTestSchema({ url });
      MASTER_KEY.value = newMasterKey();
      a = await openReplica({ url, schema: schema.name, masterKey: MASTER_KEY.value });
      b = await openReplica({ url, schema: schema.name, masterKey: MASTER_KEY.value });
      await eventually(() => a.replicaSync!.listening && b.replicaSync!.listening, 5_000, 'both listeners up');
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await schema?.drop();
    });

    it('a token, a family, a subject and a key revoked at A are refused at B without a tick', async () => {
      const isRevokedAtB = (c: AccessTokenClaims, kid = 'k-1') => b.services.revocations.isRevoked(c, kid, ISSUER);
      await a.services.revoker.revoke({ kind: 'token', value: 'jti-1', expiresAt: Date.now() + 60_000, reason: 'test' });
      await eventually(() => isRevokedAtB(claims('jti-1')) === 'token', 1_000, 'token revocation at B');
      await a.services.revoker.revoke({ kind: 'family', value: 'sid-1', expiresAt: null, reason: 'test' });
      await eventually(() => isRevokedAtB({ ...claims('jti-2'), sid: 'sid-1' } as AccessTokenClaims) === 'family', 1_000, 'family revocation at B');
      await a.services.revoker.revoke({ kind: 'subject', value: 'bob', reason: 'test' });
      await eventually(() => isRevokedAtB({ ...claims('jti-3', 'bob'), iat: Math.floor(Date.now() / 1000) - 5 }) === 'subject', 1_000, 'subject revocation at B');
      await a.services.revoker.revoke({ kind: 'key', value: 'k-9', reason: 'test' });
      await eventually(() => isRevokedAtB(claims('jti-4'), 'k-9') === 'key', 1_000, 'key revocation at B');
    });

    it('a rotation at A is published in B\'s JWKS, and a key revoked at A leaves it, without a tick', async () => {
      const added = await a.services.keys.rotate();
      await eventually(() => b.services.keys.jwks().keys.some((key) => key.kid === added.kid), 1_000, 'the new key at B');
      assert.deepEqual(b.services.keys.jwks(), a.services.keys.jwks());
      await a.services.keys.revoke(added.kid);
      await eventually(() => !b.services.keys.jwks().keys.some((key) => key.kid === added.kid), 1_000, 'the revoked key gone at B');
      assert.equal(b.services.keys.isKeyRevoked(added.kid), true);
    });

    it('a one-shot command\'s issuer (announcing, not listening, as the CLI opens it) reaches a running replica at once', async () => {
      const command = await openReplica({ url, schema: schema.name, masterKey: MASTER_KEY.value, cluster: { listen: false } });
      try {
        assert.equal(command.replicaSync, undefined);
        await command.services.revoker.revoke({ kind: 'subject', value: 'carol', reason: 'test' });
        await eventually(() => b.services.revocations.isRevoked({ ...claims('jti-5', 'carol'), iat: Math.floor(Date.now() / 1000) - 5 }, 'k-1', ISSUER) === 'subject', 1_000, 'the command\'s revocation at B');
      } finally {
        await command.close();
      }
    });

    it('a lost listening connection is replaced, and what was revoked meanwhile is caught up', async () => {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const pid = b.replicaSync!.listenerPid!;
        assert.ok(pid > 0);
        await admin.query('select pg_terminate_backend($1)', [pid]);
        await eventually(() => !b.replicaSync!.listening, 2_000, 'B noticing the loss');
        // Revoked while B's listener is down: its notification never reaches B.
        await a.services.revoker.revoke({ kind: 'token', value: 'jti-while-down', expiresAt: Date.now() + 60_000, reason: 'test' });
        await eventually(() => b.services.revocations.isRevoked(claims('jti-while-down'), 'k-1', ISSUER) === 'token', 2_000, 'catch-up after the loss');
        await eventually(() => b.replicaSync!.listening && b.replicaSync!.listenerPid !== pid, 3_000, 'a new listening connection');
        await a.services.revoker.revoke({ kind: 'token', value: 'jti-after', expiresAt: Date.now() + 60_000, reason: 'test' });
        await eventually(() => b.services.revocations.isRevoked(claims('jti-after'), 'k-1', ISSUER) === 'token', 1_000, 'notification on the new connection');
      } finally {
        await admin.end();
      }
    });

    it('notifications of another schema on the same channel are ignored', async () => {
      const other = await createTestSchema({ url });
      const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, options: `-c search_path=${other.name}`, max: 1 }) }) });
      let reads = 0;
      const original = b.services.store.revocations.changesSince.bind(b.services.store.revocations);
      b.services.store.revocations.changesSince = async (...args) => {
        reads++;
        return original(...args);
      };
      try {
        for (let i = 0; i < 5; i++) await announceChange(db, 'revocations');
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(reads, 0);
      } finally {
        b.services.store.revocations.changesSince = original;
        await db.destroy();
        await other.drop();
      }
    });
  });
});
