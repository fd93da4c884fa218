import { after, before, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import formBody from '@fastify/formbody';
import Fastify from 'fastify';
import { registerSignIn } from '../../src/issuer/endpoints/sign-in.ts';
import { KeyedLock } from '../../src/issuer/sign-in/keyed-lock.ts';
import { storeLoginFailureLog, type LoginFailureLog } from '../../src/issuer/sign-in/login-failure-log.ts';
import { sealTransaction } from '../../src/issuer/sign-in/sign-in-transaction.ts';
import { accountKey, addressKey, DEFAULT_SIGN_IN_THROTTLE, SignInThrottle } from '../../src/issuer/sign-in/throttle.ts';
import { verifyPassword } from '../../src/issuer/users/password-hash.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { REDIRECT_URI, startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import { createTestSchema, registerPostgresSuite } from '../support/postgres.ts';
import {
  authorizationParameters, authorizeUrl, browserGet, clientRedirect, comparableResponse, CookieJar, fieldValue, openSignInForm, pageErrorCode, PASSWORD, submitSignIn,
} from './sign-in-helpers.ts';
import { manualClock } from './token-helpers.ts';

/** The store's semantics in memory: failures by key and time. */
function memoryFailureLog(): LoginFailureLog & { readonly failures: Map<string, number[]> } {
  const failures = new Map<string, number[]>();
  return {
    failures,
    async record(key, at) { failures.set(key, [...(failures.get(key) ?? []), at]); },
    async countSince(key, since) { return (failures.get(key) ?? []).filter((at) => at >= since).length; },
    async latest(key) { const list = failures.get(key) ?? []; return list.length === 0 ? undefined : Math.max(...list); },
    async clear(key) { failures.delete(key); },
  };
}

const MINUTE = 60_000;
const ACCOUNT_WINDOW = DEFAULT_SIGN_IN_THROTTLE.account.windowMs;
const alice = { username: 'alice', ip: '203.0.113.7' };

describe('SignInThrottle (the policy)', () => {
  let log: ReturnType<typeof memoryFailureLog>;
  let events: { type: string; ip?: string | null; details?: Record<string, unknown> }[];
  let throttle: SignInThrottle;
  beforeEach(() => {
    log = memoryFailureLog();
    events = [];
    throttle = new SignInThrottle(log, async (event) => { events.push(event as never); });
  });

  async function fail(times: number, now: number, attempt = alice) {
    for (let i = 0; i < times; i++) await throttle.recordFailure(attempt, now);
  }

  test('allows the first failures, then answers with a wait of 1 s', async () => {
    const t = 1_000_000;
    await fail(4, t);
    assert.deepEqual(await throttle.check(alice, t), { allowed: true });
    await fail(1, t);
    assert.deepEqual(await throttle.check(alice, t), { allowed: false, retryAfterSeconds: 1 });
    assert.deepEqual(await throttle.check(alice, t + 999), { allowed: false, retryAfterSeconds: 1 });
    assert.deepEqual(await throttle.check(alice, t + 1000), { allowed: true });
  });

  test('the wait doubles with each further failure, capped at 15 minutes', async () => {
    let t = 1_000_000;
    await fail(5, t);
    const waits: number[] = [];
    for (let i = 0; i < 14; i++) {
      const decision = await throttle.check(alice, t);
      assert.equal(decision.allowed, false);
      const wait = decision.allowed ? 0 : decision.retryAfterSeconds;
      waits.push(wait);
      t += wait * 1000;
      assert.deepEqual(await throttle.check(alice, t), { allowed: true });
      await fail(1, t);
    }
    assert.deepEqual(waits.slice(0, 10), [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
    // 1024 s would exceed the cap: the wait stays at 900 s.
    assert.deepEqual(waits.slice(10), [900, 900, 900, 900]);
  });

  test('never permanent: the wait is capped, and once the window has passed failures stop counting', async () => {
    const t = 1_000_000;
    await fail(30, t);
    assert.deepEqual(await throttle.check(alice, t), { allowed: false, retryAfterSeconds: 900 });
    assert.deepEqual(await throttle.check(alice, t + 15 * MINUTE), { allowed: true });
    // Within the window one more failure waits the cap again; after it, the slate is clean.
    await fail(1, t + 15 * MINUTE);
    assert.deepEqual(await throttle.check(alice, t + 15 * MINUTE), { allowed: false, retryAfterSeconds: 900 });
    const later = t + 15 * MINUTE + ACCOUNT_WINDOW;
    await fail(1, later);
    assert.deepEqual(await throttle.check(alice, later), { allowed: true });
  });

  test('the Retry-After counts down from the last failure', async () => {
    const t = 1_000_000;
    await fail(8, t); // 3 past the limit: 8 s
    assert.deepEqual(await throttle.check(alice, t), { allowed: false, retryAfterSeconds: 8 });
    assert.deepEqual(await throttle.check(alice, t + 5500), { allowed: false, retryAfterSeconds: 3 });
  });

  test('a success clears the account, not the address', async () => {
    const t = 1_000_000;
    await fail(5, t);
    await throttle.recordSuccess(alice);
    assert.deepEqual(await throttle.check(alice, t), { allowed: true });
    assert.equal(log.failures.get(addressKey(alice.ip))?.length, 5);
  });

  test('per address: 20 failures over any usernames throttle the address', async () => {
    const t = 1_000_000;
    for (let i = 0; i < 20; i++) await fail(1, t, { username: `user${i}`, ip: alice.ip });
    assert.deepEqual(await throttle.check({ username: 'someone-new', ip: alice.ip }, t), { allowed: false, retryAfterSeconds: 1 });
    assert.deepEqual(await throttle.check({ username: 'someone-new', ip: '198.51.100.1' }, t), { allowed: true });
  });

  test('the account key is the normalized username, existing or not', async () => {
    assert.equal(accountKey('Alice'), 'user:alice');
    assert.equal(accountKey('ＡＬＩＣＥ'), 'user:alice');
    const t = 1_000_000;
    await fail(5, t, { username: 'ALICE', ip: '198.51.100.1' });
    assert.equal((await throttle.check({ username: 'alice', ip: '198.51.100.2' }, t)).allowed, false);
  });

  test('address keys: IPv4, IPv4-mapped IPv6, and IPv6 by /64', () => {
    assert.equal(addressKey('203.0.113.7'), 'ip:203.0.113.7');
    assert.equal(addressKey('::ffff:203.0.113.7'), 'ip:203.0.113.7');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), 'ip:2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), 'ip:2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), 'ip:2001:db8::/64');
    assert.equal(addressKey('::1'), 'ip:::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'ip:fe80::/64');
    assert.equal(addressKey('64:ff9b::192.0.2.1'), 'ip:64:ff9b::/64');
  });

  test('one signin.throttled event per crossing of the limit, with ip and (for the account) the username', async () => {
    const t = 1_000_000;
    await fail(7, t);
    assert.deepEqual(events.map((event) => [event.type, event.ip, event.details?.key, event.details?.username]), [['signin.throttled', alice.ip, 'account', 'alice']]);
    for (let i = 0; i < 13; i++) await fail(1, t, { username: `other${i}`, ip: alice.ip });
    assert.deepEqual(events.map((event) => event.details?.key), ['account', 'address']);
    assert.equal(events[1]!.details?.username, undefined);
    // After the window, a new crossing is a new event.
    await fail(5, t + ACCOUNT_WINDOW + MINUTE);
    assert.equal(events.filter((event) => event.details?.key === 'account').length, 2);
  });

  test('limits are validated when the throttle is built', () => {
    assert.throws(() => new SignInThrottle(log, async () => {}, { ...DEFAULT_SIGN_IN_THROTTLE, account: { failures: 0, windowMs: 1 } }), RangeError);
    assert.throws(() => new SignInThrottle(log, async () => {}, { ...DEFAULT_SIGN_IN_THROTTLE, baseDelayMs: 0 }), RangeError);
  });
});

describe('KeyedLock', () => {
  test('runs tasks one at a time per key, in arrival order, and forgets idle keys', async () => {
    const lock = new KeyedLock();
    const trace: string[] = [];
    const task = (name: string, ms: number) => async () => {
      trace.push(`${name}+`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      trace.push(`${name}-`);
      return name;
    };
    const results = await Promise.all([
      lock.run(['user:a', 'ip:1'], task('first', 20)),
      lock.run(['user:a', 'ip:2'], task('same-account', 1)),
      lock.run(['user:b', 'ip:1'], task('same-address', 1)),
      lock.run(['user:c', 'ip:3'], task('unrelated', 1)),
    ]);
    assert.deepEqual(results, ['first', 'same-account', 'same-address', 'unrelated']);
    // The unrelated task did not wait; the two sharing a key with the first ran after it.
    assert.ok(trace.indexOf('unrelated-') < trace.indexOf('first-'));
    assert.ok(trace.indexOf('same-account+') > trace.indexOf('first-'));
    assert.ok(trace.indexOf('same-address+') > trace.indexOf('first-'));
    assert.equal(lock.size, 0);
  });

  test('a failing task releases its keys', async () => {
    const lock = new KeyedLock();
    await assert.rejects(lock.run(['k'], async () => { throw new Error('boom'); }));
    assert.equal(await lock.run(['k'], async () => 'after'), 'after');
    assert.equal(lock.size, 0);
  });
});

/** The failure log over a real store: counts, latest failure, clear. Run on SQLite and PostgreSQL. */
async function failureLogContract(store: Store): Promise<void> {
  const log = storeLoginFailureLog(store);
  assert.equal(await log.latest('user:x'), undefined);
  await log.record('user:x', 1000);
  await log.record('user:x', 1000);
  await log.record('user:x', 1_700_000_000_000);
  await log.record('user:y', 9000);
  assert.equal(await log.countSince('user:x', 0), 3);
  assert.equal(await log.countSince('user:x', 1001), 1);
  assert.equal(await log.latest('user:x'), 1_700_000_000_000);
  await log.clear('user:x');
  assert.equal(await log.countSince('user:x', 0), 0);
  assert.equal(await log.latest('user:x'), undefined);
  assert.equal(await log.latest('user:y'), 9000);
}

describe('the store-backed failure log', () => {
  test('on SQLite', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      await failureLogContract(store);
    } finally {
      await store.close();
    }
  });
});

