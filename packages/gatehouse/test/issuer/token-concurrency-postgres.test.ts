/**
 * The token endpoint's single-use guarantees over HTTP on PostgreSQL, where concurrent requests
 * really run in parallel transactions (each on its own pool connection). SQLite's single writer is
 * covered by token-refresh and token-authorization-code; skipped without a server, like the store's
 * own PostgreSQL suite.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore, type Store } from '../../src/store/index.ts';
import { startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import { createTestSchema, registerPostgresSuite, type TestSchema } from '../support/postgres.ts';
import { claimsOf, inProcessVerifier, insertCode, redeemCode, refresh, signIn } from './token-helpers.ts';

await registerPostgresSuite('token endpoint on PostgreSQL', (url) => {
  describe('token endpoint on PostgreSQL: concurrency', () => {
    let schema: TestSchema;
    let store: Store;
    let issuer: IssuerHarness;
    let alice: string;
    before(async () => {
      schema = await createTestSchema({ url });
      store = await openStore(url, { schema: schema.name });
      issuer = await startIssuer({ store });
      alice = await issuer.addUser('alice', 'correct horse battery staple');
    });
    after(async () => {
      await issuer?.close();
      await store?.close();
      await schema?.drop();
    });

    it('ten concurrent refreshes with one token: exactly one succeeds, the rest are invalid_grant', async () => {
      const first = await signIn(issuer, { userId: alice, audience: 'orders' });
      const results = await Promise.all(Array.from({ length: 10 }, () => refresh(issuer, first.refresh_token)));
      assert.equal(results.filter((result) => result.status === 200).length, 1);
      for (const result of results.filter((r) => r.status !== 200)) assert.equal(result.body.error, 'invalid_grant');
      // The others were reuse: the family is revoked, and with it the winner's tokens.
      const winner = results.find((result) => result.status === 200)!.body;
      const refused = inProcessVerifier(issuer, 'orders').verifySync(winner.access_token);
      assert.equal(refused.ok ? 'accepted' : refused.reason, 'token_revoked');
      assert.equal((await issuer.services.store.refreshTokens.findFamily(claimsOf(winner.access_token).sid))?.revokedReason, 'reuse');
    });

    it('ten concurrent redemptions of one code: exactly one succeeds', async () => {
      const issued = await insertCode(issuer, { userId: alice, audience: 'orders' });
      const results = await Promise.all(Array.from({ length: 10 }, () => redeemCode(issuer, issued)));
      assert.equal(results.filter((result) => result.status === 200).length, 1);
      for (const result of results.filter((r) => r.status !== 200)) assert.equal(result.body.error, 'invalid_grant');
    });
  });
});
