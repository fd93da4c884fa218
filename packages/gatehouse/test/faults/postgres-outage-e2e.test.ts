/**
 * PostgreSQL stopped, cut and restarted under a running issuer and gateway, over HTTP
 * (docs/reference/faults.md): the issuer answers 503 temporarily_unavailable with Retry-After at
 * once, the gateway keeps deciding on the keys and revocations it holds, both work again without
 * a restart when the server is back, and nothing committed before is lost. A token request cut
 * mid-transaction commits nothing, so it can simply be repeated.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { hashClientSecret } from '../../src/issuer/clients/client-secret.ts';
import { hashOpaqueToken } from '../../src/issuer/tokens/opaque-token.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { startGatewayHarness, type GatewayHarness } from '../gateway/support/e2e-gateway-harness.ts';
import { authorizationParameters, authorizeUrl, browserGet, clientRedirect, CookieJar, openSignInForm, pageErrorCode, PASSWORD, signInThroughBrowser, submitSignIn } from '../issuer/sign-in-helpers.ts';
import { claimsOf, basic, BILLING_BASIC, insertCode, pkcePair, postForm, redeemCode, refresh, signIn, tokenUrl, type HttpResult } from '../issuer/token-helpers.ts';
import { REDIRECT_URI } from '../support/issuer-harness.ts';
import { registerPrivatePostgresSuite, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.ts';
import { holdFirstStatement } from './fault-injection.ts';

const STORED_SECRET = 'stored-client-secret-0123456789abcdefghij';
const STORED_BASIC = basic('stored-svc', STORED_SECRET);

registerPrivatePostgresSuite('issuer and gateway through a PostgreSQL outage', () => {
  describe('issuer and gateway through a PostgreSQL outage', () => {
    let server: PrivatePostgres;
    let store: Store;
    let harness: GatewayHarness;
    let alice: string;

    before(async () => {
      server = await startPrivatePostgres();
      store = await openStore(server.url, { connectTimeoutMs: 2_000 });
      harness = await startGatewayHarness({ issuer: { store } });
      alice = await harness.issuer.addUser('alice', PASSWORD);
      const now = Date.now();
      // Clients kept in the store (as `gatehouse clients add` does), not in the configuration.
      await store.clients.create({ id: 'stored-svc', secretHash: hashClientSecret(STORED_SECRET), public: false, grants: ['client_credentials'], scopes: ['orders:read'], audiences: ['orders'], redirectUris: [], roles: ['billing'], now });
      await store.clients.create({ id: 'stored-web', secretHash: null, public: true, grants: ['authorization_code'], scopes: ['openid'], audiences: ['orders'], redirectUris: [REDIRECT_URI], roles: [], now });
    });
    after(async () => {
      // Whatever a failed test left: the server must be up for a clean close.
      await server?.start().catch(() => {});
      await harness?.close();
      await store?.close();
      await server?.close();
    });

    const gatewayGet = async (token: string): Promise<number> => (await fetch(`${harness.gatewayUrl}/orders/1`, { headers: { authorization: `Bearer ${token}` } })).status;
    const clientCredentials = (authorization: string): Promise<HttpResult> => postForm(tokenUrl(harness.issuer), { grant_type: 'client_credentials', resource: 'orders' }, { authorization });
    const liveTokensOf = (familyId: string): Promise<{ token_hash: string }[]> => server.query('select token_hash from refresh_tokens where family_id = $1 and rotated_at is null', [familyId]);

    function assertTemporarilyUnavailable(result: HttpResult, what: string): void {
      assert.equal(result.status, 503, `${what}: ${JSON.stringify(result.body)}`);
      assert.equal(result.body.error, 'temporarily_unavailable', what);
      assert.equal(typeof result.body.error_description, 'string');
      assert.doesNotMatch(JSON.stringify(result.body), /postgres|ECONN|127\.0\.0\.1/i, `${what}: no internals on the wire`);
      assert.equal(result.headers.get('retry-after'), '5', what);
      assert.equal(result.headers.get('cache-control'), 'no-store', what);
    }

    it('stopped: the issuer answers 503 at once and the gateway keeps deciding; restarted: everything works again and nothing committed is lost', async () => {
      // Committed before the outage: a session with its refresh token, a code not yet redeemed, an access token revoked.
      const session = await signIn(harness.issuer, { userId: alice, audience: 'orders' });
      const sid: string = claimsOf(session.access_token).sid;
      const pendingCode = await insertCode(harness.issuer, { userId: alice, audience: 'orders' });
      const valid = await harness.billingToken();
      const revoked = await harness.billingToken();
      assert.equal((await postForm(harness.issuer.services.urls.revocation, { token: revoked }, { authorization: BILLING_BASIC })).status, 200);
      assert.equal(await gatewayGet(valid), 200);
      assert.equal(await gatewayGet(revoked), 401);

      await server.stop();

      const started = Date.now();
      assertTemporarilyUnavailable(await refresh(harness.issuer, session.refresh_token), 'refresh_token grant');
      assert.ok(Date.now() - started < 3_000, `the 503 took ${Date.now() - started} ms`);
      assertTemporarilyUnavailable(await redeemCode(harness.issuer, pendingCode), 'authorization_code grant');
      assertTemporarilyUnavailable(await clientCredentials(STORED_BASIC), 'client_credentials for a stored client');
      assertTemporarilyUnavailable(await postForm(harness.issuer.services.urls.revocation, { token: session.refresh_token, client_id: 'web' }), 'revocation');

      // The sign-in side: a client only the store knows cannot be checked → an error page, not JSON.
      const authorize = new URL(harness.issuer.services.urls.authorize);
      for (const [name, value] of Object.entries({ client_id: 'stored-web', response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', state: 's', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })) authorize.searchParams.set(name, value);
      const page = await fetch(authorize, { redirect: 'manual' });
      assert.equal(page.status, 503);
      assert.equal(page.headers.get('retry-after'), '5');
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await page.text(), /data-error-code="temporarily_unavailable"/);

      // A configured client needs no store: its service tokens are still minted from the keys in memory.
      const minted = await clientCredentials(BILLING_BASIC);
      assert.equal(minted.status, 200);

      // The gateway decides in memory: valid tokens pass (one minted during the outage too), the revoked one stays refused.
      assert.equal(await gatewayGet(valid), 200);
      assert.equal(await gatewayGet(minted.body.access_token), 200);
      assert.equal(await gatewayGet(revoked), 401);

      await server.start();

      // The same processes, no restart: the pools reconnect on the next query.
      const rotated = await refresh(harness.issuer, session.refresh_token);
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      assert.deepEqual(await liveTokensOf(sid), [{ token_hash: hashOpaqueToken(rotated.body.refresh_token) }], 'exactly one live successor');
      assert.equal((await redeemCode(harness.issuer, pendingCode)).status, 200, 'the code the outage refused was not spent');
      assert.equal((await clientCredentials(STORED_BASIC)).status, 200);
      assert.equal(await gatewayGet(revoked), 401);
      const { entries } = await store.revocations.listActive(Date.now());
      assert.ok(entries.some((entry) => entry.kind === 'token' && entry.value === claimsOf(revoked).jti), 'the revocation is still in the store');
      assert.equal((await store.users.findById(alice))?.username, 'alice');
      // And the old refresh token stays spent: presenting it again is reuse.
      assert.equal((await refresh(harness.issuer, session.refresh_token)).body.error, 'invalid_grant');
    });

    it('the browser side: a sign-in posted during the outage gets the 503 page; a signed-in browser is redirected to its client with temporarily_unavailable', async () => {
      const signedIn = new CookieJar();
      assert.ok(clientRedirect((await signInThroughBrowser(harness.issuer, signedIn, 'alice', PASSWORD)).response)?.get('code'));
      const stranger = new CookieJar();
      // The form itself needs no store for a configured client.
      const form = await openSignInForm(await browserGet(authorizeUrl(harness.issuer, authorizationParameters().params), stranger), stranger);

      await server.stop();
      try {
        const posted = await submitSignIn(harness.issuer, form, 'alice', PASSWORD, stranger);
        assert.equal(posted.status, 503);
        assert.equal(posted.headers.get('retry-after'), '5');
        assert.equal(pageErrorCode(await posted.text()), 'temporarily_unavailable');

        const again = await browserGet(authorizeUrl(harness.issuer, authorizationParameters().params), signedIn);
        assert.equal(again.status, 303);
        const query = clientRedirect(again);
        assert.equal(query?.get('error'), 'temporarily_unavailable');
        assert.equal(query?.get('state'), 'state-123');
      } finally {
        await server.start();
      }
      const resumed = await browserGet(authorizeUrl(harness.issuer, authorizationParameters().params), signedIn);
      assert.ok(clientRedirect(resumed)?.get('code'), 'the session still works once the store is back');
    });

    it('every connection cut (pg_terminate_backend): the next requests succeed', async () => {
      const session = await signIn(harness.issuer, { userId: alice, audience: 'orders' });
      assert.ok((await server.terminateConnections()) > 0);
      await delay(100);
      const rotated = await refresh(harness.issuer, session.refresh_token);
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      assert.equal((await clientCredentials(STORED_BASIC)).status, 200);
    });

    it('the server stopped in the middle of a refresh rotation: 503, and after the restart the same refresh token rotates once', async () => {
      const session = await signIn(harness.issuer, { userId: alice, audience: 'orders' });
      const sid: string = claimsOf(session.access_token).sid;
      const held = await holdFirstStatement(server, 'refresh_tokens', 'before update');
      const pending = refresh(harness.issuer, session.refresh_token);
      await held.sleeping;
      await server.stop();
      assertTemporarilyUnavailable(await pending, 'refresh cut mid-rotation');
      await server.start();
      await held.remove();
      assert.deepEqual(await liveTokensOf(sid), [{ token_hash: hashOpaqueToken(session.refresh_token) }], 'nothing committed: the old token is the live one');
      const retried = await refresh(harness.issuer, session.refresh_token);
      assert.equal(retried.status, 200, JSON.stringify(retried.body));
      assert.deepEqual(await liveTokensOf(sid), [{ token_hash: hashOpaqueToken(retried.body.refresh_token) }]);
    });

    it('the connection cut while a code redemption writes its session: 503, the code is not spent, and redeeming it again works', async () => {
      const issued = await insertCode(harness.issuer, { userId: alice, audience: 'orders' });
      const held = await holdFirstStatement(server, 'refresh_tokens', 'after insert');
      try {
        const pending = redeemCode(harness.issuer, issued);
        await held.terminate();
        assertTemporarilyUnavailable(await pending, 'code redemption cut mid-transaction');
      } finally {
        await held.remove();
      }
      const [row] = await server.query<{ consumed_at: number | null }>('select consumed_at from authorization_codes where code_hash = $1', [hashOpaqueToken(issued.code)]);
      assert.equal(row?.consumed_at, null);
      const again = await redeemCode(harness.issuer, issued);
      assert.equal(again.status, 200, JSON.stringify(again.body));
    });
  });
});
