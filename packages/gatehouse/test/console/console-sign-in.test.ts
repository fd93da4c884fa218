/**
 * Signing in to the console over HTTP with a real issuer (DESIGN.md "Browser sessions", issue 6):
 * /console/login → the issuer's authorize (code + PKCE S256, state, nonce, the console's client
 * and audience) → the issuer's real sign-in form → /console/callback. An admin gets the sealed
 * session cookie, exactly as specified, and a 303 to /console/; anyone else a 403 page and no
 * session. Then expiry, revocation and sign-out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NAVIGATE, parseSetCookie, TestBrowser } from '../gateway/support/test-browser.ts';
import { json, LOGIN_COOKIE, SESSION_COOKIE, startConsoleHarness, type ConsoleHarness } from './support/console-harness.ts';

const ACCESS_TTL_SECONDS = 300;

let c: ConsoleHarness;
before(async () => {
  c = await startConsoleHarness();
});
after(() => c?.close());

const cookieLine = (lines: readonly string[], name: string) => lines.find((candidate) => candidate.startsWith(`${name}=`));

describe('console sign-in through the issuer', () => {
  it('an admin: login cookie and authorization request as specified, then the session cookie exactly, and the API answers', async () => {
    const browser = new TestBrowser(c.clock.now);
    const { login, callback } = await c.signIn(browser, 'root');

    const authorize = new URL(login.location!);
    assert.equal(`${authorize.origin}${authorize.pathname}`, c.h.issuer.services.urls.authorize);
    const params = authorize.searchParams;
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.get('client_id'), 'gatehouse-console');
    assert.equal(params.get('redirect_uri'), `${c.control}/console/callback`);
    assert.equal(params.get('scope'), 'openid');
    assert.equal(params.get('resource'), 'gatehouse-console');
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.match(params.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(params.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(params.get('nonce') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(login.headers['cache-control'], 'no-store');
    const loginCookie = parseSetCookie(cookieLine(login.setCookies, LOGIN_COOKIE)!);
    assert.match(loginCookie.value, /^v1\./);
    assert.ok(!loginCookie.value.includes(params.get('state')!), 'sealed, not the state in clear');
    assert.deepEqual(loginCookie.attributes, ['Path=/', 'Max-Age=600', 'HttpOnly', 'Secure', 'SameSite=Lax']);

    assert.equal(callback.status, 303, callback.body);
    assert.equal(callback.location, `${c.control}/console/`);
    assert.equal(callback.headers['cache-control'], 'no-store');
    assert.equal(callback.setCookies.length, 2);
    const session = parseSetCookie(cookieLine(callback.setCookies, SESSION_COOKIE)!);
    assert.equal(session.name, SESSION_COOKIE);
    assert.match(session.value, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.deepEqual(session.attributes, ['Path=/', `Max-Age=${ACCESS_TTL_SECONDS}`, 'HttpOnly', 'Secure', 'SameSite=Strict']);
    assert.equal(cookieLine(callback.setCookies, LOGIN_COOKIE), `${LOGIN_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
    // No token anywhere a page script could read it: not in the cookie (sealed), not in the URL.
    assert.ok(!session.value.includes('eyJ'), 'the cookie is no JWT');

    const answer = await c.get(browser, '/console/api/session');
    assert.equal(answer.status, 200);
    const body = json(answer);
    assert.deepEqual({ ...body, csrfToken: undefined }, { sub: c.rootId, username: 'root', roles: ['admin'], csrfToken: undefined });
    assert.match(body.csrfToken, /^[A-Za-z0-9_-]{22}$/, '128 random bits');
    assert.equal(answer.headers['cache-control'], 'no-store');

    // The sign-in is a session of the console's client, listed like any other.
    const sessions = json<{ clientId: string; userId: string; state: string }[]>(await c.get(browser, `/console/api/sessions?user=root`));
    assert.ok(sessions.some((row) => row.clientId === 'gatehouse-console' && row.userId === c.rootId && row.state === 'active'));
  });

  it('a non-admin: 403 "Admins only" page, no session cookie, and the sign-in\'s family revoked', async () => {
    const browser = new TestBrowser(c.clock.now);
    const { callback } = await c.signIn(browser, 'alice');
    assert.equal(callback.status, 403);
    assert.match(String(callback.headers['content-type']), /^text\/html/);
    assert.match(callback.body, /<h1>Admins only<\/h1>/);
    assert.match(callback.body, /alice/);
    assert.ok(!/<script/i.test(callback.body) && !/style=/i.test(callback.body), 'no inline script or style');
    assert.equal(cookieLine(callback.setCookies, SESSION_COOKIE), undefined);
    assert.deepEqual(callback.setCookies, [`${LOGIN_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`]);
    assert.equal(browser.cookie(SESSION_COOKIE), undefined);
    const refused = await c.get(browser, '/console/api/session');
    assert.equal(refused.status, 401);
    assert.deepEqual(json(refused).error, 'unauthenticated');
    const families = await c.h.issuer.services.store.refreshTokens.listFamilies({ userId: c.aliceId, clientId: 'gatehouse-console' });
    assert.ok(families.length >= 1 && families.every((family) => family.revokedAt !== null), 'nothing of the refused sign-in stays usable');
  });

  it('a callback without the login cookie, or with another state, is refused with one generic page and no session', async () => {
    const browser = new TestBrowser(c.clock.now);
    const login = await browser.go(`${c.control}/console/login`, { headers: NAVIGATE });
    const state = new URL(login.location!).searchParams.get('state')!;
    const noCookie = await browser.go(`${c.control}/console/callback?code=x&state=${state}&iss=${encodeURIComponent(c.h.issuer.url)}`, { headers: NAVIGATE, cookies: false });
    assert.equal(noCookie.status, 400);
    assert.match(noCookie.body, /Sign-in could not be completed/);
    const wrongState = await browser.go(`${c.control}/console/callback?code=x&state=other&iss=${encodeURIComponent(c.h.issuer.url)}`, { headers: NAVIGATE });
    assert.equal(wrongState.status, 400);
    assert.equal(wrongState.body, noCookie.body);
    assert.equal(browser.cookie(SESSION_COOKIE), undefined);
  });

  it('a HEAD to the login or callback starts or redeems nothing (no automatic HEAD route): 404', async () => {
    const browser = new TestBrowser(c.clock.now);
    for (const path of ['/console/login', '/console/callback?code=x&state=y']) {
      const head = await browser.go(`${c.control}${path}`, { method: 'HEAD' });
      assert.equal(head.status, 404, path);
      assert.deepEqual(head.setCookies, []);
    }
  });

  it('the session ends with the access token: after its exp the API answers 401 and clears the cookie', async () => {
    const { browser } = await c.adminBrowser();
    const value = browser.cookie(SESSION_COOKIE)!;
    c.clock.advance((ACCESS_TTL_SECONDS + 1) * 1000);
    try {
      // The browser would have dropped it at Max-Age: present it anyway, as a script replaying it would.
      browser.plant(SESSION_COOKIE, value);
      const expired = await c.get(browser, '/console/api/overview');
      assert.equal(expired.status, 401);
      assert.deepEqual(json(expired), { error: 'unauthenticated', message: 'the console session has ended: sign in again' });
      assert.equal(cookieLine(expired.setCookies, SESSION_COOKIE), `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`);
    } finally {
      c.clock.advance(-(ACCESS_TTL_SECONDS + 1) * 1000);
    }
  });

  it('a revoked session (its family revoked from another session) is refused at once', async () => {
    const first = await c.adminBrowser();
    c.clock.advance(1000); // the second sign-in is the newest session
    const second = await c.adminBrowser();
    const sessions = json<{ id: string; clientId: string; state: string; createdAt: string }[]>(await c.get(second.browser, `/console/api/sessions?user=${c.rootId}`));
    const active = sessions.filter((row) => row.clientId === 'gatehouse-console' && row.state === 'active');
    assert.ok(active.length >= 2);
    // Revoke every console session of root but the newest (the second browser's): the first browser is out.
    for (const row of active.slice(1)) assert.equal((await c.post(second.browser, `/console/api/sessions/${row.id}/revoke`, {}, second.csrf)).status, 200);
    assert.equal((await c.get(first.browser, '/console/api/session')).status, 401);
    assert.equal((await c.get(second.browser, '/console/api/session')).status, 200);
  });

  it('sign-out: CSRF-checked, revokes the sign-in, clears the cookie, names the issuer\'s end-session page', async () => {
    const { browser, csrf } = await c.adminBrowser();
    const without = await c.post(browser, '/console/logout', {}, undefined);
    assert.equal(without.status, 403);
    assert.equal(json(without).error, 'csrf_token_invalid');
    const foreign = await c.post(browser, '/console/logout', {}, csrf, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal(json(foreign).error, 'origin_mismatch');
    const value = browser.cookie(SESSION_COOKIE)!;

    const out = await c.post(browser, '/console/logout', {}, csrf);
    assert.equal(out.status, 200);
    assert.deepEqual(json(out), { ok: true, endSessionUrl: c.h.issuer.services.urls.endSession });
    assert.equal(cookieLine(out.setCookies, SESSION_COOKIE), `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`);
    assert.equal((await c.get(browser, '/console/api/session')).status, 401);
    browser.plant(SESSION_COOKIE, value);
    assert.equal((await c.get(browser, '/console/api/session')).status, 401, 'the old cookie is dead: its family was revoked');
  });

  it('a Host the console\'s client does not redirect to gets a page, not a redirect to the issuer', async () => {
    const browser = new TestBrowser(c.clock.now);
    const response = await browser.go(`${c.control}/console/login`, { headers: { ...NAVIGATE, host: 'console.example.com' } });
    assert.equal(response.status, 400);
    assert.match(response.body, /Console not available here/);
    assert.equal(response.location, undefined);
  });
});
