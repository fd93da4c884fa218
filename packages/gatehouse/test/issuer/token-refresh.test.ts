import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import { claimsOf, inProcessVerifier, manualClock, postForm, refresh, signIn, tokenUrl } from './token-helpers.ts';

let issuer: IssuerHarness;
let alice: string;
before(async () => {
  issuer = await startIssuer();
  alice = await issuer.addUser('alice', 'correct horse battery staple', ['admin']);
});
after(() => issuer.close());

describe('refresh_token: rotation', () => {
  it('every use returns a new refresh token, new access and ID tokens of the same session', async () => {
    const authTime = issuer.services.clock() - 60_000;
    const first = await signIn(issuer, { userId: alice, audience: 'orders', authTime });
    const result = await refresh(issuer, first.refresh_token);
    assert.equal(result.status, 200);
    assert.equal(result.headers.get('cache-control'), 'no-store');
    assert.equal(result.headers.get('pragma'), 'no-cache');
    const body = result.body;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    assert.notEqual(body.refresh_token, first.refresh_token);
    assert.equal(body.scope, 'openid profile orders:read');

    const access = claimsOf(body.access_token);
    assert.equal(access.sid, claimsOf(first.access_token).sid);
    assert.deepEqual(access.aud, ['orders', issuer.url]);
    assert.notEqual(access.jti, claimsOf(first.access_token).jti);

    const jwks = createRemoteJWKSet(new URL(issuer.services.urls.jwks));
    const id = await jwtVerify(body.id_token, jwks, { typ: 'JWT', issuer: issuer.url, audience: 'web' });
    assert.equal(id.payload.auth_time, Math.floor(authTime / 1000)); // the original sign-in, not the refresh
    assert.equal(id.payload.sid, access.sid);
    assert.equal(id.payload.nonce, undefined);
    assert.equal(id.payload.sub, alice);

    // The successor works in turn.
    assert.equal((await refresh(issuer, body.refresh_token)).status, 200);
  });

  it('reuse of a rotated token → invalid_grant, the successor dies too, and the family\'s access tokens are refused at once', async () => {
    const first = await signIn(issuer, { userId: alice, audience: 'orders' });
    const second = (await refresh(issuer, first.refresh_token)).body;
    const verifier = inProcessVerifier(issuer, 'orders');
    assert.ok(verifier.verifySync(second.access_token).ok);

    const reuse = await refresh(issuer, first.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');

    const successor = await refresh(issuer, second.refresh_token);
    assert.equal(successor.status, 400);
    assert.equal(successor.body.error, 'invalid_grant');

    for (const token of [first.access_token, second.access_token]) {
      const refused = verifier.verifySync(token);
      assert.equal(refused.ok ? 'accepted' : refused.reason, 'token_revoked');
    }

    const sid = claimsOf(first.access_token).sid;
    const [event] = await issuer.services.store.securityEvents.listRecent({ type: 'refresh.reused' });
    assert.equal(event?.severity, 'critical');
    assert.equal(event?.subject, alice);
    assert.equal(event?.clientId, 'web');
    assert.equal(event?.ip, '127.0.0.1');
    assert.equal(event?.details.family_id, sid);
    assert.equal((await issuer.services.store.refreshTokens.findFamily(sid))?.revokedReason, 'reuse');
    const revocations = await issuer.services.store.revocations.listActive(issuer.services.clock());
    assert.ok(revocations.entries.some((entry) => entry.kind === 'family' && entry.value === sid));
  });

  it('ten concurrent refreshes with one token: exactly one succeeds', async () => {
    const first = await signIn(issuer, { userId: alice, audience: 'orders' });
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(issuer, first.refresh_token)));
    assert.equal(results.filter((result) => result.status === 200).length, 1);
    for (const result of results.filter((r) => r.status !== 200)) {
      assert.equal(result.status, 400);
      assert.equal(result.body.error, 'invalid_grant');
    }
  });
});

