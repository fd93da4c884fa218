/**
 * End to end with independent peers (DESIGN.md "Standards"): openid-client v6 discovers the
 * issuer and builds the authorization request; a browser played over HTTP follows it to the real
 * sign-in form and posts the password; openid-client redeems the code it comes back with (and
 * validates the ID token: signature through jwks_uri, iss, aud, nonce), reads userinfo, refreshes,
 * introspects and revokes; jose's createRemoteJWKSet + jwtVerify accept the access token as an
 * RFC 9068 at+jwt. One flow per kind of client: public (`none`), confidential with
 * client_secret_basic and with client_secret_post, and client credentials.
 * (token-openid-client.test.ts covers the token half with codes inserted directly.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { REDIRECT_URI, startIssuer, TEST_SECRETS, type IssuerHarness } from '../support/issuer-harness.ts';
import { browserGet, browserPost, CookieJar, CSRF_COOKIE, fieldValue, PASSWORD } from './sign-in-helpers.ts';

let issuer: IssuerHarness;
let alice: string;
let resourceServer: oidc.Configuration;
before(async () => {
  issuer = await startIssuer();
  alice = await issuer.addUser('alice', PASSWORD, ['admin']);
  resourceServer = await discover('resource-server', oidc.ClientSecretBasic(TEST_SECRETS.resourceServer));
});
after(() => issuer.close());

function discover(clientId: string, auth: oidc.ClientAuth): Promise<oidc.Configuration> {
  // The harness listens on http://127.0.0.1; openid-client insists on https unless told otherwise.
  return oidc.discovery(new URL(issuer.url), clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });
}

const isInvalidGrant = (error: unknown): boolean => error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant';

/** What a resource server does with the token: jose, a fresh remote key set, RFC 9068 rules. */
async function verifyWithJose(accessToken: string, config: oidc.Configuration) {
  const metadata = config.serverMetadata();
  const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri!));
  return jwtVerify(accessToken, jwks, { typ: 'at+jwt', issuer: metadata.issuer, audience: 'orders' });
}

/**
 * The browser's part: the authorization URL → 303 to the sign-in page → the form read (tx and
 * csrf hidden fields, the CSRF cookie kept) → username and password posted → 303 back to the
 * redirect URI. Returns that URL, as the client would receive it.
 */
async function signInWithBrowser(authorizationUrl: URL): Promise<URL> {
  const jar = new CookieJar();
  const authorize = await browserGet(authorizationUrl.href, jar);
  assert.equal(authorize.status, 303);
  const signInPage = new URL(authorize.headers.get('location')!, authorizationUrl);
  assert.equal(`${signInPage.origin}${signInPage.pathname}`, issuer.services.urls.signIn);

  const page = await browserGet(signInPage.href, jar);
  assert.equal(page.status, 200);
  assert.ok(jar.cookies.has(CSRF_COOKIE), 'the sign-in page sets the CSRF cookie');
  const html = await page.text();
  const tx = fieldValue(html, 'tx');
  const csrf = fieldValue(html, 'csrf');
  assert.ok(tx !== undefined && csrf !== undefined, 'the form carries tx and csrf');

  const submitted = await browserPost(issuer.services.urls.signIn, { tx, csrf, username: 'alice', password: PASSWORD }, jar);
  assert.equal(submitted.status, 303);
  const callback = new URL(submitted.headers.get('location')!);
  assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT_URI);
  return callback;
}

/**
 * One whole life of a sign-in at `clientId`, through openid-client's public API only: discovery,
 * code + PKCE through the real sign-in form, ID token, at+jwt access token under jose, userinfo,
 * introspection, revocation, refresh rotation and reuse detection.
 */
