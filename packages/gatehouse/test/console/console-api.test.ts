/**
 * The console's JSON admin API over HTTP (docs/reference/console.md): every endpoint once on its
 * happy path and with its main refusal — no session (401), a POST without the CSRF token or from
 * another origin (403), a bearer token without the admin role (403), a wrong confirmation (400) —
 * and the security headers on every /console response. The session is a real sign-in of an admin
 * through the issuer's form; bearer tokens are this issuer's, for the gatehouse-console audience.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_CSP } from '../../src/console/security-headers.ts';
import { TEST_SECRETS } from '../support/issuer-harness.ts';
import { TestBrowser, type BrowserResponse } from '../gateway/support/test-browser.ts';
import { json, startConsoleHarness, type ConsoleHarness } from './support/console-harness.ts';

let c: ConsoleHarness;
let admin: { browser: TestBrowser; csrf: string };

before(async () => {
  c = await startConsoleHarness();
  admin = await c.adminBrowser();
});
after(() => c?.close());

const api = (path: string) => `/console/api${path}`;
const anonymous = () => new TestBrowser(c.clock.now);
const withBearer = (token: string) => ({ authorization: `Bearer ${token}` });

function assertSecurityHeaders(response: BrowserResponse, what: string): void {
  assert.equal(response.headers['content-security-policy'], CONSOLE_CSP, what);
  assert.equal(CONSOLE_CSP, "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  assert.equal(response.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(response.headers['referrer-policy'], 'no-referrer', what);
  assert.equal(response.headers['x-frame-options'], 'DENY', what);
}

/** A POST as a script would send it, with the bearer token and nothing else (no cookie, no Origin, no CSRF token). */
function bearerPost(path: string, body: unknown, token: string): Promise<BrowserResponse> {
  return anonymous().go(`${c.control}${api(path)}`, { method: 'POST', json: body, headers: withBearer(token) });
}