describe('refresh_token: scope and resource', () => {
  it('a refresh may narrow the scope; the next one without scope gets the original back', async () => {
    const first = await signIn(issuer, { userId: alice, audience: 'orders' });
    const narrowed = await refresh(issuer, first.refresh_token, 'web', { scope: 'orders:read' });
    assert.equal(narrowed.status, 200);
    assert.equal(narrowed.body.scope, 'orders:read');
    assert.equal(narrowed.body.id_token, undefined); // no openid, no ID token
    assert.equal(claimsOf(narrowed.body.access_token).aud, 'orders'); // nor the userinfo audience
    const full = await refresh(issuer, narrowed.body.refresh_token);
    assert.equal(full.body.scope, 'openid profile orders:read');
  });

  it('a wider scope → invalid_scope, and the token is not spent', async () => {
    const first = await signIn(issuer, { userId: alice, audience: 'orders' });
    const widened = await refresh(issuer, first.refresh_token, 'web', { scope: 'orders:read offline_access' });
    assert.equal(widened.status, 400);
    assert.equal(widened.body.error, 'invalid_scope');
    assert.equal((await refresh(issuer, first.refresh_token)).status, 200);
  });

  it('resource may only name the session\'s audience → else invalid_target', async () => {
    const bound = await signIn(issuer, { userId: alice, audience: 'orders' });
    const elsewhere = await refresh(issuer, bound.refresh_token, 'web', { resource: 'app' });
    assert.equal(elsewhere.status, 400);
    assert.equal(elsewhere.body.error, 'invalid_target');
    const same = await refresh(issuer, bound.refresh_token, 'web', { resource: 'orders' });
    assert.equal(same.status, 200);
  });

  it('a session without a bound audience may pick any of the client\'s audiences, one at a time', async () => {
    const unbound = await signIn(issuer, { userId: alice });
    const app = await refresh(issuer, unbound.refresh_token, 'web', { resource: 'app' });
    assert.deepEqual(claimsOf(app.body.access_token).aud, ['app', issuer.url]);
    const both = await refresh(issuer, app.body.refresh_token, 'web', { resource: ['app', 'orders'] });
    assert.equal(both.body.error, 'invalid_target');
    const stranger = await refresh(issuer, app.body.refresh_token, 'web', { resource: 'billing' });
    assert.equal(stranger.body.error, 'invalid_target');
  });
});

describe('refresh_token: refusals', () => {
  it('another client\'s refresh token → invalid_grant, and it stays usable by its owner', async () => {
    const first = await signIn(issuer, { userId: alice, audience: 'orders' });
    const stolen = await refresh(issuer, first.refresh_token, 'portal');
    assert.equal(stolen.status, 400);
    assert.equal(stolen.body.error, 'invalid_grant');
    assert.equal((await refresh(issuer, first.refresh_token)).status, 200);
  });

  it('unknown → invalid_grant; missing → invalid_request; no client → invalid_client', async () => {
    assert.equal((await refresh(issuer, 'A'.repeat(43))).body.error, 'invalid_grant');
    assert.equal((await refresh(issuer, '')).body.error, 'invalid_request');
    const anonymous = await postForm(tokenUrl(issuer), { grant_type: 'refresh_token', refresh_token: 'A'.repeat(43) });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error, 'invalid_client');
  });

  it('a revoked family → invalid_grant', async () => {
    const first = await signIn(issuer, { userId: alice, audience: 'orders' });
    await issuer.services.store.refreshTokens.revokeFamily(claimsOf(first.access_token).sid, issuer.services.clock(), 'test');
    assert.equal((await refresh(issuer, first.refresh_token)).body.error, 'invalid_grant');
  });

  it('a disabled user → invalid_grant', async () => {
    const carol = await issuer.addUser('carol', 'correct horse battery staple');
    const first = await signIn(issuer, { userId: carol, audience: 'orders' });
    await issuer.services.store.users.setDisabled(carol, true, issuer.services.clock());
    assert.equal((await refresh(issuer, first.refresh_token)).body.error, 'invalid_grant');
  });
});

describe('refresh_token: expiry (injected clock)', () => {
  const HOUR = 3_600_000;
  let clocked: IssuerHarness;
  const clock = manualClock();
  let dave: string;
  before(async () => {
    clocked = await startIssuer({ clock: clock.now, tokens: '{ accessTtl: 5m, refreshIdle: 1h, refreshMax: 3h }' });
    dave = await clocked.addUser('dave', 'correct horse battery staple');
  });
  after(() => clocked.close());

  it('a refresh token unused for longer than the idle timeout → invalid_grant', async () => {
    const first = await signIn(clocked, { userId: dave, audience: 'orders' });
    clock.advance(HOUR - 1000);
    const inTime = await refresh(clocked, first.refresh_token);
    assert.equal(inTime.status, 200);
    clock.advance(HOUR);
    const idle = await refresh(clocked, inTime.body.refresh_token);
    assert.equal(idle.status, 400);
    assert.equal(idle.body.error, 'invalid_grant');
  });

  it('a family past its absolute lifetime → invalid_grant, however often it was refreshed', async () => {
    let token = (await signIn(clocked, { userId: dave, audience: 'orders' })).refresh_token;
    for (let step = 0; step < 5; step++) {
      clock.advance(0.5 * HOUR);
      const result = await refresh(clocked, token);
      assert.equal(result.status, 200, `step ${step}`);
      token = result.body.refresh_token;
    }
    clock.advance(0.5 * HOUR + 1000); // 3 h and a second after sign-in
    const late = await refresh(clocked, token);
    assert.equal(late.status, 400);
    assert.equal(late.body.error, 'invalid_grant');
  });
});
