import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { REDIRECT_URI, startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import { claimsOf, inProcessVerifier, insertCode, redeemCode, refresh, signIn } from './token-helpers.ts';
import { ServerError } from '../../src/errors.ts';

let issuer: IssuerHarness;
let alice: string;
let jwks: ReturnType<typeof createRemoteJWKSet>;
before(async () => {
  issuer = await startIssuer({
    extraClients: `
  - id: code-only
    public: true
    grants: [authorization_code]
    redirectUris: [${REDIRECT_URI}]
    scopes: [openid, orders:read]
    audiences: [orders]`,
  });
  alice = await issuer.addUser('alice', 'correct horse battery staple', ['admin']);
  jwks = createRemoteJWKSet(new URL(issuer.services.urls.jwks));
});
after(() => issuer.close());

const atHash = (token: string) => createHash('sha256').update(token).digest().subarray(0, 16).toString('base64url');

describe('authorization_code: success', () => {
  it('issues access, ID and refresh tokens for an openid sign-in', async () => {
    const authTime = issuer.services.clock() - 5000;
    const body = await signIn(issuer, { userId: alice, audience: 'orders', nonce: 'nonce-123', authTime });
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 300);
    assert.equal(body.scope, 'openid profile orders:read');
    assert.match(body.refresh_token, /^[A-Za-z0-9_-]{43}$/);

    const access = await jwtVerify(body.access_token, jwks, { typ: 'at+jwt', issuer: issuer.url, audience: 'orders' });
    assert.deepEqual(access.payload.aud, ['orders', issuer.url]); // the issuer too: userinfo accepts it
    assert.equal(access.payload.sub, alice);
    assert.equal(access.payload.client_id, 'web');
    assert.deepEqual(access.payload.roles, ['admin']);
    assert.equal(typeof access.payload.sid, 'string');

    const id = await jwtVerify(body.id_token, jwks, { typ: 'JWT', issuer: issuer.url, audience: 'web' });
    assert.equal(id.protectedHeader.typ, 'JWT');
    assert.equal(id.protectedHeader.kid, access.protectedHeader.kid);
    assert.equal(id.payload.sub, alice);
    assert.equal(id.payload.aud, 'web');
    assert.equal(id.payload.nonce, 'nonce-123');
    assert.equal(id.payload.auth_time, Math.floor(authTime / 1000));
    assert.equal(id.payload.sid, access.payload.sid);
    assert.equal(id.payload.at_hash, atHash(body.access_token));
    assert.equal((id.payload.exp as number) - (id.payload.iat as number), 300);

    // The session family the refresh token belongs to is the sid.
    const family = await issuer.services.store.refreshTokens.findFamily(access.payload.sid as string);
    assert.equal(family?.clientId, 'web');
    assert.equal(family?.userId, alice);

    // An ID token is never an access token.
    const refused = inProcessVerifier(issuer, 'web').verifySync(body.id_token);
    assert.equal(refused.ok ? 'accepted' : refused.reason, 'wrong_typ');
  });

  it('a confidential client authenticates with Basic; its one audience is the default', async () => {
    const body = await signIn(issuer, { clientId: 'portal', userId: alice });
    const claims = claimsOf(body.access_token);
    assert.deepEqual(claims.aud, ['orders', issuer.url]);
    assert.equal(claims.client_id, 'portal');
    assert.equal(typeof body.refresh_token, 'string');
  });

  it('without openid: no ID token, and the issuer is not an audience', async () => {
    const body = await signIn(issuer, { clientId: 'portal', userId: alice, scope: 'orders:read' });
    assert.equal(body.id_token, undefined);
    assert.equal(body.scope, 'orders:read');
    assert.equal(claimsOf(body.access_token).aud, 'orders');
  });

  it('a nonce is echoed only when the authorization request had one', async () => {
    const body = await signIn(issuer, { userId: alice, nonce: null });
    assert.equal(claimsOf(body.id_token).nonce, undefined);
  });

  it('a client without the refresh_token grant gets no refresh token, but the tokens still carry a sid', async () => {
    const body = await signIn(issuer, { clientId: 'code-only', userId: alice, scope: 'openid orders:read' });
    assert.equal(body.refresh_token, undefined);
    assert.equal(typeof claimsOf(body.access_token).sid, 'string');
    assert.equal(claimsOf(body.id_token).sid, claimsOf(body.access_token).sid);
  });

  it('scopes no longer allowed to the client are dropped', async () => {
    const body = await signIn(issuer, { clientId: 'code-only', userId: alice, scope: 'openid orders:read orders:write' });
    assert.equal(body.scope, 'openid orders:read');
  });
});

describe('authorization_code: audience (RFC 8707)', () => {
  it('no resource and several client audiences: with openid the token is for userinfo only', async () => {
    const body = await signIn(issuer, { userId: alice });
    assert.equal(claimsOf(body.access_token).aud, issuer.url);
  });

  it('no resource, several audiences and no openid → invalid_target', async () => {
    const result = await redeemCode(issuer, await insertCode(issuer, { userId: alice, scope: 'orders:read' }));
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'invalid_target');
  });

  it('resource at the token request picks one of the client\'s audiences when the code names none', async () => {
    const body = await signIn(issuer, { userId: alice, extra: { resource: 'app' } });
    assert.deepEqual(claimsOf(body.access_token).aud, ['app', issuer.url]);
  });

  it('resource at the token request must match the code\'s audience → else invalid_target', async () => {
    const result = await redeemCode(issuer, await insertCode(issuer, { userId: alice, audience: 'orders' }), 'web', { resource: 'app' });
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'invalid_target');
  });
});

