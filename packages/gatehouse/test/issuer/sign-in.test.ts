import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import formBody from '@fastify/formbody';
import Fastify from 'fastify';
import { REDIRECT_URI, startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import { registerSignIn } from '../../src/issuer/endpoints/sign-in.ts';
import { checkCredentials } from '../../src/issuer/sign-in/check-credentials.ts';
import { sealTransaction } from '../../src/issuer/sign-in/sign-in-transaction.ts';
import { hashOpaqueToken } from '../../src/issuer/tokens/opaque-token.ts';
import { verifyPassword } from '../../src/issuer/users/password-hash.ts';
import {
  authorizationParameters, authorizeUrl, browserGet, browserPost, clientRedirect, comparableResponse, CookieJar, CSRF_COOKIE, fieldValue,
  openSignInForm, pageErrorCode, pageName, PASSWORD, SESSION_COOKIE, signInThroughBrowser, submitSignIn,
} from './sign-in-helpers.ts';
import { manualClock, postForm } from './token-helpers.ts';

const clock = manualClock();
let issuer: IssuerHarness;
let alice: string;
before(async () => {
  issuer = await startIssuer({ clock: clock.now });
  alice = await issuer.addUser('alice', PASSWORD, ['admin']);
  const bob = await issuer.addUser('bob', PASSWORD);
  await issuer.services.store.users.setDisabled(bob, true, clock.now());
});
after(() => issuer.close());

/** A fresh browser at the sign-in form of a valid authorization request. */
async function atSignInForm(overrides: Record<string, string | undefined> = {}) {
  const jar = new CookieJar();
  const { params, verifier } = authorizationParameters(overrides);
  const form = await openSignInForm(await browserGet(authorizeUrl(issuer, params), jar), jar);
  return { jar, form, params, verifier };
}

describe('the sign-in page', () => {
  test('is a plain form with the right fields, and no script', async () => {
    const { form } = await atSignInForm();
    const { html } = form;
    assert.equal(pageName(html), 'sign-in');
    assert.match(html, /<form method="post" action="\/signin">/);
    assert.match(html, /<input id="username" name="username" type="text" autocomplete="username"[^>]*>/);
    assert.match(html, /<input id="password" name="password" type="password" autocomplete="current-password"[^>]*>/);
    assert.match(html, /<input type="hidden" name="tx" value="[A-Za-z0-9_.-]+">/);
    assert.match(html, /<input type="hidden" name="csrf" value="[A-Za-z0-9_-]{43}">/);
    assert.match(html, /<button type="submit">/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /\son[a-z]+=/i);
  });

  test('has strict security headers', async () => {
    const { form } = await atSignInForm();
    const headers = form.response.headers;
    assert.match(headers.get('content-type')!, /^text\/html; charset=utf-8$/);
    const csp = headers.get('content-security-policy')!.split(';').map((directive) => directive.trim());
    assert.ok(csp.includes("default-src 'none'"));
    assert.ok(csp.some((directive) => /^style-src 'sha256-[A-Za-z0-9+/]+=*'$/.test(directive)));
    // 'self' for the form, and the client's origin for the 303 that follows (Chrome checks redirects).
    assert.ok(csp.includes("form-action 'self' http://127.0.0.1:9"));
    assert.ok(csp.includes("frame-ancestors 'none'"));
    assert.ok(csp.includes("base-uri 'none'"));
    assert.equal(headers.get('x-frame-options'), 'DENY');
    assert.equal(headers.get('cache-control'), 'no-store');
    assert.equal(headers.get('x-content-type-options'), 'nosniff');
    assert.equal(headers.get('referrer-policy'), 'no-referrer');
  });

  test('the inline style sheet is the one the CSP hash allows', async () => {
    const { form } = await atSignInForm();
    const style = /<style>([^<]*)<\/style>/.exec(form.html)![1]!;
    const { createHash } = await import('node:crypto');
    assert.ok(form.response.headers.get('content-security-policy')!.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`));
  });

  test('sets the pre-auth CSRF cookie: __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
    const { form } = await atSignInForm();
    const cookie = form.response.headers.getSetCookie().find((line) => line.startsWith(`${CSRF_COOKIE}=`));
    assert.ok(cookie);
    const attributes = cookie.split(';').slice(1).map((part) => part.trim().toLowerCase());
    assert.ok(attributes.includes('secure'));
    assert.ok(attributes.includes('httponly'));
    assert.ok(attributes.includes('samesite=lax'));
    assert.ok(attributes.includes('path=/'));
    assert.ok(!attributes.some((attribute) => attribute.startsWith('domain')));
  });

  test('keeps one CSRF cookie per browser: a second page reuses it', async () => {
    const { jar, form } = await atSignInForm();
    const again = await browserGet(form.url, jar);
    assert.equal(again.headers.getSetCookie().length, 0);
    assert.equal(fieldValue(await again.text(), 'csrf'), form.csrf);
  });

  test('escapes what it echoes (login_hint)', async () => {
    const { form } = await atSignInForm({ login_hint: '"><script>alert(1)</script>' });
    assert.doesNotMatch(form.html, /<script>/);
    assert.match(form.html, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
    assert.equal(fieldValue(form.html, 'username'), '"><script>alert(1)</script>');
  });

  test('without a transaction, or with an expired one: a 400 page', async () => {
    const missing = await browserGet(issuer.services.urls.signIn, new CookieJar());
    assert.equal(missing.status, 400);
    assert.equal(pageErrorCode(await missing.text()), 'transaction_invalid');

    const { form } = await atSignInForm();
    clock.advance(10 * 60 * 1000 + 1);
    const expired = await browserGet(form.url, new CookieJar());
    assert.equal(expired.status, 400);
    assert.equal(pageErrorCode(await expired.text()), 'transaction_expired');
  });
});

describe('CSRF and transaction checks on POST', () => {
  async function assertRefused(response: Response, code: string) {
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.ok(!response.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=`)));
    assert.equal(pageErrorCode(await response.text()), code);
  }

  test('missing or wrong CSRF token, or no CSRF cookie: refused before the password is looked at', async () => {
    const { jar, form } = await atSignInForm();
    const url = issuer.services.urls.signIn;
    await assertRefused(await browserPost(url, { tx: form.tx, username: 'alice', password: PASSWORD }, jar.clone()), 'csrf_failed');
    await assertRefused(await browserPost(url, { tx: form.tx, csrf: `${form.csrf.slice(0, -2)}AA`, username: 'alice', password: PASSWORD }, jar.clone()), 'csrf_failed');
    await assertRefused(await browserPost(url, { tx: form.tx, csrf: form.csrf, username: 'alice', password: PASSWORD }, new CookieJar()), 'csrf_failed');
  });

  test('a CSRF token from another browser does not fit this cookie', async () => {
    const mine = await atSignInForm();
    const theirs = await atSignInForm();
    await assertRefused(await browserPost(issuer.services.urls.signIn, { tx: mine.form.tx, csrf: theirs.form.csrf, username: 'alice', password: PASSWORD }, mine.jar), 'csrf_failed');
  });

  test('a CSRF token is bound to its transaction', async () => {
    const { jar, form } = await atSignInForm();
    const other = await openSignInForm(await browserGet(authorizeUrl(issuer, authorizationParameters({ state: 'other' }).params), jar), jar);
    await assertRefused(await browserPost(issuer.services.urls.signIn, { tx: other.tx, csrf: form.csrf, username: 'alice', password: PASSWORD }, jar), 'csrf_failed');
  });

  test('missing, altered or expired transaction', async () => {
    const { jar, form } = await atSignInForm();
    const url = issuer.services.urls.signIn;
    await assertRefused(await browserPost(url, { csrf: form.csrf, username: 'alice', password: PASSWORD }, jar), 'transaction_invalid');
    await assertRefused(await browserPost(url, { tx: `${form.tx}x`, csrf: form.csrf, username: 'alice', password: PASSWORD }, jar), 'transaction_invalid');
    clock.advance(10 * 60 * 1000 + 1);
    await assertRefused(await submitSignIn(issuer, form, 'alice', PASSWORD, jar), 'transaction_expired');
  });
});