describe('authentication and CSRF', () => {
  it('without a session or token every endpoint answers 401 unauthenticated, as JSON, not cached', async () => {
    for (const path of ['/session', '/overview', '/decisions', '/routes', '/sessions', '/keys', '/users', '/clients']) {
      const response = await c.get(anonymous(), api(path));
      assert.equal(response.status, 401, path);
      assert.equal(json(response).error, 'unauthenticated', path);
      assert.equal(response.headers['cache-control'], 'no-store');
    }
    const posted = await c.post(anonymous(), api('/keys/rotate'), {}, undefined);
    assert.equal(posted.status, 401);
  });

  it('a POST with the cookie needs the X-CSRF-Token (403 csrf_token_invalid) and a same-origin Origin (403 origin_mismatch)', async () => {
    const missing = await c.post(admin.browser, api('/users'), { username: 'csrf-victim', password: 'long enough password' }, undefined);
    assert.equal(missing.status, 403);
    assert.equal(json(missing).error, 'csrf_token_invalid');
    const wrong = await c.post(admin.browser, api('/users'), { username: 'csrf-victim', password: 'long enough password' }, 'A'.repeat(22));
    assert.equal(json(wrong).error, 'csrf_token_invalid');
    const foreign = await c.post(admin.browser, api('/users'), { username: 'csrf-victim', password: 'long enough password' }, admin.csrf, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal(json(foreign).error, 'origin_mismatch');
    const noOrigin = await admin.browser.go(`${c.control}${api('/users')}`, { method: 'POST', json: { username: 'csrf-victim', password: 'long enough password' }, headers: { 'x-csrf-token': admin.csrf } });
    assert.equal(json(noOrigin).error, 'origin_mismatch');
    assert.equal(await c.h.issuer.services.store.users.findByUsername('csrf-victim'), undefined, 'nothing was created');
  });

  it('bearer tokens: an admin\'s works without cookie or CSRF; without the admin role 403; a refused one 401 with a challenge', async () => {
    const token = await c.bearer(['admin']);
    const session = await c.get(anonymous(), api('/session'), withBearer(token));
    assert.equal(session.status, 200);
    assert.deepEqual(json(session), { sub: 'ops-bot', username: null, roles: ['admin'], csrfToken: null });

    const staff = await c.get(anonymous(), api('/session'), withBearer(await c.bearer(['staff'])));
    assert.equal(staff.status, 403);
    assert.equal(json(staff).error, 'admin_required');
    const staffPost = await bearerPost('/keys/rotate', {}, await c.bearer(['staff']));
    assert.equal(staffPost.status, 403);
    assert.equal(json(staffPost).error, 'admin_required');

    const otherAudience = (await c.h.issuer.services.mintAccessToken({ subject: 'ops-bot', audience: 'orders', clientId: 'ops-cli', roles: ['admin'] })).token;
    const refused = await c.get(anonymous(), api('/session'), withBearer(otherAudience));
    assert.equal(refused.status, 401);
    assert.equal(json(refused).error, 'unauthenticated');
    assert.equal(refused.headers['www-authenticate'], 'Bearer realm="gatehouse-console", error="invalid_token"');
    const malformed = await c.get(anonymous(), api('/session'), { authorization: 'Bearer a b' });
    assert.equal(malformed.status, 401);
    // A bad bearer token is never ignored in favour of the cookie.
    const withCookieToo = await c.get(admin.browser, api('/session'), withBearer(otherAudience));
    assert.equal(withCookieToo.status, 401);
  });
});

describe('GET /console/api/session, /overview, /decisions, /routes', () => {
  it('overview: 3,600 seconds of allow/deny, the top refusal reasons, addresses and subjects, and recent security events', async () => {
    const gateway = c.h.gatewayUrl;
    const billing = await c.h.billingToken();
    assert.equal((await fetch(`${gateway}/orders/1`, { headers: { authorization: `Bearer ${billing}` } })).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${gateway}/orders/1`)).status, 401);
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`${gateway}/admin/x`, { headers: { authorization: `Bearer ${billing}` } })).status, 403);
    await waitForLines(6);

    const response = await c.get(admin.browser, api('/overview'));
    assert.equal(response.status, 200);
    const overview = json(response);
    assert.equal(overview.now, Math.floor(c.clock.now() / 1000));
    assert.equal(overview.series.length, 3600);
    assert.equal(overview.series.at(-1).t, overview.now);
    assert.deepEqual(Object.keys(overview.series[0]), ['t', 'allow', 'deny']);
    const totals = overview.series.reduce((sum: { allow: number; deny: number }, second: { allow: number; deny: number }) => ({ allow: sum.allow + second.allow, deny: sum.deny + second.deny }), { allow: 0, deny: 0 });
    assert.ok(totals.allow >= 1 && totals.deny >= 5, JSON.stringify(totals));
    assert.deepEqual(overview.topReasons.slice(0, 2), [{ reason: 'unauthenticated', count: 3 }, { reason: 'no_allow_rule_matched', count: 2 }]);
    assert.deepEqual(overview.topIps[0], { ip: '127.0.0.1', count: 5 });
    assert.deepEqual(overview.topSubjects, [{ sub: 'billing-svc', count: 2 }]);
    assert.ok(Array.isArray(overview.events) && overview.events.length <= 20);
    for (const event of overview.events) assert.deepEqual(Object.keys(event), ['id', 'at', 'type', 'severity', 'subject', 'clientId', 'ip', 'details']);
    assert.ok(overview.events.some((event: { type: string }) => event.type === 'key.created'), 'the first key\'s creation is an event');
    assertSecurityHeaders(response, 'overview');
  });

  it('decisions: newest first with seq, filtered exactly, `after` for polling; a bad filter is 400', async () => {
    const all = json(await c.get(admin.browser, api('/decisions')));
    assert.ok(all.lines.length >= 6);
    assert.equal(all.last, all.lines[0].seq);
    assert.ok(all.lines.every((line: { seq: number }, i: number) => i === 0 || line.seq < all.lines[i - 1].seq), 'newest first');
    const denied = json(await c.get(admin.browser, api('/decisions?result=deny&route=admin')));
    assert.ok(denied.lines.length === 2 && denied.lines.every((line: { decision: string; route: string; reason: string; sub: string }) => line.decision === 'deny' && line.route === 'admin' && line.reason === 'no_allow_rule_matched' && line.sub === 'billing-svc'));
    assert.deepEqual(json(await c.get(admin.browser, api(`/decisions?after=${all.last}`))), { lines: [], last: all.last });
    assert.equal(json(await c.get(admin.browser, api('/decisions?limit=1'))).lines.length, 1);
    const bad = await c.get(admin.browser, api('/decisions?result=maybe'));
    assert.equal(bad.status, 400);
    assert.equal(json(bad).error, 'invalid_request');
  });

  it('routes: the running routes', async () => {
    assert.deepEqual(json(await c.get(admin.browser, api('/routes'))), [
      { id: 'orders', audience: 'orders', host: null, path: '/orders/**', methods: ['GET', 'POST'], login: null },
      { id: 'admin', audience: 'orders', host: null, path: '/admin/**', methods: null, login: null },
    ]);
  });

  it('an unknown endpoint is a JSON 404 (GET and POST)', async () => {
    const get = await c.get(admin.browser, api('/nope'));
    assert.equal(get.status, 404);
    assert.equal(json(get).error, 'not_found');
    const post = await c.post(admin.browser, api('/nope'), {}, admin.csrf);
    assert.equal(post.status, 404);
    assert.equal(json(post).error, 'not_found');
  });
});

describe('POST /console/api/explain and /policy', () => {
  it('explain: a refused token, check by check, with the verdict and no policy', async () => {
    const token = await c.h.billingToken();
    const tampered = `${token.slice(0, -6)}${token.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA'}`;
    const response = await c.post(admin.browser, api('/explain'), { token: tampered, route: 'orders' }, admin.csrf);
    assert.equal(response.status, 200, response.body);
    const explained = json(response);
    assert.equal(explained.header.typ, 'at+jwt');
    assert.equal(explained.claims.sub, 'billing-svc');
    assert.deepEqual(explained.checks.find((check: { check: string }) => check.check === 'signature').status, 'fail');
    assert.equal(explained.policy, null);
    assert.deepEqual(explained.verdict, { decision: 'deny', status: 401, error: 'invalid_token', reason: 'bad_signature', rule: null });
    const noToken = await c.post(admin.browser, api('/explain'), { route: 'orders' }, admin.csrf);
    assert.equal(noToken.status, 400);
    assert.equal(json(noToken).error, 'invalid_request');
    const unknownRoute = await c.post(admin.browser, api('/explain'), { token, route: 'nope' }, admin.csrf);
    assert.equal(unknownRoute.status, 400);
  });

  it('explain: a good token at a route, with the request described, gets the policy trace and the verdict', async () => {
    const token = await c.h.billingToken();
    const explained = json(await c.post(admin.browser, api('/explain'), { token, route: 'orders', method: 'POST', path: '/orders/7', ip: '198.51.100.4' }, admin.csrf));
    assert.ok(explained.checks.every((check: { status: string }) => check.status === 'pass'));
    assert.equal(explained.policy.route, 'orders');
    assert.deepEqual(explained.policy.request, { method: 'POST', path: '/orders/7', ip: '198.51.100.4', headers: [] });
    assert.deepEqual(explained.verdict, { decision: 'allow', status: 200, error: null, reason: 'allowed', rule: 'allow[0]' });
  });

  it('policy: claims taken as if verified (assumed: true), a deny rule on a header, a refused token, anonymous; token and claims together are 400', async () => {
    const assumed = json(await c.post(admin.browser, api('/policy'), { route: 'admin', method: 'GET', path: '/admin/x', claims: { sub: 'zoe', roles: ['admin'], scope: ['a', 'b'] } }, admin.csrf));
    assert.deepEqual([assumed.decision, assumed.status, assumed.rule, assumed.reason, assumed.assumed], ['allow', 200, 'allow[0]', 'allowed', true]);
    assert.deepEqual(assumed.identity, { authenticated: true, sub: 'zoe', roles: ['admin'], scopes: ['a', 'b'] });
    assert.equal(assumed.trace.allow[0].verdict, 'pass');

    const evil = json(await c.post(admin.browser, api('/policy'), { route: 'admin', path: '/admin/x', headers: { 'X-Evil': 'yes' }, claims: { sub: 'zoe', roles: ['admin'] } }, admin.csrf));
    assert.deepEqual([evil.decision, evil.status, evil.rule, evil.reason], ['deny', 403, 'no-evil', 'denied_by_rule']);

    const billing = await c.h.billingToken();
    const verified = json(await c.post(admin.browser, api('/policy'), { route: 'admin', path: '/admin/x', host: '127.0.0.1', token: billing }, admin.csrf));
    assert.deepEqual([verified.decision, verified.status, verified.reason, verified.assumed], ['deny', 403, 'no_allow_rule_matched', false]);
    assert.deepEqual(verified.token, { valid: true, issuer: c.h.issuer.url });
    assert.deepEqual(verified.routing, { route: 'admin', refusal: null });

    const refused = json(await c.post(admin.browser, api('/policy'), { route: 'admin', token: `${billing}x` }, admin.csrf));
    assert.deepEqual([refused.decision, refused.status, refused.error, refused.trace], ['deny', 401, 'invalid_token', null]);
    const nobody = json(await c.post(admin.browser, api('/policy'), { route: 'orders' }, admin.csrf));
    assert.deepEqual([nobody.decision, nobody.status, nobody.reason], ['deny', 401, 'unauthenticated']);

    const both = await c.post(admin.browser, api('/policy'), { route: 'orders', token: billing, claims: { sub: 'x' } }, admin.csrf);
    assert.equal(both.status, 400);
    assert.equal(json(both).error, 'invalid_request');
    const badMethod = await c.post(admin.browser, api('/policy'), { route: 'orders', method: 'TRACE' }, admin.csrf);
    assert.equal(badMethod.status, 400);
  });

  it('bodies must be JSON objects: other types and broken JSON are 400', async () => {
    const form = await admin.browser.go(`${c.control}${api('/policy')}`, { method: 'POST', headers: { origin: c.control, 'x-csrf-token': admin.csrf }, form: { route: 'orders' } });
    assert.equal(form.status, 400);
    assert.deepEqual(json(form), { error: 'invalid_request', message: 'send the body as application/json' });
    const array = await c.post(admin.browser, api('/policy'), [1, 2], admin.csrf);
    assert.equal(array.status, 400);
    assert.equal(json(array).error, 'invalid_request');
  });
});

describe('sessions, keys, users, clients', () => {
  it('sessions: list per user, revoke one (404 for an unknown id), revoke all of a user; session.revoked events via console', async () => {
    const bob = await addUser('bob-sessions', ['staff']);
    const families = await Promise.all([1, 2].map(() => c.h.issuer.services.store.refreshTokens.createFamily({ userId: bob, clientId: 'web', scope: 'openid', tokenHash: `h-${Math.random()}`, now: c.clock.now(), idleTtl: 3_600_000, absoluteTtl: 86_400_000 })));
    const listed = json<{ id: string; userId: string; username: string; clientId: string; state: string; createdAt: string; lastUsedAt: string; expiresAt: string }[]>(await c.get(admin.browser, api('/sessions?user=bob-sessions')));
    assert.equal(listed.length, 2);
    for (const row of listed) {
      assert.deepEqual([row.userId, row.username, row.clientId, row.state], [bob, 'bob-sessions', 'web', 'active']);
      assert.ok(!Number.isNaN(Date.parse(row.createdAt)) && !Number.isNaN(Date.parse(row.expiresAt)));
    }
    const one = await c.post(admin.browser, api(`/sessions/${families[0]!.id}/revoke`), {}, admin.csrf);
    assert.equal(one.status, 200);
    assert.deepEqual(json(one), { revoked: true });
    assert.equal((await c.h.issuer.services.store.refreshTokens.findFamily(families[0]!.id))!.revokedAt !== null, true);
    const unknown = await c.post(admin.browser, api('/sessions/no-such-session/revoke'), {}, admin.csrf);
    assert.equal(unknown.status, 404);
    assert.equal(json(unknown).error, 'not_found');
    const all = await c.post(admin.browser, api(`/users/${bob}/revoke-sessions`), {}, admin.csrf);
    assert.deepEqual(json(all), { revoked: 1 });
    const events = await c.h.issuer.services.store.securityEvents.listRecent({ type: 'session.revoked', subject: bob });
    assert.equal(events.length, 2);
    assert.ok(events.every((event) => event.details.via === 'console'));
    assert.equal((await c.post(admin.browser, api('/users/nobody/revoke-sessions'), {}, admin.csrf)).status, 404);
    assert.equal((await c.get(admin.browser, api('/sessions?user=nobody'))).status, 404);
  });

  it('keys: list with state, age and next rotation; rotate (409 while one is pending); revoke needs confirm = kid (400 otherwise)', async () => {
    const before = json(await c.get(admin.browser, api('/keys')));
    const active = before.keys.find((key: { state: string }) => key.state === 'active');
    assert.ok(active !== undefined);
    assert.deepEqual(Object.keys(active), ['kid', 'alg', 'state', 'createdAt', 'activatesAt', 'retiresAt', 'ageSeconds']);
    assert.equal(active.alg, 'ES256');
    assert.equal(typeof active.ageSeconds, 'number');
    assert.equal(before.nextRotationAt, active.retiresAt);

    const rotated = await c.post(admin.browser, api('/keys/rotate'), {}, admin.csrf);
    assert.equal(rotated.status, 200, rotated.body);
    const added = json(rotated);
    assert.match(added.kid, /^[\w-]{43}$/);
    assert.ok(!Number.isNaN(Date.parse(added.activatesAt)));
    const again = await c.post(admin.browser, api('/keys/rotate'), {}, admin.csrf);
    assert.equal(again.status, 409);
    assert.equal(json(again).error, 'conflict');
    const listed = json(await c.get(admin.browser, api('/keys')));
    assert.equal(listed.keys.find((key: { kid: string }) => key.kid === added.kid).state, 'pending');
    assert.equal(listed.nextRotationAt, added.activatesAt);

    const unconfirmed = await c.post(admin.browser, api(`/keys/${added.kid}/revoke`), {}, admin.csrf);
    assert.equal(unconfirmed.status, 400);
    assert.equal(json(unconfirmed).error, 'confirmation_mismatch');
    const mistyped = await c.post(admin.browser, api(`/keys/${added.kid}/revoke`), { confirm: active.kid }, admin.csrf);
    assert.equal(json(mistyped).error, 'confirmation_mismatch');
    const revoked = await c.post(admin.browser, api(`/keys/${added.kid}/revoke`), { confirm: added.kid }, admin.csrf);
    assert.equal(revoked.status, 200, revoked.body);
    assert.deepEqual(json(revoked), { revoked: true });
    assert.ok(c.h.issuer.services.revocations.isRevoked({ sub: 'x', jti: 'y', iat: 0 } as never, added.kid, c.h.issuer.url) === 'key');
    const unknown = await c.post(admin.browser, api('/keys/no-such-kid/revoke'), { confirm: 'no-such-kid' }, admin.csrf);
    assert.equal(unknown.status, 404);
    assert.equal(json(unknown).error, 'key_not_found');
    // The console's own session still works: its key was not touched.
    assert.equal((await c.get(admin.browser, api('/session'))).status, 200);
  });

  it('users: list, add (201; 409 for a taken name, 400 for a short password), disable, set a password', async () => {
    const created = await c.post(admin.browser, api('/users'), { username: 'carol', password: 'a long enough password', roles: ['ops', 'audit'] }, admin.csrf);
    assert.equal(created.status, 201, created.body);
    const carol = json(created);
    assert.deepEqual({ ...carol, id: undefined, createdAt: undefined }, { id: undefined, username: 'carol', roles: ['ops', 'audit'], disabled: false, createdAt: undefined });
    const listed = json<{ username: string; passwordHash?: string }[]>(await c.get(admin.browser, api('/users')));
    assert.ok(listed.some((user) => user.username === 'carol'));
    assert.ok(listed.every((user) => !('passwordHash' in user)), 'never a hash');
    const taken = await c.post(admin.browser, api('/users'), { username: 'CAROL', password: 'a long enough password' }, admin.csrf);
    assert.equal(taken.status, 409);
    assert.equal(json(taken).error, 'store_conflict');
    const short = await c.post(admin.browser, api('/users'), { username: 'dave', password: 'short' }, admin.csrf);
    assert.equal(short.status, 400);
    assert.equal(json(short).error, 'password_too_short');

    const password = await c.post(admin.browser, api(`/users/${carol.id}/password`), { password: 'another long password' }, admin.csrf);
    assert.deepEqual(json(password), { ok: true });
    const disabled = await c.post(admin.browser, api(`/users/${carol.id}/disable`), {}, admin.csrf);
    assert.equal(json(disabled).disabled, true);
    const missing = await c.post(admin.browser, api('/users/nobody/disable'), {}, admin.csrf);
    assert.equal(missing.status, 404);
    assert.equal(json(missing).error, 'user_not_found');
    const types = (await c.h.issuer.services.store.securityEvents.listRecent({ subject: carol.id })).map((event) => event.type).sort();
    assert.deepEqual(types, ['user.created', 'user.disabled', 'user.password_changed']);
  });

  it('clients: list without secrets; add a confidential client (201, the secret once, and it works), a public one; 400 invalid, 409 taken or built in', async () => {
    const listed = json<{ id: string; source: string }[]>(await c.get(admin.browser, api('/clients')));
    assert.ok(listed.some((client) => client.id === 'gatehouse-console' && client.source === 'builtin'));
    assert.ok(listed.some((client) => client.id === 'billing-svc' && client.source === 'config'));
    assert.ok(!JSON.stringify(listed).includes(TEST_SECRETS.billing) && !JSON.stringify(listed).includes('sha256:'));

    const created = await c.post(admin.browser, api('/clients'), { id: 'reports-svc', grants: ['client_credentials'], scopes: ['orders:read'], audiences: ['orders'], roles: ['reports'] }, admin.csrf);
    assert.equal(created.status, 201, created.body);
    const { client, secret } = json(created);
    assert.deepEqual(client, { id: 'reports-svc', source: 'store', public: false, grants: ['client_credentials'], scopes: ['orders:read'], audiences: ['orders'], redirectUris: [], roles: ['reports'] });
    assert.match(secret, /^[\w-]{43}$/);
    const token = await fetch(`${c.h.issuer.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`reports-svc:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&resource=orders',
    });
    assert.equal(token.status, 200);
    assert.ok(!JSON.stringify(json(await c.get(admin.browser, api('/clients')))).includes(secret), 'the secret is shown once only');

    const spa = json(await c.post(admin.browser, api('/clients'), { id: 'spa', public: true, grants: ['authorization_code'], redirectUris: ['https://spa.example/cb'], scopes: ['openid'] }, admin.csrf));
    assert.equal(spa.secret, undefined);
    assert.equal(spa.client.public, true);

    const invalid = await c.post(admin.browser, api('/clients'), { id: 'bad', public: true, grants: ['client_credentials'] }, admin.csrf);
    assert.equal(invalid.status, 400);
    assert.equal(json(invalid).error, 'invalid_request');
    assert.match(json(invalid).message, /grants/);
    const taken = await c.post(admin.browser, api('/clients'), { id: 'billing-svc', grants: ['client_credentials'] }, admin.csrf);
    assert.equal(taken.status, 409);
    const reserved = await c.post(admin.browser, api('/clients'), { id: 'gatehouse-console', public: true, grants: ['authorization_code'], redirectUris: ['https://x.example/cb'] }, admin.csrf);
    assert.equal(reserved.status, 400);
    assert.match(json(reserved).message, /reserved/);
  });

  it('with a bearer token an admin script changes state without cookie, Origin or CSRF token', async () => {
    const token = await c.bearer(['admin']);
    const created = await bearerPost('/users', { username: 'scripted', password: 'a long enough password' }, token);
    assert.equal(created.status, 201, created.body);
  });

  it('a client made for the API (audience gatehouse-console, role admin) gets its token by client_credentials and uses it', async () => {
    const made = json(await c.post(admin.browser, api('/clients'), { id: 'ops-cli', grants: ['client_credentials'], audiences: ['gatehouse-console'], roles: ['admin'] }, admin.csrf));
    const response = await fetch(`${c.h.issuer.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`ops-cli:${made.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&resource=gatehouse-console',
    });
    assert.equal(response.status, 200);
    const { access_token: token } = (await response.json()) as { access_token: string };
    const session = await c.get(anonymous(), api('/session'), withBearer(token));
    assert.equal(session.status, 200);
    assert.deepEqual(json(session), { sub: 'ops-cli', username: null, roles: ['admin'], csrfToken: null });
    // Revoked at the issuer: refused here at once, like at any route.
    await c.h.issuer.services.revoker.revoke({ kind: 'subject', value: 'ops-cli', reason: 'test' });
    assert.equal((await c.get(anonymous(), api('/session'), withBearer(token))).status, 401);
  });

  it('gatehouse-console is a reserved client id in gatehouse.yaml too', async () => {
    const { parseConfig } = await import('../../src/config/index.ts');
    assert.throws(
      () => parseConfig(`issuer: https://auth.example.com\nclients:\n  - id: gatehouse-console\n    public: true\n    grants: [authorization_code]\n    redirectUris: [https://x.example/cb]\n`, { file: 'reserved.yaml', env: {} }),
      (error: Error & { issues?: { path: string; message: string }[] }) => error.issues?.some((issue) => issue.path === 'clients[0].id' && /reserved for the web console/.test(issue.message)) === true,
    );
  });
});

describe('security headers on every /console response', () => {
  it('HTML pages, assets, redirects, API answers and errors all carry the CSP and the other headers', async () => {
    const browser = anonymous();
    const responses: [string, BrowserResponse][] = [
      ['index', await browser.go(`${c.control}/console/`)],
      ['spa path', await browser.go(`${c.control}/console/keys`)],
      ['asset', await browser.go(`${c.control}/console/assets/index-abc123.js`)],
      ['redirect', await browser.go(`${c.control}/console`)],
      ['login', await browser.go(`${c.control}/console/login`)],
      ['api 401', await c.get(browser, api('/session'))],
      ['api 200', await c.get(admin.browser, api('/routes'))],
      ['404', await browser.go(`${c.control}/console/nothing.js`)],
      ['other method', await browser.go(`${c.control}/console/whatever`, { method: 'DELETE' })],
    ];
    for (const [what, response] of responses) assertSecurityHeaders(response, what);
    assert.equal((await browser.go(`${c.control}/metrics`)).headers['content-security-policy'], undefined, 'only /console');
  });
});

async function addUser(username: string, roles: readonly string[]): Promise<string> {
  const created = await c.post(admin.browser, api('/users'), { username, password: 'a long enough password', roles }, admin.csrf);
  assert.equal(created.status, 201, created.body);
  return json(created).id;
}

async function waitForLines(count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((c.h.gateway.decisionHistory?.query({ limit: 10_000 }).lines.length ?? 0) < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
