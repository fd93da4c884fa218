import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import { BILLING_BASIC, postForm, readResult, signIn, tokenUrl, type HttpResult } from './token-helpers.ts';

let issuer: IssuerHarness;
let alice: string;
before(async () => {
  issuer = await startIssuer();
  alice = await issuer.addUser('Alice', 'correct horse battery staple', ['admin', 'ops']);
});
after(() => issuer.close());

const userinfoUrl = () => issuer.services.urls.userinfo;
const getUserinfo = async (headers: Record<string, string> = {}, query = ''): Promise<HttpResult> => readResult(await fetch(`${userinfoUrl()}${query}`, { headers }));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function assertBearerError(result: HttpResult, status: number, error: string): void {
  assert.equal(result.status, status);
  assert.equal(result.body.error, error);
  assert.match(result.headers.get('www-authenticate') ?? '', new RegExp(`^Bearer realm="gatehouse", error="${error}"`));
}

describe('userinfo', () => {
  it('GET with a Bearer header returns sub, preferred_username and roles', async () => {
    const { access_token: token } = await signIn(issuer, { userId: alice });
    const result = await getUserinfo(bearer(token));
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, { sub: alice, preferred_username: 'Alice', roles: ['admin', 'ops'] });
    assert.equal(result.headers.get('cache-control'), 'no-store');
  });

  it('POST with access_token in a form body', async () => {
    const { access_token: token } = await signIn(issuer, { userId: alice });
    const result = await postForm(userinfoUrl(), { access_token: token });
    assert.equal(result.status, 200);
    assert.equal(result.body.sub, alice);
  });

  it('a token for an API audience with openid is accepted too (the issuer is among its audiences)', async () => {
    const { access_token: token } = await signIn(issuer, { userId: alice, audience: 'orders' });
    assert.equal((await getUserinfo(bearer(token))).status, 200);
  });

  it('without the profile scope, no preferred_username', async () => {
    const { access_token: token } = await signIn(issuer, { userId: alice, scope: 'openid' });
    const result = await getUserinfo(bearer(token));
    assert.deepEqual(result.body, { sub: alice, roles: ['admin', 'ops'] });
  });

  it('no token → 401 with a bare Bearer challenge', async () => {
    const result = await getUserinfo();
    assert.equal(result.status, 401);
    assert.equal(result.headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
  });

  it('an invalid, foreign-audience or tampered token → invalid_token 401', async () => {
    const { access_token: token } = await signIn(issuer, { userId: alice });
    const tampered = `${token.slice(0, -4)}AAAA`;
    const service = (await postForm(tokenUrl(issuer), { grant_type: 'client_credentials' }, { authorization: BILLING_BASIC })).body.access_token;
    const { id_token: idToken } = await signIn(issuer, { userId: alice });
    for (const candidate of ['not-a-jwt', tampered, service, idToken]) assertBearerError(await getUserinfo(bearer(candidate)), 401, 'invalid_token');
  });

  it('a token without openid (for an API only) → invalid_token: userinfo is not its audience', async () => {
    const { access_token: token } = await signIn(issuer, { userId: alice, scope: 'orders:read', audience: 'orders' });
    assertBearerError(await getUserinfo(bearer(token)), 401, 'invalid_token');
  });

  it('a token of a revoked session → invalid_token', async () => {
    const { access_token: token, refresh_token: refreshToken } = await signIn(issuer, { userId: alice });
    await postForm(issuer.services.urls.revocation, { token: refreshToken, client_id: 'web' });
    assertBearerError(await getUserinfo(bearer(token)), 401, 'invalid_token');
  });

  it('a disabled user → invalid_token', async () => {
    const bob = await issuer.addUser('bob', 'correct horse battery staple');
    const { access_token: token } = await signIn(issuer, { userId: bob });
    await issuer.services.store.users.setDisabled(bob, true, issuer.services.clock());
    assertBearerError(await getUserinfo(bearer(token)), 401, 'invalid_token');
  });

  it('openid missing from the scope → insufficient_scope 403', async () => {
    // A token minted for the issuer audience without openid: only an operator's mint can make one.
    const minted = await issuer.services.mintAccessToken({ subject: alice, audience: issuer.url, clientId: 'web', scopes: ['profile'] });
    const result = await getUserinfo(bearer(minted.token));
    assertBearerError(result, 403, 'insufficient_scope');
    assert.match(result.headers.get('www-authenticate') ?? '', /scope="openid"/);
  });

  it('a token in the query string, or sent two ways at once → invalid_request 400', async () => {
    const { access_token: token } = await signIn(issuer, { userId: alice });
    assertBearerError(await getUserinfo({}, `?access_token=${token}`), 400, 'invalid_request');
    assertBearerError(await postForm(userinfoUrl(), { access_token: token }, bearer(token)), 400, 'invalid_request');
    assertBearerError(await getUserinfo({ authorization: 'Basic abc' }), 400, 'invalid_request');
  });
});
