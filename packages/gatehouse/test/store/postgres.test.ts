import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.ts';
import { createTestSchema, registerPostgresSuite } from '../support/postgres.ts';
import { rejectsWithCode, runStoreContract } from './contract.ts';

const NOW = 1_700_000_000_000;

describe('PostgreSQL store, without a server', () => {
  it('an unreachable server is store_unavailable, naming the URL with its password redacted', async () => {
    const error = await rejectsWithCode(openStore('postgres://gatehouse:s3cret@127.0.0.1:1/gatehouse'), 'store_unavailable');
    assert.match(error.message, /postgres:\/\/gatehouse:\*\*\*@127\.0\.0\.1:1\/gatehouse/);
    assert.doesNotMatch(error.message, /s3cret/);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await rejectsWithCode(openStore('postgres://gatehouse@127.0.0.1:1/gatehouse', { schema: 'x; drop table users' }), 'store_url_invalid');
  });
});

await registerPostgresSuite('PostgreSQL store', (url) => {
  runStoreContract('PostgreSQL', async () => {
    const schema = await createTestSchema({ url });
    const handles: Store[] = [];
    try {
      handles.push(await openStore(url, { schema: schema.name }));
    } catch (error) {
      await schema.drop();
      throw error;
    }
    return {
      store: handles[0]!,
      async openAgain(options) {
        const store = await openStore(url, { ...options, schema: schema.name });
        handles.push(store);
        return store;
      },
      async dispose() {
        await Promise.all(handles.map((store) => store.close()));
        await schema.drop();
      },
    };
  });

  describe('PostgreSQL store: replicas', () => {
    it('several replicas starting at once on an empty database migrate it exactly once', async () => {
      const schema = await createTestSchema({ url, create: false });
      const replicas: Store[] = [];
      try {
        const opened = await Promise.allSettled(Array.from({ length: 4 }, () => openStore(url, { schema: schema.name, poolSize: 2 })));
        for (const result of opened) if (result.status === 'fulfilled') replicas.push(result.value);
        assert.deepEqual(opened.map((result) => result.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'], String(opened.find((r) => r.status === 'rejected')?.reason));
        const { rows } = await sql<{ name: string }>`select name from gatehouse_migration`.execute(replicas[0]!.db);
        assert.deepEqual(rows.map((row) => row.name), ['0001_initial']);
      } finally {
        await Promise.all(replicas.map((store) => store.close()));
        await schema.drop();
      }
    });

    it('concurrent rotations of one token from two replicas: exactly one rotates', async () => {
      const schema = await createTestSchema({ url });
      const replicas: Store[] = [];
      try {
        replicas.push(await openStore(url, { schema: schema.name }), await openStore(url, { schema: schema.name }));
        const [first, second] = replicas as [Store, Store];
        const user = await first.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
        await first.refreshTokens.createFamily({ userId: user.id, clientId: 'web', scope: 'openid', tokenHash: 'rt-1', now: NOW, idleTtl: 60_000, absoluteTtl: 600_000 });
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? first : second).refreshTokens.rotate({ oldHash: 'rt-1', newHash: `rt-2-${i}`, now: NOW + 1, idleTtl: 60_000 })),
        );
        const statuses = outcomes.map((outcome) => outcome.status);
        assert.equal(statuses.filter((status) => status === 'rotated').length, 1, statuses.join(', '));
        assert.equal(statuses.filter((status) => status === 'reused').length, 19, statuses.join(', '));
      } finally {
        await Promise.all(replicas.map((store) => store.close()));
        await schema.drop();
      }
    });

    it('starting is unaffected by other schemas of the database being dropped meanwhile', async () => {
      // Kysely's own introspector fails while any schema is being dropped; see ScopedPostgresIntrospector.
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const prefix = `gatehouse_churn_${randomBytes(4).toString('hex')}`;
      let churning = true;
      const churn = (async () => {
        for (let i = 0; churning; i++) {
          await admin.query(`create schema ${prefix}_${i}; create table ${prefix}_${i}.t (id serial primary key, note text)`);
          await admin.query(`drop schema ${prefix}_${i} cascade`);
        }
      })();
      try {
        for (let i = 0; i < 8; i++) {
          const schema = await createTestSchema({ url, create: false });
          try {
            const store = await openStore(url, { schema: schema.name, poolSize: 1 });
            await store.close();
          } finally {
            await schema.drop();
          }
        }
      } finally {
        churning = false;
        await churn;
        await admin.end();
      }
    });

    it('int8 values beyond 2^53 fail their query instead of coming back rounded', async () => {
      const schema = await createTestSchema({ url });
      const store = await openStore(url, { schema: schema.name }).catch(async (error: unknown) => {
        await schema.drop();
        throw error;
      });
      try {
        const { rows } = await sql<{ value: unknown }>`select 9007199254740991::bigint as value`.execute(store.db);
        assert.equal(rows[0]?.value, Number.MAX_SAFE_INTEGER);
        await assert.rejects(sql`select 9007199254740993::bigint as value`.execute(store.db), /beyond 2\^53/);
      } finally {
        await store.close();
        await schema.drop();
      }
    });
  });
});
