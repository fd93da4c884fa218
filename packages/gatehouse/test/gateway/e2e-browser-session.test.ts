/**
 * Browser sessions end to end (DESIGN.md "Browser sessions"): a real issuer, the gateway and a
 * recording upstream on 127.0.0.1, driven as a browser would — page load → 302 to the refresh
 * endpoint → 302 to the issuer → the sign-in form posted with username, password and CSRF token →
 * the callback → 303 back with the cookies → the upstream sees the person. Then renewal, replay,
 * logout and every callback failure, each checked on the wire (generic) and in the decision line
 * (precise). The clock is injected: renewal happens by moving it past the access token's life.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServerError } from '../../src/errors.ts';
import { RENEWAL_SHARE_MS } from '../../src/gateway/browser-session/shared-renewals.ts';
import { fieldValue, PASSWORD } from '../issuer/sign-in-helpers.ts';
import { manualClock } from '../issuer/token-helpers.ts';
import { startGatewayHarness, type GatewayHarness } from './support/e2e-gateway-harness.ts';
import { headerValues } from './support/test-upstream.ts';
import { NAVIGATE, parseSetCookie, TestBrowser, type BrowserResponse } from './support/test-browser.ts';

const ROUTES = `
  - id: app
    match: { host: 127.0.0.1 }
    upstream: UPSTREAM
    audience: app
    login: browser
    allow: [ { authenticated: true } ]
  - id: app-admin
    match: { host: 127.0.0.1, path: /admin/** }
    upstream: UPSTREAM
    audience: app
    login: browser
    allow: [ { role: admin } ]
  - id: api
    match: { host: localhost, path: /api/** }
    upstream: UPSTREAM
    audience: orders
    allow: [ { role: billing } ]
`;

const ACCESS = '__Host-gatehouse-access';
const REFRESH = '__Secure-gatehouse-refresh';
const LOGIN = '__Host-gatehouse-login';
const BINDING = '__Host-gatehouse-binding';
const ACCESS_TTL_SECONDS = 300;
const REFRESH_MAX_SECONDS = 7 * 24 * 3600;

const clock = manualClock();
let h: GatewayHarness;
let alice: string;

before(async () => {
  h = await startGatewayHarness({ routes: ROUTES, issuer: { clock: clock.now, tokens: '{ accessTtl: 5m, refreshIdle: 12h, refreshMax: 7d }' } });
  alice = await h.issuer.addUser('alice', PASSWORD, ['staff']);
});

after(() => h?.close());

const gateway = (path: string) => `${h.gatewayUrl}${path}`;
const line = (response: BrowserResponse) => h.lineFor(response.headers['x-request-id']);
const cookieLine = (response: BrowserResponse, name: string) => response.setCookies.find((candidate) => candidate.startsWith(`${name}=`));

/** Up to the issuer's redirect back to the gateway: the callback URL, with the steps on the way. */
async function signInUpTo(browser: TestBrowser, path: string): Promise<{ page: BrowserResponse; refresh: BrowserResponse; callbackUrl: string }> {
  const page = await browser.go(gateway(path), { headers: NAVIGATE });
  assert.equal(page.status, 302, `page load answered ${page.status}: ${page.body}`);
  const refresh = await browser.go(page.location!, { headers: NAVIGATE });
  assert.equal(refresh.status, 302);
  assert.ok(refresh.location!.startsWith(h.issuer.services.urls.authorize), refresh.location);
  const authorize = await browser.go(refresh.location!, { headers: NAVIGATE });
  assert.equal(authorize.status, 303, `authorize answered ${authorize.status}: ${authorize.body}`);
  const form = await browser.go(authorize.location!, { headers: NAVIGATE });
  assert.equal(form.status, 200);
  const tx = fieldValue(form.body, 'tx');
  const csrf = fieldValue(form.body, 'csrf');
  assert.ok(tx !== undefined && csrf !== undefined, 'the sign-in form has tx and csrf fields');
  const posted = await browser.go(h.issuer.services.urls.signIn, { form: { tx, csrf, username: 'alice', password: PASSWORD }, headers: { origin: h.issuer.url } });
  assert.equal(posted.status, 303, `sign-in answered ${posted.status}`);
  assert.ok(posted.location!.startsWith(gateway('/.gatehouse/callback?')), posted.location);
  return { page, refresh, callbackUrl: posted.location! };
}

