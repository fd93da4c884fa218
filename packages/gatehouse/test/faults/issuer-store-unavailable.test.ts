/**
 * The issuer's answer to store_unavailable, whatever the store (here SQLite, with one repository
 * call made to fail): 503 temporarily_unavailable with Retry-After and no internals for the JSON
 * endpoints, the 503 page for the browser's, and still 500 server_error for anything else. The
 * real outages are in postgres-outage-e2e.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServerError } from '../../src/errors.ts';
import { startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import { authorizationParameters, authorizeUrl, browserGet, CookieJar, openSignInForm, pageErrorCode, PASSWORD, submitSignIn } from '../issuer/sign-in-helpers.ts';
import { refresh, signIn } from '../issuer/token-helpers.ts';

describe('issuer: store_unavailable is 503, not 500', () => {
  let issuer: IssuerHarness;
  let alice: string;
  before(async () => {
    issuer = await startIssuer();
    alice = await issuer.addUser('alice', PASSWORD);
  });
  after(() => issuer?.close());

  /** Makes one repository method throw `error` while `work` runs. */
  async function whileFailing<T>(repository: object, method: string, error: Error, work: () => Promise<T>): Promise<T> {
    const target = repository as Record<string, unknown>;
    target[method] = () => Promise.reject(error);
    try {
      return await work();
    } finally {
      delete target[method];
    }
  }

  const unavailable = () => new Error('grant failed', { cause: new ServerError('store_unavailable', 'The store is unavailable (PostgreSQL at postgres://gatehouse:***@db/gatehouse): connect ECONNREFUSED 10.0.0.5:5432.') });

  it('token endpoint: 503 temporarily_unavailable, Retry-After, no-store, nothing about the cause', async () => {
    const session = await signIn(issuer, { userId: alice, audience: 'orders' });
    const result = await whileFailing(issuer.services.store.refreshTokens, 'inspect', unavailable(), () => refresh(issuer, session.refresh_token));
    assert.equal(result.status, 503);
    assert.deepEqual(result.body, { error: 'temporarily_unavailable', error_description: 'the service is temporarily unavailable; try again shortly' });
    assert.equal(result.headers.get('retry-after'), '5');
    assert.equal(result.headers.get('cache-control'), 'no-store');
    // Nothing was spent: the same token refreshes once the store answers.
    assert.equal((await refresh(issuer, session.refresh_token)).status, 200);
  });

  it('any other failure is still 500 server_error', async () => {
    const session = await signIn(issuer, { userId: alice, audience: 'orders' });
    const result = await whileFailing(issuer.services.store.refreshTokens, 'inspect', new Error('a bug'), () => refresh(issuer, session.refresh_token));
    assert.equal(result.status, 500);
    assert.equal(result.body.error, 'server_error');
  });

  it('sign-in posted while the store fails: the error page with 503 and Retry-After', async () => {
    const jar = new CookieJar();
    const form = await openSignInForm(await browserGet(authorizeUrl(issuer, authorizationParameters().params), jar), jar);
    const page = await whileFailing(issuer.services.store.users, 'findByUsername', unavailable(), () => submitSignIn(issuer, form, 'alice', PASSWORD, jar));
    assert.equal(page.status, 503);
    assert.equal(page.headers.get('retry-after'), '5');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const html = await page.text();
    assert.equal(pageErrorCode(html), 'temporarily_unavailable');
    assert.doesNotMatch(html, /postgres|ECONNREFUSED/);
  });
});
