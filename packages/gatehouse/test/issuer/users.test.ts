import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerError } from '../../src/errors.ts';
import { UserError } from '../../src/issuer/users/user-errors.ts';
import { UserService } from '../../src/issuer/users/user-service.ts';
import { verifyPassword } from '../../src/issuer/users/password-hash.ts';
import { startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import { authorizationParameters, authorizeUrl, browserGet, clientRedirect, CookieJar, pageErrorCode, PASSWORD, signInThroughBrowser } from './sign-in-helpers.ts';
import { claimsOf, inProcessVerifier, insertCode, manualClock, redeemCode, refresh } from './token-helpers.ts';

const clock = manualClock();
let issuer: IssuerHarness;
let users: UserService;
before(async () => {
  issuer = await startIssuer({ clock: clock.now });
  users = new UserService(issuer.services);
});
after(() => issuer.close());

function assertUserError(code: string) {
  return (error: unknown) => error instanceof UserError && error.code === code;
}

async function hasSession(jar: CookieJar): Promise<boolean> {
  const response = await browserGet(authorizeUrl(issuer, authorizationParameters({ prompt: 'none' }).params), jar.clone());
  return clientRedirect(response)?.has('code') === true;
}

/** Everything a signed-in user holds: an issuer session, a refresh family, an access token. */
async function signedInEverywhere(username: string, userId: string) {
  const jar = new CookieJar();
  const { response } = await signInThroughBrowser(issuer, jar, username, PASSWORD);
  assert.equal(response.status, 303);
  const tokens = await redeemCode(issuer, await insertCode(issuer, { userId, scope: 'openid offline_access orders:read', audience: 'orders' }));
  assert.equal(tokens.status, 200);
  return { jar, accessToken: tokens.body.access_token as string, refreshToken: tokens.body.refresh_token as string, sid: claimsOf(tokens.body.access_token).sid as string };
}

describe('createUser', () => {
  test('stores an argon2id hash with at least m=19456 KiB, t=2, p=1, and records user.created', async () => {
    const user = await users.createUser('dana', PASSWORD, ['admin']);
    assert.match(user.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.ok(await verifyPassword(user.passwordHash, PASSWORD));
    assert.deepEqual(user.roles, ['admin']);
    assert.equal(user.disabled, false);
    const [event] = await issuer.services.store.securityEvents.listRecent({ type: 'user.created', subject: user.id });
    assert.equal(event?.details.username, 'dana');
    assert.ok(!JSON.stringify(event).includes(PASSWORD));
  });

  test('password policy: 12 to 1024 characters, counted as code points', async () => {
    await assert.rejects(users.createUser('erin', 'elevenchars'), assertUserError('password_too_short'));
    await assert.rejects(users.createUser('erin', '🔑'.repeat(11)), assertUserError('password_too_short'));
    await assert.rejects(users.createUser('erin', 'x'.repeat(1025)), assertUserError('password_too_long'));
    await users.createUser('erin', 'twelve chars');
    await users.createUser('frank', '🔑'.repeat(12));
    await users.createUser('gina', 'y'.repeat(1024));
  });

  test('username policy, and names unique in any letter case', async () => {
    for (const name of ['', ' padded', 'padded ', 'tab\there', 'x'.repeat(257), 'line\u2028sep']) {
      await assert.rejects(users.createUser(name, PASSWORD), assertUserError('username_invalid'));
    }
    await users.createUser('Harriet', PASSWORD);
    await assert.rejects(users.createUser('harriet', PASSWORD), (error: unknown) => error instanceof ServerError && error.code === 'store_conflict');
  });
});

describe('a password change ends every session of the user at once', () => {
  test('families revoked, subject revoked (access tokens refused), issuer session ended, user.password_changed', async () => {
    const ivan = await users.createUser('ivan', PASSWORD);
    const held = await signedInEverywhere('ivan', ivan.id);
    const other = await signedInEverywhere('dana', (await issuer.services.store.users.findByUsername('dana'))!.id);
    assert.equal((await inProcessVerifier(issuer, 'orders').verify(held.accessToken)).ok, true);

    clock.advance(1000);
    await users.setPassword(ivan.id, 'a brand new passphrase');

    assert.equal((await issuer.services.store.refreshTokens.findFamily(held.sid))?.revokedReason, 'password_changed');
    assert.equal(issuer.services.revocations.isRevoked(claimsOf(held.accessToken) as never, '', issuer.url), 'subject');
    const verified = await inProcessVerifier(issuer, 'orders').verify(held.accessToken);
    assert.equal(verified.ok ? 'ok' : verified.reason, 'token_revoked');
    assert.equal((await refresh(issuer, held.refreshToken)).status, 400);
    assert.equal(await hasSession(held.jar), false);

    // Nobody else is touched.
    assert.equal(await hasSession(other.jar), true);
    assert.equal((await issuer.services.store.refreshTokens.findFamily(other.sid))?.revokedAt, null);

    const [event] = await issuer.services.store.securityEvents.listRecent({ type: 'user.password_changed', subject: ivan.id });
    assert.equal(event?.details.revokedFamilies, 1);
  });

  test('the session check reads password_changed_at itself: a change made elsewhere ends it before any revocation arrives', async () => {
    const noor = await users.createUser('noor', PASSWORD);
    const jar = new CookieJar();
    await signInThroughBrowser(issuer, jar, 'noor', PASSWORD);
    clock.advance(1);
    // As another replica would: the store changes, this process's revocation lists do not (yet).
    await issuer.services.store.users.setPassword(noor.id, noor.passwordHash, clock.now());
    assert.equal(await hasSession(jar), false);
  });

  test('the old password stops working, the new one works', async () => {
    const judy = await users.createUser('judy', PASSWORD);
    clock.advance(1000);
    await users.setPassword(judy.id, 'another long passphrase');
    clock.advance(1000);
    const old = await signInThroughBrowser(issuer, new CookieJar(), 'judy', PASSWORD);
    assert.equal(old.response.status, 400);
    assert.equal(pageErrorCode(await old.response.text()), 'invalid_credentials');
    const jar = new CookieJar();
    const fresh = await signInThroughBrowser(issuer, jar, 'judy', 'another long passphrase');
    assert.equal(fresh.response.status, 303);
    assert.equal(await hasSession(jar), true);
  });

  test('the password policy applies, and an unknown id is user_not_found', async () => {
    const kim = await users.createUser('kim', PASSWORD);
    await assert.rejects(users.setPassword(kim.id, 'short'), assertUserError('password_too_short'));
    await assert.rejects(users.setPassword('no-such-id', 'long enough passphrase'), assertUserError('user_not_found'));
  });
});

describe('disabling a user', () => {
  test('ends every session at once, and the right password no longer signs in', async () => {
    const lee = await users.createUser('lee', PASSWORD);
    const held = await signedInEverywhere('lee', lee.id);
    clock.advance(1000);
    await users.setDisabled(lee.id, true);

    assert.equal((await issuer.services.store.refreshTokens.findFamily(held.sid))?.revokedReason, 'user_disabled');
    assert.equal(issuer.services.revocations.isRevoked(claimsOf(held.accessToken) as never, '', issuer.url), 'subject');
    assert.equal(await hasSession(held.jar), false);
    const attempt = await signInThroughBrowser(issuer, new CookieJar(), 'lee', PASSWORD);
    assert.equal(attempt.response.status, 400);
    assert.equal(pageErrorCode(await attempt.response.text()), 'invalid_credentials');
    const [event] = await issuer.services.store.securityEvents.listRecent({ type: 'user.disabled', subject: lee.id });
    assert.equal(event?.details.revokedFamilies, 1);
  });

  test('enabling again restores none of the old sessions, but allows new ones', async () => {
    const mia = await users.createUser('mia', PASSWORD);
    const held = await signedInEverywhere('mia', mia.id);
    clock.advance(1000);
    await users.setDisabled(mia.id, true);
    await users.setDisabled(mia.id, false);
    assert.equal(await hasSession(held.jar), false);
    assert.equal((await refresh(issuer, held.refreshToken)).status, 400);
    clock.advance(1000);
    const jar = new CookieJar();
    assert.equal((await signInThroughBrowser(issuer, jar, 'mia', PASSWORD)).response.status, 303);
    assert.equal(await hasSession(jar), true);
    assert.equal((await issuer.services.store.securityEvents.listRecent({ type: 'user.enabled', subject: mia.id })).length, 1);
  });

  test('an unknown id is user_not_found', async () => {
    await assert.rejects(users.setDisabled('no-such-id', true), assertUserError('user_not_found'));
  });
});