/** The whole sign-in; returns the callback's response. */
async function signIn(browser: TestBrowser, path: string): Promise<BrowserResponse> {
  const { callbackUrl } = await signInUpTo(browser, path);
  const callback = await browser.go(callbackUrl, { headers: NAVIGATE });
  assert.equal(callback.status, 303, `callback answered ${callback.status}: ${callback.body}`);
  return callback;
}

function withCallbackQuery(callbackUrl: string, change: (query: URLSearchParams) => void): string {
  const url = new URL(callbackUrl);
  change(url.searchParams);
  return url.href;
}

describe('sign-in from a page load', () => {
  it('page load → refresh endpoint → issuer sign-in form → callback → the upstream sees the person; cookies exactly as specified', async () => {
    const browser = new TestBrowser(clock.now);
    const { page, refresh, callbackUrl } = await signInUpTo(browser, '/inbox/42?tab=unread');

    assert.equal(page.location, gateway(`/.gatehouse/session/refresh?return=${encodeURIComponent('/inbox/42?tab=unread')}`));
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.deepEqual(page.setCookies, []);
    const pageLine = await line(page);
    assert.deepEqual([pageLine.route, pageLine.decision, pageLine.reason], ['app', 'deny', 'unauthenticated']);

    // The authorization request: code + PKCE S256, state, nonce, our client, the host's audience.
    const authorize = new URL(refresh.location!).searchParams;
    assert.equal(authorize.get('response_type'), 'code');
    assert.equal(authorize.get('client_id'), 'gatehouse-gateway');
    assert.equal(authorize.get('redirect_uri'), gateway('/.gatehouse/callback'));
    assert.equal(authorize.get('scope'), 'openid');
    assert.equal(authorize.get('code_challenge_method'), 'S256');
    assert.match(authorize.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(authorize.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(authorize.get('nonce') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(authorize.get('resource'), 'app');
    const login = parseSetCookie(cookieLine(refresh, LOGIN)!);
    assert.match(login.value, /^v1\./);
    assert.deepEqual(login.attributes, ['Path=/', 'Max-Age=600', 'HttpOnly', 'Secure', 'SameSite=Lax']);
    assert.ok(!refresh.location!.includes(login.value) && !login.value.includes(authorize.get('state')!), 'the login cookie is sealed, not the state in clear');
    assert.equal(refresh.headers['cache-control'], 'no-store');
    const refreshLine = await line(refresh);
    assert.deepEqual([refreshLine.route, refreshLine.decision, refreshLine.reason], [null, 'allow', 'login_started']);

    // The issuer's answer carries the code, the state as sent, and iss (RFC 9207).
    const response = new URL(callbackUrl).searchParams;
    assert.equal(response.get('state'), authorize.get('state'));
    assert.equal(response.get('iss'), h.issuer.url);

    const callback = await browser.go(callbackUrl, { headers: NAVIGATE });
    assert.equal(callback.status, 303);
    assert.equal(callback.location, gateway('/inbox/42?tab=unread'));
    assert.equal(callback.headers['cache-control'], 'no-store');
    const access = parseSetCookie(cookieLine(callback, ACCESS)!);
    const refreshCookie = parseSetCookie(cookieLine(callback, REFRESH)!);
    assert.match(access.value, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.deepEqual(access.attributes, ['Path=/', `Max-Age=${ACCESS_TTL_SECONDS}`, 'HttpOnly', 'Secure', 'SameSite=Lax']);
    const bindingCookie = parseSetCookie(cookieLine(callback, BINDING)!);
    // The refresh cookie is bound to this browser's __Host- binding cookie (a planted one never matches).
    assert.match(refreshCookie.value, /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}$/);
    assert.equal(refreshCookie.value.split('.')[1], bindingCookie.value);
    assert.deepEqual(refreshCookie.attributes, ['Path=/.gatehouse/session', `Max-Age=${REFRESH_MAX_SECONDS}`, 'HttpOnly', 'Secure', 'SameSite=Strict']);
    assert.deepEqual(bindingCookie.attributes, ['Path=/', `Max-Age=${REFRESH_MAX_SECONDS}`, 'HttpOnly', 'Secure', 'SameSite=Strict']);
    assert.equal(cookieLine(callback, LOGIN), `${LOGIN}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
    assert.equal(callback.setCookies.length, 4);
    const callbackLine = await line(callback);
    assert.deepEqual([callbackLine.route, callbackLine.decision, callbackLine.reason, callbackLine.sub, callbackLine.client_id], [null, 'allow', 'login_completed', alice, 'gatehouse-gateway']);
    assert.equal(callbackLine.path, '/.gatehouse/callback');
    assert.equal(typeof callbackLine.jti, 'string');

    // The page, with the cookie: forwarded, with the person's identity.
    const before = h.upstream.requests.length;
    const served = await browser.go(callback.location!, { headers: NAVIGATE });
    assert.equal(served.status, 200);
    assert.equal(h.upstream.requests.length, before + 1);
    const received = h.upstream.requests.at(-1)!;
    assert.equal(received.url, '/inbox/42?tab=unread');
    assert.deepEqual(headerValues(received.rawHeaders, 'x-gatehouse-sub'), [alice]);
    assert.deepEqual(headerValues(received.rawHeaders, 'x-gatehouse-client-id'), ['gatehouse-gateway']);
    assert.deepEqual(headerValues(received.rawHeaders, 'x-gatehouse-roles'), ['staff']);
    assert.equal(headerValues(received.rawHeaders, 'x-gatehouse-assertion').length, 1);
    // The refresh token never reaches the application: its cookie is scoped to /.gatehouse/session.
    assert.ok(!(received.headers.cookie ?? '').includes(REFRESH));
    const servedLine = await line(served);
    assert.deepEqual([servedLine.route, servedLine.decision, servedLine.reason, servedLine.sub], ['app', 'allow', null, alice]);
  });

  it('a script (no navigation) without cookies gets the 401 challenge, not a redirect; so does a POST, even a navigation', async () => {
    const browser = new TestBrowser(clock.now);
    const scripts: Record<string, string>[] = [{ accept: '*/*' }, { 'sec-fetch-mode': 'cors', accept: 'text/html' }, { accept: 'application/json' }];
    for (const headers of scripts) {
      const response = await browser.go(gateway('/inbox'), { headers });
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="gatehouse"');
      assert.equal(response.location, undefined);
      assert.equal((await line(response)).reason, 'unauthenticated');
    }
    const posted = await browser.go(gateway('/inbox'), { method: 'POST', headers: NAVIGATE });
    assert.equal(posted.status, 401);
  });

  it('authenticated but not allowed (403) never redirects', async () => {
    const browser = new TestBrowser(clock.now);
    await signIn(browser, '/');
    const response = await browser.go(gateway('/admin/users'), { headers: NAVIGATE });
    assert.equal(response.status, 403);
    assert.equal(response.location, undefined);
    const refused = await line(response);
    assert.deepEqual([refused.route, refused.reason, refused.sub], ['app-admin', 'no_allow_rule_matched', alice]);
  });

  it('a state-changing request with the cookie needs this origin: foreign Origin → 403, own Origin → forwarded', async () => {
    const browser = new TestBrowser(clock.now);
    await signIn(browser, '/');
    const before = h.upstream.requests.length;
    const foreign = await browser.go(gateway('/inbox/archive'), { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' } });
    assert.equal(foreign.status, 403);
    assert.equal(h.upstream.requests.length, before);
    const refused = await line(foreign);
    assert.deepEqual([refused.route, refused.decision, refused.reason, refused.sub], ['app', 'deny', 'origin_mismatch', alice]);
    const missing = await browser.go(gateway('/inbox/archive'), { method: 'POST' });
    assert.equal(missing.status, 403);

    const own = await browser.go(gateway('/inbox/archive'), { method: 'POST', headers: { origin: h.gatewayUrl } });
    assert.equal(own.status, 200);
    assert.equal(h.upstream.requests.length, before + 1);
  });
});

describe('silent renewal', () => {
  it('after the access token expires: page load → refresh endpoint rotates the refresh token → back with new cookies', async () => {
    const browser = new TestBrowser(clock.now);
    await signIn(browser, '/');
    const firstAccess = browser.cookie(ACCESS)!;
    const firstRefresh = browser.cookie(REFRESH)!;

    clock.advance((ACCESS_TTL_SECONDS + 1) * 1000);
    assert.equal(browser.cookie(ACCESS), undefined, 'the browser dropped the access cookie at Max-Age');
    const page = await browser.go(gateway('/reports?y=2030'), { headers: NAVIGATE });
    assert.equal(page.status, 302);
    assert.equal(page.location, gateway('/.gatehouse/session/refresh?return=%2Freports%3Fy%3D2030'));

    const renewed = await browser.go(page.location!, { headers: NAVIGATE });
    assert.equal(renewed.status, 303);
    assert.equal(renewed.location, gateway('/reports?y=2030'));
    assert.equal(renewed.headers['cache-control'], 'no-store');
    const access = parseSetCookie(cookieLine(renewed, ACCESS)!);
    const refresh = parseSetCookie(cookieLine(renewed, REFRESH)!);
    assert.notEqual(access.value, firstAccess);
    assert.notEqual(refresh.value, firstRefresh, 'the refresh token rotated');
    assert.deepEqual(access.attributes, ['Path=/', `Max-Age=${ACCESS_TTL_SECONDS}`, 'HttpOnly', 'Secure', 'SameSite=Lax']);
    assert.deepEqual(refresh.attributes, ['Path=/.gatehouse/session', `Max-Age=${REFRESH_MAX_SECONDS}`, 'HttpOnly', 'Secure', 'SameSite=Strict']);
    const renewedLine = await line(renewed);
    assert.deepEqual([renewedLine.decision, renewedLine.reason, renewedLine.sub, renewedLine.client_id], ['allow', 'session_refreshed', alice, 'gatehouse-gateway']);

    const served = await browser.go(renewed.location!, { headers: NAVIGATE });
    assert.equal(served.status, 200);
    assert.deepEqual(headerValues(h.upstream.requests.at(-1)!.rawHeaders, 'x-gatehouse-sub'), [alice]);
  });

  it('an expired access cookie a browser still sends is refused (token_expired) and the page load goes to renewal', async () => {
    const browser = new TestBrowser(clock.now);
    await signIn(browser, '/');
    const stale = browser.cookie(ACCESS)!;
    clock.advance((ACCESS_TTL_SECONDS + 60) * 1000);
    browser.plant(ACCESS, stale);
    const page = await browser.go(gateway('/inbox'), { headers: NAVIGATE });
    assert.equal(page.status, 302);
    assert.equal(page.location, gateway('/.gatehouse/session/refresh?return=%2Finbox'));
    assert.deepEqual([(await line(page)).reason, (await line(page)).route], ['token_expired', 'app']);
    const xhr = await browser.go(gateway('/inbox'), { headers: { accept: 'application/json' } });
    assert.equal(xhr.status, 401);
    assert.equal(xhr.headers['www-authenticate'], 'Bearer realm="gatehouse", error="invalid_token"');
  });

  it('several tabs renewing at once share one rotation: all get the same new cookies, nobody is signed out', async () => {
    const browser = new TestBrowser(clock.now);
    await signIn(browser, '/');
    clock.advance((ACCESS_TTL_SECONDS + 1) * 1000);
    const reuses = async () => (await h.issuer.services.store.securityEvents.listRecent({ type: 'refresh.reused', subject: alice, limit: 100 })).length;
    const reusesBefore = await reuses();
    const tabs = await Promise.all([1, 2, 3].map(() => browser.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE })));
    assert.deepEqual(tabs.map((tab) => tab.status), [303, 303, 303]);
    const lines = await Promise.all(tabs.map((tab) => line(tab)));
    assert.deepEqual(lines.map((entry) => entry.reason), ['session_refreshed', 'session_refreshed', 'session_refreshed']);
    assert.equal(new Set(tabs.map((tab) => cookieLine(tab, REFRESH))).size, 1, 'one rotation, one successor');
    assert.equal(await reuses(), reusesBefore, 'no reuse detected, no family revoked');
    const page = await browser.go(gateway('/inbox'), { headers: NAVIGATE });
    assert.equal(page.status, 200, 'still signed in');
  });

  it('a replayed (already rotated) refresh token is refused, and its whole family is revoked', async () => {
    const browser = new TestBrowser(clock.now);
    await signIn(browser, '/');
    const oldRefresh = browser.cookie(REFRESH)!;
    const renewed = await browser.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE });
    assert.equal((await line(renewed)).reason, 'session_refreshed');
    const currentAccess = browser.cookie(ACCESS)!;
    const currentRefresh = browser.cookie(REFRESH)!;

    // A thief who copied the browser's cookies (both: the binding is part of the theft), later
    // than the few seconds in which other tabs' renewals share one rotation.
    clock.advance(RENEWAL_SHARE_MS + 1000);
    const thief = new TestBrowser(clock.now);
    thief.plant(REFRESH, oldRefresh, '/.gatehouse/session');
    thief.plant(BINDING, browser.cookie(BINDING)!);
    const replay = await thief.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE });
    assert.equal(replay.status, 302, 'no tokens: the replayer is sent to sign in');
    assert.ok(replay.location!.startsWith(h.issuer.services.urls.authorize));
    assert.equal(cookieLine(replay, ACCESS), undefined);
    assert.equal(cookieLine(replay, REFRESH), `${REFRESH}=; Path=/.gatehouse/session; Max-Age=0; HttpOnly; Secure; SameSite=Strict`);
    const replayLine = await line(replay);
    assert.deepEqual([replayLine.decision, replayLine.reason], ['deny', 'refresh_rejected']);
    const [event] = await h.issuer.services.store.securityEvents.listRecent({ type: 'refresh.reused', subject: alice, limit: 1 });
    assert.equal(event?.clientId, 'gatehouse-gateway');

    // The family is gone: the rightful browser's current refresh token and access token too.
    const afterTheft = await browser.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE });
    assert.equal(afterTheft.status, 302);
    assert.equal((await line(afterTheft)).reason, 'refresh_rejected');
    assert.equal(browser.cookie(REFRESH), undefined);
    const withAccess = new TestBrowser(clock.now);
    withAccess.plant(ACCESS, currentAccess);
    const xhr = await withAccess.go(gateway('/inbox'), { headers: { accept: 'application/json' } });
    assert.equal(xhr.status, 401);
    assert.equal((await line(xhr)).reason, 'token_revoked');
    assert.notEqual(currentRefresh, oldRefresh);
  });
});

describe('cookie tossing', () => {
  it('an attacker\'s own refresh cookie planted in a victim\'s browser (a sibling host can set __Secure- cookies for the parent domain) is never used', async () => {
    const attacker = new TestBrowser(clock.now);
    await signIn(attacker, '/');
    const attackersRefresh = attacker.cookie(REFRESH)!;

    // The victim's browser: no session of its own, then one with its own binding.
    for (const victimBinding of [undefined, 'victims-own-binding-000']) {
      const victim = new TestBrowser(clock.now);
      victim.plant(REFRESH, attackersRefresh, '/.gatehouse/session');
      if (victimBinding !== undefined) victim.plant(BINDING, victimBinding);
      const attempt = await victim.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE });
      assert.equal(attempt.status, 302, 'sent to sign in, not signed in as the attacker');
      assert.ok(attempt.location!.startsWith(h.issuer.services.urls.authorize));
      assert.equal(cookieLine(attempt, ACCESS), undefined);
      assert.equal(cookieLine(attempt, REFRESH), `${REFRESH}=; Path=/.gatehouse/session; Max-Age=0; HttpOnly; Secure; SameSite=Strict`);
      const attemptLine = await line(attempt);
      assert.deepEqual([attemptLine.decision, attemptLine.reason], ['deny', 'refresh_unbound']);
    }
    // Never sent to the grant: the attacker's own session is untouched (no reuse, no revocation).
    const own = await attacker.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE });
    assert.equal((await line(own)).reason, 'session_refreshed');
  });
});

describe('store outage', () => {
  it('renewal while the store is unreachable: 503 with Retry-After, nothing rotated; once it is back, the same cookies renew', async () => {
    const browser = new TestBrowser(clock.now);
    await signIn(browser, '/');
    const refreshBefore = browser.cookie(REFRESH)!;
    const repository = h.issuer.services.store.refreshTokens;
    const inspect = repository.inspect;
    repository.inspect = async () => {
      throw new ServerError('store_unavailable', 'the store cannot be reached (test)');
    };
    try {
      const down = await browser.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE });
      assert.equal(down.status, 503);
      assert.equal(down.headers['retry-after'], '5');
      assert.equal(cookieLine(down, REFRESH), undefined, 'the refresh cookie is kept for later');
      const downLine = await line(down);
      assert.deepEqual([downLine.decision, downLine.reason], ['deny', 'session_store_unavailable']);
    } finally {
      repository.inspect = inspect;
    }
    assert.equal(browser.cookie(REFRESH), refreshBefore);
    const back = await browser.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE });
    assert.equal((await line(back)).reason, 'session_refreshed');
  });
});

describe('logout', () => {
  it('POST from this origin revokes the family, clears both cookies, and goes on to the issuer\'s end-session', async () => {
    const browser = new TestBrowser(clock.now);
    await signIn(browser, '/');
    const access = browser.cookie(ACCESS)!;
    const refresh = browser.cookie(REFRESH)!;
    const binding = browser.cookie(BINDING)!;

    const out = await browser.go(gateway('/.gatehouse/session/logout'), { method: 'POST', headers: { origin: h.gatewayUrl } });
    assert.equal(out.status, 303);
    assert.equal(out.location, h.issuer.services.urls.endSession);
    assert.equal(out.headers['cache-control'], 'no-store');
    assert.deepEqual([...out.setCookies].sort(), [
      `${ACCESS}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`,
      `${BINDING}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`,
      `${REFRESH}=; Path=/.gatehouse/session; Max-Age=0; HttpOnly; Secure; SameSite=Strict`,
    ]);
    assert.equal(browser.cookie(ACCESS), undefined);
    assert.equal(browser.cookie(REFRESH), undefined);
    const outLine = await line(out);
    assert.deepEqual([outLine.route, outLine.decision, outLine.reason, outLine.sub], [null, 'allow', 'logged_out', alice]);

    // Copies taken before the logout are worthless.
    const copy = new TestBrowser(clock.now);
    copy.plant(REFRESH, refresh, '/.gatehouse/session');
    copy.plant(BINDING, binding);
    const refreshed = await copy.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE });
    assert.equal(refreshed.status, 302);
    assert.equal((await line(refreshed)).reason, 'refresh_rejected');
    copy.plant(ACCESS, access);
    const xhr = await copy.go(gateway('/inbox'), { headers: { accept: 'application/json' } });
    assert.equal(xhr.status, 401);
    assert.equal((await line(xhr)).reason, 'token_revoked');
  });

  it('from another origin → 403 and nothing revoked; GET → 404', async () => {
    const browser = new TestBrowser(clock.now);
    await signIn(browser, '/');
    const foreign = await browser.go(gateway('/.gatehouse/session/logout'), { method: 'POST', headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403);
    assert.deepEqual(foreign.setCookies, []);
    assert.equal((await line(foreign)).reason, 'origin_mismatch');
    const get = await browser.go(gateway('/.gatehouse/session/logout'), { headers: NAVIGATE });
    assert.equal(get.status, 404);
    assert.equal((await line(get)).reason, 'method_not_allowed');
    const stillIn = await browser.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE });
    assert.equal((await line(stillIn)).reason, 'session_refreshed');
  });
});

describe('callback failures: one generic 400 page, the precise reason in the decision line', () => {
  it('tampered login cookie, wrong state, wrong iss, no cookie, replayed code; then the genuine response still works', async () => {
    const browser = new TestBrowser(clock.now);
    const { callbackUrl } = await signInUpTo(browser, '/after-login');
    const sealed = browser.cookie(LOGIN)!;
    const bodies = new Set<string>();

    const failure = async (response: BrowserResponse, reason: string): Promise<void> => {
      assert.equal(response.status, 400, reason);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.deepEqual(response.setCookies, [], `${reason}: no cookie set`);
      bodies.add(response.body);
      const refused = await line(response);
      assert.deepEqual([refused.route, refused.decision, refused.reason], [null, 'deny', reason]);
    };

    const parts = sealed.split('.');
    const ciphertext = Buffer.from(parts[2]!, 'base64url');
    ciphertext[5] = ciphertext[5]! ^ 0x40;
    browser.plant(LOGIN, [parts[0], parts[1], ciphertext.toString('base64url'), parts[3]].join('.'));
    await failure(await browser.go(callbackUrl, { headers: NAVIGATE }), 'callback_transaction_invalid');

    browser.plant(LOGIN, sealed);
    await failure(await browser.go(withCallbackQuery(callbackUrl, (query) => query.set('state', 'A'.repeat(43))), { headers: NAVIGATE }), 'callback_state_mismatch');
    await failure(await browser.go(withCallbackQuery(callbackUrl, (query) => query.delete('state')), { headers: NAVIGATE }), 'callback_state_mismatch');
    await failure(await browser.go(withCallbackQuery(callbackUrl, (query) => query.set('iss', 'https://evil.example')), { headers: NAVIGATE }), 'callback_issuer_mismatch');
    await failure(await browser.go(withCallbackQuery(callbackUrl, (query) => query.append('code', 'x')), { headers: NAVIGATE }), 'callback_request_invalid');
    await failure(await browser.go(withCallbackQuery(callbackUrl, (query) => query.set('code', 'not-a-code')), { headers: NAVIGATE }), 'callback_code_rejected');
    await failure(await browser.go(withCallbackQuery(callbackUrl, (query) => {
      query.delete('code');
      query.set('error', 'access_denied');
    }), { headers: NAVIGATE }), 'callback_authorization_error');
    await failure(await browser.go(callbackUrl, { headers: NAVIGATE, cookies: false }), 'callback_no_transaction');
    // Cut short or sent twice: refused, never "pick one".
    browser.plant(LOGIN, sealed.slice(0, -4));
    await failure(await browser.go(callbackUrl, { headers: NAVIGATE }), 'callback_transaction_invalid');
    browser.plant(LOGIN, sealed);
    browser.plant(LOGIN, sealed, '/.gatehouse');
    await failure(await browser.go(callbackUrl, { headers: NAVIGATE }), 'callback_transaction_invalid');
    browser.forget(LOGIN);
    browser.plant(LOGIN, sealed);
    assert.equal(bodies.size, 1, 'every failure looks the same');

    // None of those spent the code: the genuine response completes the sign-in.
    const callback = await browser.go(callbackUrl, { headers: NAVIGATE });
    assert.equal(callback.status, 303);
    assert.equal(callback.location, gateway('/after-login'));
    assert.equal((await line(callback)).reason, 'login_completed');

    // The same response again: the login cookie is gone.
    await failure(await browser.go(callbackUrl, { headers: NAVIGATE }), 'callback_no_transaction');
    // And with the old login cookie put back, the code is spent.
    browser.plant(LOGIN, sealed);
    await failure(await browser.go(callbackUrl, { headers: NAVIGATE }), 'callback_code_rejected');
  });

  it('a code issued for another nonce (an injected authorization response) is refused and its tokens revoked', async () => {
    const bob = await h.issuer.addUser('bob', PASSWORD);
    const browser = new TestBrowser(clock.now);
    const started = await browser.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE });
    // Same state and PKCE challenge as the gateway's request — only the nonce differs.
    const injected = new URL(started.location!);
    injected.searchParams.set('nonce', 'injected-nonce');
    const authorize = await browser.go(injected.href, { headers: NAVIGATE });
    const form = await browser.go(authorize.location!, { headers: NAVIGATE });
    const posted = await browser.go(h.issuer.services.urls.signIn, { form: { tx: fieldValue(form.body, 'tx')!, csrf: fieldValue(form.body, 'csrf')!, username: 'bob', password: PASSWORD } });
    assert.equal(posted.status, 303);

    const callback = await browser.go(posted.location!, { headers: NAVIGATE });
    assert.equal(callback.status, 400);
    assert.deepEqual(callback.setCookies, []);
    assert.equal((await line(callback)).reason, 'callback_nonce_mismatch');
    const families = await h.issuer.services.store.refreshTokens.listFamilies({ userId: bob, clientId: 'gatehouse-gateway' });
    assert.equal(families.length, 1);
    assert.equal(families[0]!.revokedReason, 'callback_nonce_mismatch');
  });

  it('a login cookie older than 10 minutes is refused as expired', async () => {
    const browser = new TestBrowser(clock.now);
    const { callbackUrl } = await signInUpTo(browser, '/');
    const sealed = browser.cookie(LOGIN)!;
    clock.advance(601_000);
    browser.plant(LOGIN, sealed);
    const late = await browser.go(callbackUrl, { headers: NAVIGATE });
    assert.equal(late.status, 400);
    assert.equal((await line(late)).reason, 'callback_transaction_expired');
  });

  it('a response for another browser\'s sign-in (login CSRF) fails the state check there', async () => {
    const attacker = new TestBrowser(clock.now);
    const { callbackUrl } = await signInUpTo(attacker, '/');
    const victim = new TestBrowser(clock.now);
    await victim.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE });
    assert.ok(victim.cookie(LOGIN) !== undefined);
    const forced = await victim.go(callbackUrl, { headers: NAVIGATE });
    assert.equal(forced.status, 400);
    assert.equal((await line(forced)).reason, 'callback_state_mismatch');
    assert.equal(victim.cookie(ACCESS), undefined);
  });
});

describe('return paths and the gateway\'s own paths', () => {
  it('an open-redirect attempt in `return` lands on /, after renewal and after sign-in', async () => {
    const browser = new TestBrowser(clock.now);
    await signIn(browser, '/');
    for (const attempt of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      const renewed = await browser.go(gateway(`/.gatehouse/session/refresh?return=${encodeURIComponent(attempt)}`), { headers: NAVIGATE });
      assert.equal(renewed.status, 303, attempt);
      assert.equal(renewed.location, gateway('/'), attempt);
    }

    const fresh = new TestBrowser(clock.now);
    const started = await fresh.go(gateway(`/.gatehouse/session/refresh?return=${encodeURIComponent('https://evil.example/')}`), { headers: NAVIGATE });
    const authorize = await fresh.go(started.location!, { headers: NAVIGATE });
    const form = await fresh.go(authorize.location!, { headers: NAVIGATE });
    const posted = await fresh.go(h.issuer.services.urls.signIn, { form: { tx: fieldValue(form.body, 'tx')!, csrf: fieldValue(form.body, 'csrf')!, username: 'alice', password: PASSWORD } });
    const callback = await fresh.go(posted.location!, { headers: NAVIGATE });
    assert.equal(callback.status, 303);
    assert.equal(callback.location, gateway('/'));
  });

  it('/.gatehouse/ is the gateway\'s only on login hosts: other paths there 404, other hosts route as usual', async () => {
    const browser = new TestBrowser(clock.now);
    const unknown = await browser.go(gateway('/.gatehouse/other'), { headers: NAVIGATE });
    assert.equal(unknown.status, 404);
    assert.deepEqual([(await line(unknown)).route, (await line(unknown)).reason], [null, 'no_route']);
    const head = await browser.go(gateway('/.gatehouse/callback'), { method: 'HEAD', headers: NAVIGATE });
    assert.equal(head.status, 404);
    assert.equal((await line(head)).reason, 'method_not_allowed');
    const escaped = await browser.go(gateway('/%2Egatehouse/session/refresh?return=/x'), { headers: NAVIGATE });
    assert.equal(escaped.status, 302, 'an escaped dot is the same path');
    assert.equal((await line(escaped)).reason, 'login_started');

    // Host `localhost` has no login route: the path goes to the route table like any other.
    const otherHost = await browser.go(`http://localhost:${h.gatewayPort}/.gatehouse/callback?code=x&state=y`, { headers: NAVIGATE });
    assert.equal(otherHost.status, 404);
    assert.deepEqual([(await line(otherHost)).route, (await line(otherHost)).reason], [null, 'no_route']);
  });

  it('the issuer sends the gateway client\'s codes only to its callback on a login host', async () => {
    const browser = new TestBrowser(clock.now);
    const started = await browser.go(gateway('/.gatehouse/session/refresh?return=/'), { headers: NAVIGATE });
    for (const redirectUri of [`http://127.0.0.1:${h.gatewayPort}/elsewhere`, 'https://evil.example/.gatehouse/callback', `http://localhost.evil.example:${h.gatewayPort}/.gatehouse/callback`]) {
      const url = new URL(started.location!);
      url.searchParams.set('redirect_uri', redirectUri);
      const refused = await browser.go(url.href, { headers: NAVIGATE });
      assert.equal(refused.status, 400, redirectUri);
      assert.equal(refused.location, undefined);
    }
  });
});
