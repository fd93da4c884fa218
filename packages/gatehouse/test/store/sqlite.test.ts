import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/index.ts';
import { rejectsWithCode, runStoreContract } from './contract.ts';

const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-store-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let fresh = 0;
runStoreContract('SQLite', async () => {
  const dir = join(scratch, `contract-${++fresh}`);
  const url = `sqlite:${join(dir, 'gatehouse.db')}`;
  const handles: Store[] = [await openStore(url)];
  return {
    store: handles[0]!,
    async openAgain(options) {
      const store = await openStore(url, options);
      handles.push(store);
      return store;
    },
    async dispose() {
      await Promise.all(handles.map((store) => store.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite store', () => {
  it('opens a relative path from the working directory, creating a private folder and file, in WAL mode', async () => {
    const store = await openStore('sqlite:./data/nested/gatehouse.db', { cwd: scratch });
    try {
      const file = join(scratch, 'data', 'nested', 'gatehouse.db');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(join(scratch, 'data', 'nested')).mode & 0o777, 0o700);
      const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      assert.equal(rows[0]?.journal_mode, 'wal');
      const timeout = await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db);
      assert.ok((timeout.rows[0]?.timeout ?? 0) > 0);
      const keys = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db);
      assert.equal(keys.rows[0]?.foreign_keys, 1);
    } finally {
      await store.close();
    }
  });

  it('stores opened on one file in one process share its connection: concurrent writes queue instead of deadlocking', async () => {
    const url = `sqlite:${join(scratch, 'shared', 'gatehouse.db')}`;
    const [first, second] = await Promise.all([openStore(url), openStore(url)]);
    const writes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? first : second).revocations.add({ kind: 'token', value: `jti-${i}`, revokedAt: i })),
    );
    assert.equal(new Set(writes.map((entry) => entry.id)).size, 10);
    await first.close();
    assert.equal((await second.revocations.listActive(0)).entries.length, 10, 'closing one store leaves the other open');
    await second.close();
    const reopened = await openStore(url);
    assert.equal(await reopened.revocations.latestId(), 10);
    await reopened.close();
  });

  it('opens an in-memory store, migrated', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      assert.equal(store.dialect, 'sqlite');
      assert.deepEqual(await store.users.list(), []);
    } finally {
      await store.close();
    }
  });

  it('a file that is not a database is store_unavailable, naming the URL', async () => {
    const file = join(scratch, 'not-a-database.db');
    writeFileSync(file, 'this is not SQLite, just text long enough to fill a header page of a database file'.repeat(20));
    const error = await rejectsWithCode(openStore(`sqlite:${file}`), 'store_unavailable');
    assert.ok(error.message.includes(file), error.message);
  });

  it('a path whose folder cannot be created is store_unavailable', async () => {
    const blocker = join(scratch, 'a-file');
    writeFileSync(blocker, '');
    await rejectsWithCode(openStore(`sqlite:${join(blocker, 'sub', 'gatehouse.db')}`), 'store_unavailable');
  });

  it('refuses the PostgreSQL-only schema option and unknown URLs with store_url_invalid', async () => {
    await rejectsWithCode(openStore('sqlite::memory:', { schema: 'tenant' }), 'store_url_invalid');
    await rejectsWithCode(openStore('mysql://root@localhost/gatehouse'), 'store_url_invalid');
    await rejectsWithCode(openStore('sqlite:'), 'store_url_invalid');
  });
});
