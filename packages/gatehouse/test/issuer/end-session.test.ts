import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT } from 'jose';
import { REDIRECT_URI, startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import {
  authorizationParameters, authorizeUrl, browserGet, browserPost, clientRedirect, CookieJar, CSRF_COOKIE, fieldValue, pageErrorCode, pageName, PASSWORD,
  SESSION_COOKIE, signInThroughBrowser,
} from './sign-in-helpers.ts';
import { claimsOf, manualClock, postForm, refresh } from './token-helpers.ts';

const clock = manualClock();
let issuer: IssuerHarness;
let alice: string;
before(async () => {
  issuer = await startIssuer({ clock: clock.now });
  alice = await issuer.addUser('alice', PASSWORD);
  await issuer.addUser('bob', PASSWORD);
});
after(() => issuer.close());

interface SignedIn {
  readonly jar: CookieJar;
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly sid: string;
}

/** A browser signed in at `web` through the real flow, with the tokens the client got. */
async function signedIn(username = 'alice'): Promise<SignedIn> {
  const jar = new CookieJar();
  const { response, verifier } = await signInThroughBrowser(issuer, jar, username, PASSWORD, { scope: 'openid offline_access orders:read' });
  const code = clientRedirect(response)!.get('code')!;
  const tokens = await postForm(issuer.services.urls.token, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id: 'web' });
  assert.equal(tokens.status, 200);
  const sid = claimsOf(tokens.body.id_token).sid as string;
  assert.ok(sid);
  return { jar, idToken: tokens.body.id_token, accessToken: tokens.body.access_token, refreshToken: tokens.body.refresh_token, sid };
}

async function hasSession(jar: CookieJar): Promise<boolean> {
  const response = await browserGet(authorizeUrl(issuer, authorizationParameters({ prompt: 'none' }).params), jar.clone());
  return clientRedirect(response)?.has('code') === true;
}

function logoutUrl(params: Record<string, string>): string {
  return `${issuer.services.urls.endSession}?${new URLSearchParams(params)}`;
}

