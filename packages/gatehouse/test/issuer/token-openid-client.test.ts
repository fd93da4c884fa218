/**
 * An independently written client against the token half, unchanged (DESIGN.md "Standards"):
 * openid-client discovers the issuer, redeems a code with PKCE and validates the ID token (signature
 * through jwks_uri, iss, aud, nonce, exp/iat), refreshes, uses client credentials, reads userinfo,
 * introspects and revokes. The authorization response is made by hand: the code is inserted the way
 * the authorization endpoint stores it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { REDIRECT_URI, startIssuer, TEST_SECRETS, type IssuerHarness } from '../support/issuer-harness.ts';
import { insertCode } from './token-helpers.ts';

let issuer: IssuerHarness;
let alice: string;
before(async () => {
  issuer = await startIssuer();
  alice = await issuer.addUser('alice', 'correct horse battery staple', ['admin']);
});
after(() => issuer.close());

const insecure = { execute: [oidc.allowInsecureRequests] }; // the harness listens on http://127.0.0.1

/** What the browser would bring back to the redirect URI (RFC 9207 `iss` included, as discovery promises). */
async function callbackWithCode(clientId: string, options: { nonce: string; state: string; audience?: string }): Promise<{ url: URL; verifier: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const challenge = await oidc.calculatePKCECodeChallenge(verifier);
  const { code } = await insertCode(issuer, { clientId, userId: alice, nonce: options.nonce, challenge, audience: options.audience ?? null });
  const url = new URL(REDIRECT_URI);
  url.searchParams.set('code', code);
  url.searchParams.set('state', options.state);
  url.searchParams.set('iss', issuer.url);
  return { url, verifier };
}

describe('openid-client against the token endpoints', () => {
  it('public client: code + PKCE, the ID token validates; refresh; userinfo; revocation', async () => {
    const config = await oidc.discovery(new URL(issuer.url), 'web', undefined, oidc.None(), insecure);
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const { url, verifier } = await callbackWithCode('web', { nonce, state, audience: 'orders' });

    const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
    const claims = tokens.claims()!;
    assert.equal(claims.sub, alice);
    assert.equal(claims.aud, 'web');
    assert.equal(claims.nonce, nonce);
    assert.equal(typeof claims.sid, 'string');
    assert.equal(tokens.token_type, 'bearer'); // openid-client lower-cases it
    assert.ok(tokens.refresh_token);

    const info = await oidc.fetchUserInfo(config, tokens.access_token, alice);
    assert.equal(info.preferred_username, 'alice');
    assert.deepEqual(info.roles, ['admin']);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.claims()?.sub, alice);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);

    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), (error: any) => error.error === 'invalid_grant');
  });

  it('reuse of a rotated refresh token is an invalid_grant openid-client surfaces', async () => {
    const config = await oidc.discovery(new URL(issuer.url), 'web', undefined, oidc.None(), insecure);
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const { url, verifier } = await callbackWithCode('web', { nonce, state });
    const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state });
    const next = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (error: any) => error.error === 'invalid_grant');
    await assert.rejects(oidc.refreshTokenGrant(config, next.refresh_token!), (error: any) => error.error === 'invalid_grant');
  });

  it('confidential client with client_secret_basic: code flow with resource', async () => {
    const config = await oidc.discovery(new URL(issuer.url), 'portal', undefined, oidc.ClientSecretBasic(TEST_SECRETS.portal), insecure);
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const { url, verifier } = await callbackWithCode('portal', { nonce, state });
    const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state }, { resource: 'orders' });
    assert.equal(tokens.claims()?.aud, 'portal');
  });

  it('client credentials (client_secret_post), introspection by a resource server', async () => {
    const billing = await oidc.discovery(new URL(issuer.url), 'billing-svc', TEST_SECRETS.billing, undefined, insecure);
    const tokens = await oidc.clientCredentialsGrant(billing, { scope: 'orders:read', resource: 'orders' });
    assert.equal(tokens.scope, 'orders:read');
    assert.equal(tokens.expires_in, 300);

    const resourceServer = await oidc.discovery(new URL(issuer.url), 'resource-server', undefined, oidc.ClientSecretBasic(TEST_SECRETS.resourceServer), insecure);
    const introspection = await oidc.tokenIntrospection(resourceServer, tokens.access_token);
    assert.equal(introspection.active, true);
    assert.equal(introspection.client_id, 'billing-svc');

    await oidc.tokenRevocation(billing, tokens.access_token);
    assert.deepEqual(await oidc.tokenIntrospection(resourceServer, tokens.access_token), { active: false });
  });
});