describe('a successful sign-in', () => {
  test('303 to the client with code, state and iss; the code is stored hashed, for 60 s', async () => {
    const { jar, form, params } = await atSignInForm({ resource: 'orders' });
    const before = clock.now();
    const response = await submitSignIn(issuer, form, 'alice', PASSWORD, jar);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const query = clientRedirect(response)!;
    assert.deepEqual([...query.keys()], ['code', 'state', 'iss']);
    assert.equal(query.get('state'), 'state-123');
    assert.equal(query.get('iss'), issuer.url);
    const code = query.get('code')!;
    assert.match(code, /^[A-Za-z0-9_-]{43}$/);

    const rows = await issuer.services.store.db.selectFrom('authorization_codes').selectAll().execute();
    assert.ok(rows.every((row) => row.code_hash !== code));
    const consumed = await issuer.services.store.authorizationCodes.consume(hashOpaqueToken(code), clock.now());
    assert.equal(consumed.status, 'consumed');
    assert.ok(consumed.status === 'consumed');
    assert.deepEqual({ ...consumed.code, consumedAt: null }, {
      codeHash: hashOpaqueToken(code), clientId: 'web', userId: alice, redirectUri: REDIRECT_URI, scope: 'openid orders:read', audience: 'orders',
      codeChallenge: params.code_challenge, nonce: 'nonce-456', authTime: before, createdAt: before, expiresAt: before + 60_000, consumedAt: null,
    });
  });

  test('username matching ignores letter case', async () => {
    const { response } = await signInThroughBrowser(issuer, new CookieJar(), 'ALICE', PASSWORD);
    assert.ok(clientRedirect(response)?.get('code'));
  });

  test('sets the issuer session cookie: __Host-, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain, 12 h', async () => {
    const { response } = await signInThroughBrowser(issuer, new CookieJar(), 'alice', PASSWORD);
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`));
    assert.ok(cookie);
    const attributes = cookie.split(';').slice(1).map((part) => part.trim().toLowerCase());
    assert.deepEqual(attributes.sort(), ['httponly', 'max-age=43200', 'path=/', 'samesite=lax', 'secure']);
  });

  test('the code redeems at the token endpoint with the PKCE verifier', async () => {
    const { response, verifier } = await signInThroughBrowser(issuer, new CookieJar(), 'alice', PASSWORD);
    const code = clientRedirect(response)!.get('code')!;
    const tokens = await postForm(issuer.services.urls.token, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id: 'web' });
    assert.equal(tokens.status, 200);
    assert.ok(tokens.body.id_token);
  });
});

describe('enumeration safety: wrong password, unknown user, disabled user', () => {
  test('byte-identical responses (status, headers, body)', async () => {
    const { jar, form } = await atSignInForm();
    const wrongPassword = await comparableResponse(await submitSignIn(issuer, form, 'alice', 'not the password at all', jar));
    const unknownUser = await comparableResponse(await submitSignIn(issuer, form, 'mallory', 'not the password at all', jar));
    const disabledUser = await comparableResponse(await submitSignIn(issuer, form, 'bob', PASSWORD, jar));
    assert.equal(wrongPassword.status, 400);
    assert.equal(pageErrorCode(wrongPassword.body), 'invalid_credentials');
    assert.deepEqual(unknownUser, wrongPassword);
    assert.deepEqual(disabledUser, wrongPassword);
    assert.ok(!wrongPassword.headers.some(([name]) => name === 'set-cookie'));
  });

  test('checkCredentials runs exactly one argon2 verification on every path (the dummy hash for unknown users)', async () => {
    const alice = (await issuer.services.store.users.findByUsername('alice'))!;
    const bob = (await issuer.services.store.users.findByUsername('bob'))!;
    const cases: [string, string, string | undefined, string][] = [
      ['mallory', 'whatever-password', undefined, 'unknown_user'],
      ['alice', 'wrong-password!', alice.passwordHash, 'wrong_password'],
      ['bob', PASSWORD, bob.passwordHash, 'disabled'],
      ['x'.repeat(300), 'whatever-password', undefined, 'unknown_user'],
      ['alice', PASSWORD, alice.passwordHash, 'ok'],
    ];
    for (const [username, password, expectedHash, outcome] of cases) {
      const verify = mock.fn(verifyPassword);
      const result = await checkCredentials(issuer.services.store.users, username, password, verify);
      assert.equal(result.ok ? 'ok' : result.reason, outcome);
      assert.equal(verify.mock.callCount(), 1);
      assert.equal(verify.mock.calls[0]!.arguments[0], expectedHash);
      assert.equal(verify.mock.calls[0]!.arguments[1], password);
    }
  });

  test('the endpoint goes through that one verification for each of them', async () => {
    const verify = mock.fn(verifyPassword);
    const app = Fastify();
    await app.register(formBody);
    registerSignIn(app, issuer.services, { verifyPassword: verify });
    await app.ready();
    try {
      const tx = sealTransaction(issuer.services, { clientId: 'web', redirectUri: REDIRECT_URI, scope: 'openid', state: null, nonce: null, codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', audience: null, loginHint: null });
      const page = await app.inject({ method: 'GET', url: `/signin?tx=${tx}` });
      const cookie = page.headers['set-cookie'] as string;
      const csrf = fieldValue(page.body, 'csrf')!;
      const users = [['alice', 'wrong password!!'], ['mallory', 'wrong password!!'], ['bob', PASSWORD]] as const;
      for (const [index, [username, password]] of users.entries()) {
        const response = await app.inject({
          method: 'POST', url: '/signin', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie.split(';')[0]! },
          payload: new URLSearchParams({ tx, csrf, username, password }).toString(),
        });
        assert.equal(response.statusCode, 400);
        assert.equal(verify.mock.callCount(), index + 1);
      }
      const hashes = verify.mock.calls.map((call) => call.arguments[0]);
      assert.equal(typeof hashes[0], 'string');
      assert.equal(hashes[1], undefined);
      assert.equal(typeof hashes[2], 'string');
    } finally {
      await app.close();
    }
  });
});

describe('the issuer session (single sign-on)', () => {
  async function signedInBrowser(): Promise<CookieJar> {
    const jar = new CookieJar();
    const { response } = await signInThroughBrowser(issuer, jar, 'alice', PASSWORD);
    assert.equal(response.status, 303);
    assert.ok(jar.cookies.has(SESSION_COOKIE));
    return jar;
  }

  test('the next authorization request gets a code at once, with the original auth_time', async () => {
    const jar = await signedInBrowser();
    const authTime = clock.now();
    clock.advance(5000);
    const { params } = authorizationParameters({ client_id: 'portal', state: 'second' });
    const response = await browserGet(authorizeUrl(issuer, params), jar);
    const query = clientRedirect(response)!;
    assert.equal(query.get('state'), 'second');
    const consumed = await issuer.services.store.authorizationCodes.consume(hashOpaqueToken(query.get('code')!), clock.now());
    assert.ok(consumed.status === 'consumed');
    assert.equal(consumed.code.clientId, 'portal');
    assert.equal(consumed.code.userId, alice);
    assert.equal(consumed.code.authTime, authTime);
  });

  test('prompt=none answers from the session; prompt=login asks for the password again', async () => {
    const jar = await signedInBrowser();
    assert.ok(clientRedirect(await browserGet(authorizeUrl(issuer, authorizationParameters({ prompt: 'none' }).params), jar))?.get('code'));
    const login = await browserGet(authorizeUrl(issuer, authorizationParameters({ prompt: 'login' }).params), jar);
    assert.ok(login.headers.get('location')!.startsWith(`${issuer.services.urls.signIn}?tx=`));
  });

  test('max_age: a session older than it asks for the password, or fails with prompt=none', async () => {
    const jar = await signedInBrowser();
    clock.advance(61_000);
    assert.ok(clientRedirect(await browserGet(authorizeUrl(issuer, authorizationParameters({ max_age: '120' }).params), jar))?.get('code'));
    const stale = await browserGet(authorizeUrl(issuer, authorizationParameters({ max_age: '60' }).params), jar);
    assert.ok(stale.headers.get('location')!.startsWith(`${issuer.services.urls.signIn}?tx=`));
    const none = await browserGet(authorizeUrl(issuer, authorizationParameters({ max_age: '60', prompt: 'none' }).params), jar);
    assert.equal(clientRedirect(none)?.get('error'), 'login_required');
  });

  test('an altered or expired session cookie is no session', async () => {
    const jar = await signedInBrowser();
    const altered = jar.clone();
    const value = altered.cookies.get(SESSION_COOKIE)!;
    const [body, mac] = value.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    altered.cookies.set(SESSION_COOKIE, `${Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url')}.${mac}`);
    const noneAltered = await browserGet(authorizeUrl(issuer, authorizationParameters({ prompt: 'none' }).params), altered);
    assert.equal(clientRedirect(noneAltered)?.get('error'), 'login_required');

    clock.advance(12 * 60 * 60 * 1000 + 1);
    const noneExpired = await browserGet(authorizeUrl(issuer, authorizationParameters({ prompt: 'none' }).params), jar);
    assert.equal(clientRedirect(noneExpired)?.get('error'), 'login_required');
  });

  test('a disabled user loses the session at once', async () => {
    const carol = await issuer.addUser('carol', PASSWORD);
    const jar = new CookieJar();
    await signInThroughBrowser(issuer, jar, 'carol', PASSWORD);
    await issuer.services.store.users.setDisabled(carol, true, clock.now());
    const none = await browserGet(authorizeUrl(issuer, authorizationParameters({ prompt: 'none' }).params), jar);
    assert.equal(clientRedirect(none)?.get('error'), 'login_required');
  });
});

describe('a client changed while the form was open', () => {
  test('an unknown client in a transaction is refused with a page', async () => {
    const tx = sealTransaction(issuer.services, { clientId: 'gone', redirectUri: REDIRECT_URI, scope: '', state: null, nonce: null, codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', audience: null, loginHint: null });
    const page = await browserGet(`${issuer.services.urls.signIn}?tx=${tx}`, new CookieJar());
    assert.equal(page.status, 400);
    assert.equal(pageErrorCode(await page.text()), 'invalid_client');
  });
});