function clearsSessionCookie(response: Response): boolean {
  return response.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=;`) && /max-age=0/i.test(line));
}

describe('without id_token_hint: confirmation first (logout CSRF)', () => {
  test('GET shows a CSRF-protected confirmation form and signs no one out', async () => {
    const { jar } = await signedIn();
    const response = await browserGet(issuer.services.urls.endSession, jar);
    assert.equal(response.status, 200);
    assert.ok(!clearsSessionCookie(response));
    const html = await response.text();
    assert.equal(pageName(html), 'sign-out-confirmation');
    assert.match(html, /<form method="post" action="\/oauth2\/logout">/);
    assert.match(fieldValue(html, 'csrf') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(response.headers.get('content-security-policy')!, /form-action 'self'; frame-ancestors 'none'/);
    assert.ok(await hasSession(jar));
  });

  test('POST without a valid CSRF token is refused and signs no one out', async () => {
    const { jar } = await signedIn();
    const page = await browserGet(issuer.services.urls.endSession, jar);
    const csrf = fieldValue(await page.text(), 'csrf')!;
    const noToken = await browserPost(issuer.services.urls.endSession, {}, jar);
    assert.equal(noToken.status, 400);
    assert.equal(pageErrorCode(await noToken.text()), 'csrf_failed');
    const withoutCookie = jar.clone();
    withoutCookie.cookies.delete(CSRF_COOKIE);
    const crossSite = await browserPost(issuer.services.urls.endSession, { csrf }, withoutCookie);
    assert.equal(crossSite.status, 400);
    assert.ok(!clearsSessionCookie(crossSite));
    assert.ok(await hasSession(jar));
  });

  test('POST with the CSRF token signs out: cookie cleared, and a copy of the old cookie is refused too', async () => {
    const { jar } = await signedIn();
    const stolenCopy = jar.clone();
    const page = await browserGet(issuer.services.urls.endSession, jar);
    const response = await browserPost(issuer.services.urls.endSession, { csrf: fieldValue(await page.text(), 'csrf')! }, jar);
    assert.equal(response.status, 200);
    assert.equal(pageName(await response.text()), 'signed-out');
    assert.ok(clearsSessionCookie(response));
    assert.ok(!jar.cookies.has(SESSION_COOKIE));
    assert.equal(await hasSession(jar), false);
    assert.equal(await hasSession(stolenCopy), false);
  });
});

describe('with id_token_hint (RP-initiated)', () => {
  test('signs out, revokes the hinted family, and returns to post_logout_redirect_uri with state', async () => {
    const session = await signedIn();
    const response = await browserGet(logoutUrl({ id_token_hint: session.idToken, post_logout_redirect_uri: REDIRECT_URI, state: 'bye-1' }), session.jar);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), `${REDIRECT_URI}?state=bye-1`);
    assert.ok(clearsSessionCookie(response));
    assert.equal(await hasSession(session.jar), false);

    const family = await issuer.services.store.refreshTokens.findFamily(session.sid);
    assert.equal(family?.revokedReason, 'signed_out');
    assert.equal(issuer.services.revocations.isRevoked(claimsOf(session.accessToken) as never, '', issuer.url), 'family');
    const refreshed = await refresh(issuer, session.refreshToken);
    assert.equal(refreshed.status, 400);
    assert.equal(refreshed.body.error, 'invalid_grant');
  });

  test('an expired ID token is still a valid hint', async () => {
    const session = await signedIn();
    clock.advance(60 * 60 * 1000);
    const response = await browserGet(logoutUrl({ id_token_hint: session.idToken, post_logout_redirect_uri: REDIRECT_URI }), session.jar);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), REDIRECT_URI);
  });

  test('POST with a hint works the same (no CSRF token needed: the hint vouches)', async () => {
    const session = await signedIn();
    const response = await browserPost(issuer.services.urls.endSession, { id_token_hint: session.idToken, post_logout_redirect_uri: REDIRECT_URI, state: 's' }, session.jar);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), `${REDIRECT_URI}?state=s`);
  });

  test('a post_logout_redirect_uri not registered for the hinted client: signed out, no redirect', async () => {
    for (const uri of ['https://evil.example/', `${REDIRECT_URI}/`, `${REDIRECT_URI}?next=https://evil.example/`]) {
      const session = await signedIn();
      const response = await browserGet(logoutUrl({ id_token_hint: session.idToken, post_logout_redirect_uri: uri }), session.jar);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('location'), null);
      assert.equal(pageName(await response.text()), 'signed-out');
      assert.ok(clearsSessionCookie(response));
    }
  });

  test('a hint for another user ends that user\'s family but leaves this browser\'s session alone', async () => {
    const bob = await signedIn('bob');
    const aliceBrowser = await signedIn('alice');
    const response = await browserGet(logoutUrl({ id_token_hint: bob.idToken }), aliceBrowser.jar);
    assert.equal(response.status, 200);
    assert.ok(!clearsSessionCookie(response));
    assert.ok(await hasSession(aliceBrowser.jar));
    assert.equal((await issuer.services.store.refreshTokens.findFamily(bob.sid))?.revokedReason, 'signed_out');
  });

  test('hints that are not our ID tokens are refused: 400, nobody signed out', async () => {
    const session = await signedIn();
    const key = issuer.services.keys.signingKey();
    const foreign = await generateKeyPair('ES256');
    const idClaims = { iss: issuer.url, sub: alice, aud: 'web', iat: Math.floor(clock.now() / 1000), exp: Math.floor(clock.now() / 1000) + 300 };
    const hints = {
      foreignKey: await new SignJWT(idClaims).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' }).sign(foreign.privateKey),
      otherIssuer: await new SignJWT({ ...idClaims, iss: 'https://idp.example' }).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey),
      accessToken: session.accessToken,
      garbage: 'not-a-token',
      tampered: `${session.idToken.slice(0, -4)}AAAA`,
    };
    for (const [name, hint] of Object.entries(hints)) {
      const response = await browserGet(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: REDIRECT_URI }), session.jar);
      assert.equal(response.status, 400, name);
      assert.equal(response.headers.get('location'), null, name);
      assert.equal(pageErrorCode(await response.text()), 'invalid_id_token_hint', name);
      assert.ok(!clearsSessionCookie(response), name);
    }
    assert.ok(await hasSession(session.jar));
    assert.equal((await issuer.services.store.refreshTokens.findFamily(session.sid))?.revokedAt, null);
  });
});
