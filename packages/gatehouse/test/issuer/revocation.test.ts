import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIssuer, TEST_SECRETS, type IssuerHarness } from '../support/issuer-harness.ts';
import { BILLING_BASIC, claimsOf, inProcessVerifier, manualClock, PORTAL_BASIC, postForm, refresh, signIn, tokenUrl, type FormFields } from './token-helpers.ts';

let issuer: IssuerHarness;
let alice: string;
const clock = manualClock();
before(async () => {
  issuer = await startIssuer({ clock: clock.now });
  alice = await issuer.addUser('alice', 'correct horse battery staple');
});
after(() => issuer.close());

const revoke = (fields: FormFields, headers: Record<string, string> = {}) => postForm(issuer.services.urls.revocation, fields, headers);

function assertEmpty200(result: { status: number; body: unknown }): void {
  assert.equal(result.status, 200);
  assert.equal(result.body, '');
}

describe('revocation (RFC 7009)', () => {
  it('a refresh token revokes its whole session: refresh tokens and access tokens, at once', async () => {
    const session = await signIn(issuer, { userId: alice, audience: 'orders' });
    const verifier = inProcessVerifier(issuer, 'orders');
    assert.ok(verifier.verifySync(session.access_token).ok);

    assertEmpty200(await revoke({ token: session.refresh_token, token_type_hint: 'refresh_token', client_id: 'web' }));

    assert.equal((await refresh(issuer, session.refresh_token)).body.error, 'invalid_grant');
    const refused = verifier.verifySync(session.access_token);
    assert.equal(refused.ok ? 'accepted' : refused.reason, 'token_revoked');
    const sid = claimsOf(session.access_token).sid;
    const [event] = await issuer.services.store.securityEvents.listRecent({ type: 'session.revoked' });
    assert.equal(event?.subject, alice);
    assert.equal(event?.clientId, 'web');
    assert.equal(event?.details.family_id, sid);
  });

  it('an access token: refused by an in-process verifier at once (token_revoked), the session lives on', async () => {
    const session = await signIn(issuer, { userId: alice, audience: 'orders' });
    const verifier = inProcessVerifier(issuer, 'orders');
    assert.ok(verifier.verifySync(session.access_token).ok); // cached now: revocation is checked on cache hits too

    assertEmpty200(await revoke({ token: session.access_token, token_type_hint: 'access_token', client_id: 'web' }));

    const refused = verifier.verifySync(session.access_token);
    assert.equal(refused.ok ? 'accepted' : refused.reason, 'token_revoked');
    const entry = (await issuer.services.store.revocations.listActive(clock.now())).entries.find((e) => e.kind === 'token' && e.value === claimsOf(session.access_token).jti);
    assert.ok(entry);
    assert.ok(entry.expiresAt! >= claimsOf(session.access_token).exp * 1000); // kept until the token expires
    const next = await refresh(issuer, session.refresh_token);
    assert.equal(next.status, 200);
    assert.ok(verifier.verifySync(next.body.access_token).ok);
  });

  it('a wrong token_type_hint does not matter', async () => {
    const session = await signIn(issuer, { userId: alice, audience: 'orders' });
    assertEmpty200(await revoke({ token: session.access_token, token_type_hint: 'refresh_token', client_id: 'web' }));
    assertEmpty200(await revoke({ token: session.refresh_token, token_type_hint: 'access_token', client_id: 'web' }));
    const verifier = inProcessVerifier(issuer, 'orders');
    assert.equal(verifier.verifySync(session.access_token).ok, false);
    assert.equal((await refresh(issuer, session.refresh_token)).body.error, 'invalid_grant');
  });

  it('another client\'s tokens → 200, but nothing is revoked', async () => {
    const session = await signIn(issuer, { userId: alice, audience: 'orders' });
    assertEmpty200(await revoke({ token: session.refresh_token }, { authorization: PORTAL_BASIC }));
    assertEmpty200(await revoke({ token: session.access_token }, { authorization: PORTAL_BASIC }));
    assert.ok(inProcessVerifier(issuer, 'orders').verifySync(session.access_token).ok);
    assert.equal((await refresh(issuer, session.refresh_token)).status, 200);
  });

  it('a confidential client revokes its own client_credentials token', async () => {
    const token = (await postForm(tokenUrl(issuer), { grant_type: 'client_credentials' }, { authorization: BILLING_BASIC })).body.access_token;
    assertEmpty200(await revoke({ token }, { authorization: BILLING_BASIC }));
    const refused = inProcessVerifier(issuer, 'orders').verifySync(token);
    assert.equal(refused.ok ? 'accepted' : refused.reason, 'token_revoked');
  });

  it('unknown, malformed, foreign-signed and expired tokens → 200 with an empty body', async () => {
    const session = await signIn(issuer, { userId: alice, audience: 'orders' });
    const [header, payload] = session.access_token.split('.');
    const latestBefore = await issuer.services.store.revocations.latestId();
    for (const token of ['A'.repeat(43), 'not.a.jwt', `${header}.${payload}.${'A'.repeat(86)}`, session.id_token]) {
      assertEmpty200(await revoke({ token, client_id: 'web' }));
    }
    clock.advance(10 * 60_000); // past exp and the leeway
    assertEmpty200(await revoke({ token: session.access_token, client_id: 'web' }));
    assert.equal(await issuer.services.store.revocations.latestId(), latestBefore); // nothing was added
  });

  it('client authentication: a wrong secret → invalid_client; no token → invalid_request', async () => {
    const wrong = await revoke({ token: 'x', client_id: 'portal', client_secret: 'wrong' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    const anonymous = await revoke({ token: 'x' });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error, 'invalid_client');
    const missing = await revoke({ client_id: 'portal', client_secret: TEST_SECRETS.portal });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'invalid_request');
  });
});
