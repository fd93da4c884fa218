import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStoreUrl, redactStoreUrl } from '../../src/store/index.ts';
import { rejectsWithCode } from './contract.ts';

describe('store URL', () => {
  it('resolves SQLite paths against the working directory', () => {
    assert.deepEqual(parseStoreUrl('sqlite:./data/gatehouse.db', '/srv/gh'), { dialect: 'sqlite', filename: '/srv/gh/data/gatehouse.db' });
    assert.deepEqual(parseStoreUrl('sqlite:data.db', '/srv/gh'), { dialect: 'sqlite', filename: '/srv/gh/data.db' });
    assert.deepEqual(parseStoreUrl('sqlite:/var/lib/gh.db', '/srv/gh'), { dialect: 'sqlite', filename: '/var/lib/gh.db' });
    assert.deepEqual(parseStoreUrl('sqlite::memory:'), { dialect: 'sqlite', filename: ':memory:' });
  });

  it('passes PostgreSQL URLs through', () => {
    for (const url of ['postgres://gh@db.internal:5432/gatehouse', 'postgresql://gh:pw@db/gatehouse?sslmode=require']) {
      assert.deepEqual(parseStoreUrl(url), { dialect: 'postgres', connectionString: url });
    }
  });

  it('refuses other schemes and malformed URLs with store_url_invalid, without echoing a password', async () => {
    await rejectsWithCode(Promise.resolve().then(() => parseStoreUrl('mysql://root@localhost/db')), 'store_url_invalid');
    await rejectsWithCode(Promise.resolve().then(() => parseStoreUrl('sqlite:')), 'store_url_invalid');
    const error = await rejectsWithCode(Promise.resolve().then(() => parseStoreUrl('postgres://gh:s3cret@[bad/db')), 'store_url_invalid');
    assert.doesNotMatch(error.message, /s3cret/);
  });

  it('redacts passwords in the user part and in the query', () => {
    assert.equal(redactStoreUrl('postgres://gh:s3cret@db:5432/gatehouse'), 'postgres://gh:***@db:5432/gatehouse');
    assert.equal(redactStoreUrl('postgres://gh:s3/cr:et@db/gatehouse'), 'postgres://gh:***@db/gatehouse');
    assert.equal(redactStoreUrl('postgres://db/gatehouse?user=gh&password=s3cret&sslmode=require'), 'postgres://db/gatehouse?user=gh&password=***&sslmode=require');
    assert.equal(redactStoreUrl('postgres://gh@db:5432/gatehouse'), 'postgres://gh@db:5432/gatehouse');
    assert.equal(redactStoreUrl('sqlite:./data/gatehouse.db'), 'sqlite:./data/gatehouse.db');
  });
});