describe('authorization_code: refusals', () => {
  it('PKCE: a missing or malformed code_verifier → invalid_grant, and the code survives for the real client', async () => {
    const issued = await insertCode(issuer, { userId: alice });
    for (const codeVerifier of [undefined, 'short', 'x'.repeat(129), `${'a'.repeat(42)}!`, `${'a'.repeat(42)} `]) {
      const result = await redeemCode(issuer, issued, 'web', { code_verifier: codeVerifier });
      assert.equal(result.status, 400, String(codeVerifier));
      assert.equal(result.body.error, 'invalid_grant', String(codeVerifier));
    }
    assert.equal((await redeemCode(issuer, issued)).status, 200);
  });

  it('PKCE: a wrong code_verifier → invalid_grant, and the code is spent', async () => {
    const issued = await insertCode(issuer, { userId: alice });
    const wrong = await redeemCode(issuer, { ...issued, verifier: 'A'.repeat(43) });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error, 'invalid_grant');
    assert.equal((await redeemCode(issuer, issued)).body.error, 'invalid_grant');
  });

  it('a redirect_uri that differs → invalid_grant; a missing one → invalid_request', async () => {
    const mismatch = await redeemCode(issuer, await insertCode(issuer, { userId: alice }), 'web', { redirect_uri: `${REDIRECT_URI}/other` });
    assert.equal(mismatch.body.error, 'invalid_grant');
    const missing = await redeemCode(issuer, await insertCode(issuer, { userId: alice }), 'web', { redirect_uri: '' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'invalid_request');
  });

  it('a code issued to another client → invalid_grant', async () => {
    const result = await redeemCode(issuer, await insertCode(issuer, { userId: alice, clientId: 'web' }), 'portal');
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'invalid_grant');
  });

  it('an unknown or expired code → invalid_grant; no code → invalid_request', async () => {
    const unknown = await redeemCode(issuer, { code: 'not-a-code', verifier: 'a'.repeat(43) });
    assert.equal(unknown.body.error, 'invalid_grant');
    const expired = await redeemCode(issuer, await insertCode(issuer, { userId: alice, ttlMs: -1 }));
    assert.equal(expired.body.error, 'invalid_grant');
    const missing = await redeemCode(issuer, { code: '', verifier: 'a'.repeat(43) });
    assert.equal(missing.body.error, 'invalid_request');
  });

  it('a disabled user → invalid_grant', async () => {
    const bob = await issuer.addUser('bob', 'correct horse battery staple');
    await issuer.services.store.users.setDisabled(bob, true, issuer.services.clock());
    assert.equal((await redeemCode(issuer, await insertCode(issuer, { userId: bob }))).body.error, 'invalid_grant');
  });
});

describe('authorization_code: replay', () => {
  it('a replayed code → invalid_grant, and what its first use issued is revoked', async () => {
    const issued = await insertCode(issuer, { userId: alice, audience: 'orders' });
    const first = await redeemCode(issuer, issued);
    assert.equal(first.status, 200);
    const verifier = inProcessVerifier(issuer, 'orders');
    assert.ok(verifier.verifySync(first.body.access_token).ok);

    const replay = await redeemCode(issuer, issued);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');

    const refused = verifier.verifySync(first.body.access_token);
    assert.equal(refused.ok ? 'accepted' : refused.reason, 'token_revoked');
    assert.equal((await refresh(issuer, first.body.refresh_token)).body.error, 'invalid_grant');

    const sid = claimsOf(first.body.access_token).sid;
    const family = await issuer.services.store.refreshTokens.findFamily(sid);
    assert.notEqual(family?.revokedAt, null);
    const [event] = await issuer.services.store.securityEvents.listRecent({ type: 'code.replayed' });
    assert.equal(event?.subject, alice);
    assert.equal(event?.clientId, 'web');
    assert.equal(event?.severity, 'critical');
    assert.deepEqual(event?.details.revoked_families, [sid]);
  });

  it('a replay handled half-way (the store lost before the access tokens were listed) is finished by the next replay', async () => {
    const issued = await insertCode(issuer, { userId: alice, audience: 'orders' });
    const first = await redeemCode(issuer, issued);
    const verifier = inProcessVerifier(issuer, 'orders');
    const revoker = issuer.services.revoker;
    const revoke = revoker.revoke;
    revoker.revoke = async () => {
      throw new ServerError('store_unavailable', 'the store cannot be reached (test)');
    };
    try {
      const cut = await redeemCode(issuer, issued);
      assert.equal(cut.status, 503);
    } finally {
      revoker.revoke = revoke;
    }
    assert.ok(verifier.verifySync(first.body.access_token).ok, 'the family is revoked in the store, its access token not yet listed');
    const again = await redeemCode(issuer, issued);
    assert.equal(again.body.error, 'invalid_grant');
    const refused = verifier.verifySync(first.body.access_token);
    assert.equal(refused.ok ? 'accepted' : refused.reason, 'token_revoked');
  });

  it('of concurrent redemptions of one code, one at most succeeds', async () => {
    const issued = await insertCode(issuer, { userId: alice, audience: 'orders' });
    const results = await Promise.all(Array.from({ length: 5 }, () => redeemCode(issuer, issued)));
    assert.equal(results.filter((result) => result.status === 200).length, 1);
    for (const result of results.filter((r) => r.status !== 200)) assert.equal(result.body.error, 'invalid_grant');
  });

  it('ID token header is typ JWT with the active key', async () => {
    const body = await signIn(issuer, { userId: alice });
    const header = decodeProtectedHeader(body.id_token);
    assert.deepEqual(header, { alg: 'ES256', kid: issuer.services.keys.signingKey().kid, typ: 'JWT' });
  });
});
