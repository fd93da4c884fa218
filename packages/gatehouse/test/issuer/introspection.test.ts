import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIssuer, TEST_SECRETS, type IssuerHarness } from '../support/issuer-harness.ts';
import { basic, BILLING_BASIC, claimsOf, manualClock, PORTAL_BASIC, postForm, RESOURCE_SERVER_BASIC, signIn, tokenUrl, type FormFields } from './token-helpers.ts';

const STOCK_SECRET = 'stock-server-secret-0123456789abcdefghijk';

let issuer: IssuerHarness;
let alice: string;
const clock = manualClock();
before(async () => {
  issuer = await startIssuer({
    clock: clock.now,
    extraClients: `
  - id: stock-server
    secret: "${STOCK_SECRET}"
    grants: [client_credentials]
    audiences: [stock]`,
  });
  alice = await issuer.addUser('alice', 'correct horse battery staple', ['admin']);
});
after(() => issuer.close());

const introspect = (fields: FormFields, authorization = RESOURCE_SERVER_BASIC) =>
  postForm(issuer.services.urls.introspection, fields, authorization === '' ? {} : { authorization });

async function assertInactive(fields: FormFields, authorization?: string): Promise<void> {
  const result = await introspect(fields, authorization);
  assert.equal(result.status, 200);
  assert.deepEqual(result.body, { active: false });
  assert.equal(result.headers.get('cache-control'), 'no-store');
}

describe('introspection (RFC 7662): access tokens', () => {
  it('a user\'s token for the caller\'s audience is active, with its metadata', async () => {
    const session = await signIn(issuer, { userId: alice, audience: 'orders' });
    const claims = claimsOf(session.access_token);
    const result = await introspect({ token: session.access_token, token_type_hint: 'access_token' });
    assert.equal(result.status, 200);
    assert.equal(result.headers.get('cache-control'), 'no-store');
    assert.deepEqual(result.body, {
      active: true,
      scope: 'openid profile orders:read',
      client_id: 'web',
      username: 'alice',
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      sub: alice,
      aud: ['orders', issuer.url],
      iss: issuer.url,
      jti: claims.jti,
      sid: claims.sid,
    });
  });

  it('a client_credentials token is active without a username or sid', async () => {
    const token = (await postForm(tokenUrl(issuer), { grant_type: 'client_credentials' }, { authorization: BILLING_BASIC })).body.access_token;
    const result = await introspect({ token });
    assert.equal(result.body.active, true);
    assert.equal(result.body.sub, 'billing-svc');
    assert.equal(result.body.username, undefined);
    assert.equal(result.body.sid, undefined);
  });

  it('a token for another audience → {"active":false}', async () => {
    const session = await signIn(issuer, { userId: alice, audience: 'orders' });
    await assertInactive({ token: session.access_token }, basic('stock-server', STOCK_SECRET));
    const userinfoOnly = await signIn(issuer, { userId: alice }); // aud = the issuer alone
    await assertInactive({ token: userinfoOnly.access_token });
  });

  it('revoked, tampered, ID tokens and expired tokens → {"active":false}', async () => {
    const session = await signIn(issuer, { userId: alice, audience: 'orders' });
    const [header, payload] = session.access_token.split('.');
    await assertInactive({ token: `${header}.${payload}.${'A'.repeat(86)}` });
    await assertInactive({ token: session.id_token });
    await assertInactive({ token: 'not-a-token' });

    const revoked = await signIn(issuer, { userId: alice, audience: 'orders' });
    await postForm(issuer.services.urls.revocation, { token: revoked.access_token, client_id: 'web' });
    await assertInactive({ token: revoked.access_token });

    clock.advance(10 * 60_000);
    await assertInactive({ token: session.access_token });
  });

  it('a disabled user\'s token → {"active":false}', async () => {
    const bob = await issuer.addUser('bob', 'correct horse battery staple');
    const session = await signIn(issuer, { userId: bob, audience: 'orders' });
    await issuer.services.store.users.setDisabled(bob, true, issuer.services.clock());
    await assertInactive({ token: session.access_token });
  });
});

describe('introspection (RFC 7662): refresh tokens', () => {
  it('a live refresh token of the caller is active', async () => {
    const session = await signIn(issuer, { clientId: 'portal', userId: alice });
    const result = await introspect({ token: session.refresh_token, token_type_hint: 'refresh_token' }, PORTAL_BASIC);
    assert.deepEqual(result.body, {
      active: true,
      scope: 'openid profile orders:read',
      client_id: 'portal',
      username: 'alice',
      token_type: 'refresh_token',
      sub: alice,
      iss: issuer.url,
      sid: claimsOf(session.access_token).sid,
    });
  });

  it('another client\'s, a rotated, or a revoked refresh token → {"active":false}', async () => {
    const session = await signIn(issuer, { clientId: 'portal', userId: alice });
    await assertInactive({ token: session.refresh_token }); // the resource server is not its client
    const rotated = await postForm(tokenUrl(issuer), { grant_type: 'refresh_token', refresh_token: session.refresh_token }, { authorization: PORTAL_BASIC });
    assert.equal(rotated.status, 200);
    await assertInactive({ token: session.refresh_token }, PORTAL_BASIC);
    await postForm(issuer.services.urls.revocation, { token: rotated.body.refresh_token }, { authorization: PORTAL_BASIC });
    await assertInactive({ token: rotated.body.refresh_token }, PORTAL_BASIC);
  });
});

describe('introspection (RFC 7662): the caller', () => {
  it('must authenticate as a confidential client → else invalid_client 401', async () => {
    const session = await signIn(issuer, { userId: alice, audience: 'orders' });
    const anonymous = await introspect({ token: session.access_token }, '');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error, 'invalid_client');
    const publicClient = await introspect({ token: session.access_token, client_id: 'web' }, '');
    assert.equal(publicClient.status, 401);
    assert.equal(publicClient.body.error, 'invalid_client');
    const wrong = await introspect({ token: session.access_token }, basic('resource-server', `${TEST_SECRETS.resourceServer}x`));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    assert.equal(wrong.headers.get('www-authenticate'), 'Basic realm="gatehouse"');
  });

  it('no token → invalid_request', async () => {
    const result = await introspect({});
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'invalid_request');
  });
});