async function signInAndUseTokens(clientId: string, auth: oidc.ClientAuth): Promise<void> {
  const config = await discover(clientId, auth);
  const metadata = config.serverMetadata();
  assert.equal(metadata.issuer, issuer.url);

  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const authorizationUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile orders:read',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    resource: 'orders',
  });
  assert.equal(`${authorizationUrl.origin}${authorizationUrl.pathname}`, metadata.authorization_endpoint);

  const callback = await signInWithBrowser(authorizationUrl);
  assert.equal(callback.searchParams.get('state'), state);
  assert.equal(callback.searchParams.get('iss'), issuer.url); // RFC 9207
  assert.ok(callback.searchParams.get('code'));

  // openid-client checks state, iss, PKCE, and the ID token: signature via jwks_uri, iss, aud, nonce, exp.
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  const idClaims = tokens.claims()!;
  assert.equal(idClaims.iss, issuer.url);
  assert.equal(idClaims.sub, alice);
  assert.equal(idClaims.aud, clientId);
  assert.equal(idClaims.nonce, nonce);
  assert.equal(typeof idClaims.auth_time, 'number');
  assert.equal(tokens.token_type, 'bearer');
  assert.equal(tokens.scope, 'openid profile orders:read');
  assert.ok(tokens.refresh_token);

  const access = await verifyWithJose(tokens.access_token, config);
  assert.equal(access.protectedHeader.typ, 'at+jwt');
  assert.equal(access.protectedHeader.kid, issuer.services.keys.signingKey().kid);
  assert.equal(access.payload.sub, alice);
  assert.equal(access.payload.client_id, clientId);
  assert.equal(access.payload.scope, 'openid profile orders:read');
  assert.equal(access.payload.sid, idClaims.sid);
  // An ID token is not an access token: the same verification refuses it on typ.
  await assert.rejects(verifyWithJose(tokens.id_token!, config), (error: any) => error.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && error.claim === 'typ');

  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, alice);
  assert.equal(userinfo.sub, alice);
  assert.equal(userinfo.preferred_username, 'alice');

  // Refresh rotates the refresh token; the new access token and ID token are for the same sign-in.
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  assert.ok(refreshed.refresh_token);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
  assert.equal(refreshed.claims()?.sub, alice);
  const refreshedAccess = await verifyWithJose(refreshed.access_token, config);
  assert.equal(refreshedAccess.payload.sid, access.payload.sid);

  // A resource server introspects; the client revokes; the token is then exactly inactive.
  const active = await oidc.tokenIntrospection(resourceServer, refreshed.access_token);
  assert.equal(active.active, true);
  assert.equal(active.sub, alice);
  assert.equal(active.client_id, clientId);
  assert.equal(active.username, 'alice');
  assert.equal(active.jti, refreshedAccess.payload.jti);
  await oidc.tokenRevocation(config, refreshed.access_token);
  assert.deepEqual(await oidc.tokenIntrospection(resourceServer, refreshed.access_token), { active: false });
  assert.equal((await oidc.tokenIntrospection(resourceServer, tokens.access_token)).active, true, 'revoking one access token leaves its siblings');

  // Reuse of the rotated refresh token is refused and kills the family: the successor too, and
  // through sid every access token of the sign-in.
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), isInvalidGrant);
  await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), isInvalidGrant);
  assert.deepEqual(await oidc.tokenIntrospection(resourceServer, tokens.access_token), { active: false });
}

describe('openid-client end to end, through the sign-in form', () => {
  it('public client `web` (token_endpoint_auth_method none)', async () => {
    await signInAndUseTokens('web', oidc.None());
  });

  it('confidential client `portal` with client_secret_basic', async () => {
    await signInAndUseTokens('portal', oidc.ClientSecretBasic(TEST_SECRETS.portal));
  });

  it('confidential client `portal` with client_secret_post', async () => {
    await signInAndUseTokens('portal', oidc.ClientSecretPost(TEST_SECRETS.portal));
  });

  it('client credentials for `billing-svc`: the token verifies under jose, introspects, revokes', async () => {
    const billing = await discover('billing-svc', oidc.ClientSecretBasic(TEST_SECRETS.billing));
    const tokens = await oidc.clientCredentialsGrant(billing, { scope: 'orders:read', resource: 'orders' });
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'orders:read');
    assert.equal(tokens.refresh_token, undefined);
    assert.equal(tokens.id_token, undefined);

    const access = await verifyWithJose(tokens.access_token, billing);
    assert.equal(access.payload.sub, 'billing-svc');
    assert.equal(access.payload.client_id, 'billing-svc');
    assert.deepEqual(access.payload.roles, ['billing']);
    assert.equal(decodeProtectedHeader(tokens.access_token).kid, issuer.services.keys.signingKey().kid);

    const active = await oidc.tokenIntrospection(resourceServer, tokens.access_token);
    assert.equal(active.active, true);
    assert.equal(active.client_id, 'billing-svc');
    await oidc.tokenRevocation(billing, tokens.access_token);
    assert.deepEqual(await oidc.tokenIntrospection(resourceServer, tokens.access_token), { active: false });
  });
});