await registerPostgresSuite('the store-backed failure log on PostgreSQL', (url) => {
  test('the store-backed failure log on PostgreSQL', async () => {
    const schema = await createTestSchema({ url });
    const store = await openStore(url, { schema: schema.name });
    try {
      await failureLogContract(store);
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});

describe('throttling at the sign-in endpoint', () => {
  const clock = manualClock();
  let issuer: IssuerHarness;
  before(async () => {
    issuer = await startIssuer({ clock: clock.now });
    await issuer.addUser('alice', PASSWORD);
  });
  after(() => issuer.close());
  beforeEach(async () => {
    // Each test starts with clean counters and events (all requests come from 127.0.0.1).
    await issuer.services.store.db.deleteFrom('login_attempts').execute();
    await issuer.services.store.db.deleteFrom('security_events').execute();
  });

  async function form() {
    const jar = new CookieJar();
    return { jar, form: await openSignInForm(await browserGet(authorizeUrl(issuer, authorizationParameters().params), jar), jar) };
  }

  test('5 failures → 429 with Retry-After, even for the right password; the wait grows; then it passes', async () => {
    const { jar, form: page } = await form();
    for (let i = 0; i < 5; i++) assert.equal((await submitSignIn(issuer, page, 'alice', 'wrong password!', jar)).status, 400);
    const throttled = await submitSignIn(issuer, page, 'alice', PASSWORD, jar);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '1');
    assert.equal(pageErrorCode(await throttled.text()), 'signin_throttled');

    clock.advance(1000);
    assert.equal((await submitSignIn(issuer, page, 'alice', 'wrong password!', jar)).status, 400);
    const longer = await submitSignIn(issuer, page, 'alice', PASSWORD, jar);
    assert.equal(longer.status, 429);
    assert.equal(longer.headers.get('retry-after'), '2');

    clock.advance(2000);
    const ok = await submitSignIn(issuer, page, 'alice', PASSWORD, jar);
    assert.equal(ok.status, 303);
    assert.ok(clientRedirect(ok)?.get('code'));
    // The success cleared the account's count.
    assert.equal(await issuer.services.store.loginAttempts.countFailures('user:alice', 0), 0);
  });

  test('a burst of concurrent guesses is counted one by one: 5 verified, the rest throttled', async () => {
    const { jar, form: page } = await form();
    const responses = await Promise.all(Array.from({ length: 12 }, () => submitSignIn(issuer, page, 'alice', 'wrong password!', jar.clone())));
    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(statuses, [...Array(5).fill(400), ...Array(7).fill(429)]);
    assert.equal(await issuer.services.store.loginAttempts.countFailures('user:alice', 0), 5);
  });

  test('a throttled unknown username looks exactly like a throttled real one', async () => {
    const { jar, form: page } = await form();
    for (let i = 0; i < 5; i++) {
      await submitSignIn(issuer, page, 'alice', 'wrong password!', jar);
      await submitSignIn(issuer, page, 'nobody-here', 'wrong password!', jar);
    }
    const real = await comparableResponse(await submitSignIn(issuer, page, 'alice', 'wrong password!', jar));
    const unknown = await comparableResponse(await submitSignIn(issuer, page, 'nobody-here', 'wrong password!', jar));
    assert.equal(real.status, 429);
    assert.deepEqual(unknown, real);
  });

  test('per address: 20 failures over many usernames throttle a new username from that address', async () => {
    const { jar, form: page } = await form();
    for (let i = 0; i < 20; i++) assert.equal((await submitSignIn(issuer, page, `guess${i}`, 'wrong password!', jar)).status, 400);
    const throttled = await submitSignIn(issuer, page, 'alice', PASSWORD, jar);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '1');
    const events = await issuer.services.store.securityEvents.listRecent({ type: 'signin.throttled' });
    assert.deepEqual(events.map((event) => [event.ip, event.details.key]), [['127.0.0.1', 'address']]);
  });

  test('the limit crossing is recorded as one security event with ip and username', async () => {
    const { jar, form: page } = await form();
    for (let i = 0; i < 5; i++) await submitSignIn(issuer, page, 'Alice', 'wrong password!', jar);
    clock.advance(60_000);
    await submitSignIn(issuer, page, 'Alice', 'wrong password!', jar);
    const events = (await issuer.services.store.securityEvents.listRecent({ type: 'signin.throttled' })).filter((event) => event.details.key === 'account');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.ip, '127.0.0.1');
    assert.equal(events[0]!.details.username, 'Alice');
    assert.equal(events[0]!.severity, 'warning');
  });

  test('the throttle answers before any password is verified', async () => {
    const verify = mock.fn(verifyPassword);
    const app = Fastify();
    await app.register(formBody);
    registerSignIn(app, issuer.services, { verifyPassword: verify });
    await app.ready();
    try {
      const tx = sealTransaction(issuer.services, { clientId: 'web', redirectUri: REDIRECT_URI, scope: 'openid', state: null, nonce: null, codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', audience: null, loginHint: null });
      const page = await app.inject({ method: 'GET', url: `/signin?tx=${tx}` });
      const cookie = (page.headers['set-cookie'] as string).split(';')[0]!;
      const csrf = fieldValue(page.body, 'csrf')!;
      const post = (password: string) => app.inject({ method: 'POST', url: '/signin', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, payload: new URLSearchParams({ tx, csrf, username: 'alice', password }).toString() });
      for (let i = 0; i < 5; i++) await post('wrong password!');
      assert.equal(verify.mock.callCount(), 5);
      assert.equal((await post(PASSWORD)).statusCode, 429);
      assert.equal(verify.mock.callCount(), 5);
    } finally {
      await app.close();
    }
  });
});
