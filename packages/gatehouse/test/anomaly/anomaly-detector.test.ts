/**
 * The anomaly detector with an injected clock: trips at the limit once per block, Retry-After and
 * the doubling cooldown, unblocking, sliding windows, per-key isolation, what each dimension may
 * block (kid only alerts; unverified claims never reach a subject), the events and webhook posts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReasonCode } from '@gatehouse/verify';
import { AnomalyDetector, type AnomalyDetectorOptions, type AnomalySecurityEvent, type FailedVerification } from '../../src/anomaly/anomaly-detector.ts';
import type { AnomalyLog } from '../../src/anomaly/anomaly-webhook.ts';

const T0 = Date.UTC(2030, 0, 1, 12);
const MINUTE = 60_000;
const HOOK = 'https://hooks.example.com/gatehouse/s3cr3t';

interface Posted {
  readonly url: string;
  readonly init: RequestInit;
  readonly body: Record<string, unknown>;
}

function harness(options: Partial<AnomalyDetectorOptions> & { webhookStatus?: number } = {}) {
  const clock = { now: T0 };
  const events: AnomalySecurityEvent[] = [];
  const posted: Posted[] = [];
  const logged: { level: 'warn' | 'error'; details: Record<string, unknown>; message: string }[] = [];
  const log: AnomalyLog = {
    warn: (details, message) => logged.push({ level: 'warn', details, message }),
    error: (details, message) => logged.push({ level: 'error', details, message }),
  };
  const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    posted.push({ url: String(url), init: init!, body: JSON.parse(String(init!.body)) as Record<string, unknown> });
    return new Response(null, { status: options.webhookStatus ?? 204 });
  }) as typeof fetch;
  const { webhookStatus: _status, ...rest } = options;
  const detector = new AnomalyDetector({
    recordSecurityEvent: async (event) => {
      events.push(event);
    },
    webhook: { url: HOOK, fetch: fakeFetch },
    log,
    clock: () => clock.now,
    ...rest,
  });
  /** `times` failures at the current time. */
  const fail = (times: number, failure: Partial<FailedVerification> = {}) => {
    let trips: ReturnType<AnomalyDetector['recordFailure']> = [];
    for (let index = 0; index < times; index++) trips = [...trips, ...detector.recordFailure({ ip: '192.0.2.1', reason: 'bad_signature', ...failure })];
    return trips;
  };
  return { clock, detector, events, posted, logged, fail };
}

describe('AnomalyDetector: the ip dimension', () => {
  it('blocks an address at its 50th failure within a minute, with one event and one webhook post', async () => {
    const { detector, events, posted, fail } = harness();
    assert.deepEqual(fail(49), []);
    assert.equal(detector.check({ ip: '192.0.2.1' }), undefined);
    const trips = fail(1);
    assert.deepEqual(trips, [{ dimension: 'ip', key: '192.0.2.1', failures: 50, windowSeconds: 60, offence: 1, until: T0 + MINUTE, blocked: true }]);
    assert.deepEqual(detector.check({ ip: '192.0.2.1' }), { retryAfterSeconds: 60, dimension: 'ip', key: '192.0.2.1' });
    // More failures while blocked (a gateway that records before it checks): no second event.
    assert.deepEqual(fail(500), []);
    await detector.flush();
    assert.deepEqual(events, [
      {
        type: 'anomaly.blocked',
        severity: 'warning',
        ip: '192.0.2.1',
        details: { dimension: 'ip', key: '192.0.2.1', failures: 50, windowSeconds: 60, reason: 'bad_signature', offence: 1, blockedUntil: T0 + MINUTE },
      },
    ]);
    assert.equal(posted.length, 1);
    assert.deepEqual(posted[0]!.body, { type: 'anomaly.blocked', dimension: 'ip', key: '192.0.2.1', count: 50, window_seconds: 60, blocked_until: '2030-01-01T12:01:00.000Z' });
    assert.equal(posted[0]!.url, HOOK);
    assert.equal(posted[0]!.init.method, 'POST');
    assert.deepEqual(posted[0]!.init.headers, { 'content-type': 'application/json' });
    assert.ok(posted[0]!.init.signal instanceof AbortSignal, 'the post has a timeout');
  });

  it('counts down Retry-After in whole seconds, rounded up, and unblocks when the cooldown ends', () => {
    const { clock, detector, fail } = harness();
    fail(50);
    clock.now = T0 + 30_500;
    assert.equal(detector.check({ ip: '192.0.2.1' })?.retryAfterSeconds, 30);
    clock.now = T0 + MINUTE - 1;
    assert.equal(detector.check({ ip: '192.0.2.1' })?.retryAfterSeconds, 1);
    clock.now = T0 + MINUTE;
    assert.equal(detector.check({ ip: '192.0.2.1' }), undefined);
  });

  it('doubles the cooldown with each repeat offence up to 15 minutes, and forgets after a quiet hour', async () => {
    const { clock, detector, events, fail } = harness();
    const cooldowns: number[] = [];
    for (let offence = 1; offence <= 7; offence++) {
      const [trip] = fail(50);
      assert.equal(trip?.offence, offence);
      cooldowns.push(detector.check({ ip: '192.0.2.1' })!.retryAfterSeconds);
      clock.now = trip!.until;
    }
    assert.deepEqual(cooldowns, [60, 120, 240, 480, 900, 900, 900]);
    // Quiet for the forget period after the last block ended: a first offence again.
    clock.now += 60 * MINUTE;
    const [fresh] = fail(50);
    assert.equal(fresh?.offence, 1);
    assert.equal(detector.check({ ip: '192.0.2.1' })?.retryAfterSeconds, 60);
    await detector.flush();
    assert.equal(events.length, 8, 'one event per block');
    assert.deepEqual(
      events.map((event) => event.details?.['offence']),
      [1, 2, 3, 4, 5, 6, 7, 1],
    );
  });

  it('a repeat offence just inside the forget period still doubles', () => {
    const { clock, fail } = harness();
    const [first] = fail(50);
    clock.now = first!.until + 60 * MINUTE - 1;
    assert.equal(fail(50)[0]?.offence, 2);
  });

  it('empties the window at a trip: after the block, one failure does not block again', () => {
    // A block shorter than the window, so that the failures that tripped it would still count.
    const { clock, detector, fail } = harness({ cooldown: { baseMs: 10_000 } });
    fail(50);
    clock.now = T0 + 10_000;
    assert.deepEqual(fail(1), []);
    assert.equal(detector.check({ ip: '192.0.2.1' }), undefined);
    assert.equal(fail(48).length, 0);
    assert.equal(fail(1).length, 1, 'a fresh limit of failures');
  });

  it('slides: failures older than the window stop counting', () => {
    const { clock, detector, fail } = harness();
    fail(49);
    clock.now = T0 + MINUTE;
    assert.deepEqual(fail(49), []);
    assert.equal(detector.check({ ip: '192.0.2.1' }), undefined);
    // Spread over the window they do count: 10 every 5 s reaches 50 at 20 s.
    const { clock: clock2, fail: fail2 } = harness();
    let trips = 0;
    for (let second = 0; second <= 20; second += 5) {
      clock2.now = T0 + second * 1000;
      trips += fail2(10).length;
    }
    assert.equal(trips, 1);
  });

  it('keeps addresses apart, and counts an IPv6 /64 as one address', () => {
    const { detector, fail } = harness();
    fail(49, { ip: '192.0.2.1' });
    fail(49, { ip: '192.0.2.2' });
    assert.equal(detector.check({ ip: '192.0.2.1' }), undefined);
    for (let index = 0; index < 50; index++) fail(1, { ip: `2001:db8:1:2::${index.toString(16)}` });
    assert.deepEqual(detector.check({ ip: '2001:db8:1:2:ffff::1' }), { retryAfterSeconds: 60, dimension: 'ip', key: '2001:db8:1:2::/64' });
    assert.equal(detector.check({ ip: '2001:db8:1:3::1' }), undefined);
    assert.equal(detector.check({ ip: '192.0.2.2' }), undefined);
  });

  it('records the address that tripped in the ip column, its /64 in details', async () => {
    const { detector, events, fail } = harness();
    fail(50, { ip: '2001:db8::7' });
    await detector.flush();
    assert.equal(events[0]!.ip, '2001:db8::7');
    assert.equal(events[0]!.details?.['key'], '2001:db8::/64');
  });

  it('ignores refusals that say nothing about the client (keys_unavailable, token_missing)', () => {
    const { detector, fail } = harness();
    for (const reason of ['keys_unavailable', 'token_missing'] satisfies ReasonCode[]) assert.deepEqual(fail(100, { reason }), []);
    assert.equal(detector.check({ ip: '192.0.2.1' }), undefined);
    assert.equal(fail(49).length, 0, 'none of them counted');
  });

  it('uses the configured limit and cooldown', () => {
    const { detector, fail } = harness({ limits: { ip: { failures: 3, windowMs: 10_000 } }, cooldown: { baseMs: 5_000 } });
    assert.equal(fail(2).length, 0);
    assert.equal(fail(1).length, 1);
    assert.equal(detector.check({ ip: '192.0.2.1' })?.retryAfterSeconds, 5);
  });
});

describe('AnomalyDetector: the subject dimension', () => {
  const verified = (index: number): Partial<FailedVerification> => ({ ip: `198.51.100.${index}`, sub: 'user-alice', jti: `jti-${index}`, kid: 'k1', reason: 'token_expired' });

  it('blocks a subject at 20 verified-but-refused tokens within a minute, from any address', async () => {
    const { detector, events, posted, fail } = harness();
    for (let index = 0; index < 19; index++) fail(1, verified(index));
    assert.equal(detector.check({ ip: '203.0.113.9', sub: 'user-alice' }), undefined);
    assert.deepEqual(
      fail(1, verified(19)).map((trip) => trip.dimension),
      ['subject'],
    );
    assert.deepEqual(detector.check({ ip: '203.0.113.9', sub: 'user-alice' }), { retryAfterSeconds: 60, dimension: 'subject', key: 'user-alice' });
    // Only requests with that subject: the same address with another subject, or before verification, pass.
    assert.equal(detector.check({ ip: '203.0.113.9' }), undefined);
    assert.equal(detector.check({ ip: '203.0.113.9', sub: 'user-bob' }), undefined);
    await detector.flush();
    assert.deepEqual(events, [
      {
        type: 'anomaly.blocked',
        severity: 'warning',
        subject: 'user-alice',
        details: { dimension: 'subject', key: 'user-alice', failures: 20, windowSeconds: 60, reason: 'token_expired', offence: 1, blockedUntil: T0 + MINUTE },
      },
    ]);
    assert.deepEqual(posted.map((post) => post.body), [{ type: 'anomaly.blocked', dimension: 'subject', key: 'user-alice', count: 20, window_seconds: 60, blocked_until: '2030-01-01T12:01:00.000Z' }]);
  });

  it('never counts a subject from an unverified token: the gateway passes only the address', () => {
    const { detector, fail } = harness();
    // What the gateway records for forged tokens claiming alice: the address alone.
    for (let index = 0; index < 100; index++) fail(1, { ip: `198.51.100.${index}`, reason: 'bad_signature' });
    assert.equal(detector.check({ ip: '203.0.113.9', sub: 'user-alice' }), undefined);
  });

  it('counts a replayed token once toward its subject, but every time toward its address', () => {
    const { detector, fail } = harness();
    const trips = fail(60, { ip: '198.51.100.1', sub: 'user-alice', jti: 'one-old-token', reason: 'token_expired' });
    assert.deepEqual(
      trips.map((trip) => trip.dimension),
      ['ip'],
    );
    assert.equal(detector.check({ ip: '203.0.113.9', sub: 'user-alice' }), undefined, 'the victim is not blocked');
    assert.equal(detector.check({ ip: '198.51.100.1' })?.dimension, 'ip', 'the replayer is');
  });

  it('counts every failure toward the subject when no jti is given', () => {
    const { fail } = harness();
    assert.deepEqual(
      fail(20, { ip: '198.51.100.1', sub: 'user-alice', reason: 'wrong_audience' }).map((trip) => trip.dimension),
      ['subject'],
    );
  });

  it('answers with the longer block when both the address and the subject are blocked', () => {
    const { clock, detector, fail } = harness();
    fail(50, { ip: '198.51.100.1' });
    clock.now = T0 + 10_000;
    for (let index = 0; index < 20; index++) fail(1, verified(index));
    assert.deepEqual(detector.check({ ip: '198.51.100.1', sub: 'user-alice' }), { retryAfterSeconds: 60, dimension: 'subject', key: 'user-alice' });
    clock.now = T0 + 65_000;
    assert.deepEqual(detector.check({ ip: '198.51.100.1', sub: 'user-alice' }), { retryAfterSeconds: 5, dimension: 'subject', key: 'user-alice' });
  });
});

describe('AnomalyDetector: the kid dimension alerts only', () => {
  it('a spike under one key gives one anomaly.detected event and one post, and blocks nobody', async () => {
    const { clock, detector, events, posted, fail } = harness({ limits: { ip: { failures: 10_000, windowMs: MINUTE }, subject: { failures: 10_000, windowMs: MINUTE } } });
    let trips: ReturnType<typeof fail> = [];
    for (let index = 0; index < 250; index++) trips = [...trips, ...fail(1, { ip: '198.51.100.1', sub: `user-${index}`, jti: `j${index}`, kid: 'leaked-key', reason: 'token_revoked' })];
    assert.deepEqual(trips, [{ dimension: 'kid', key: 'leaked-key', failures: 200, windowSeconds: 60, offence: 1, until: T0 + MINUTE, blocked: false }]);
    assert.equal(detector.check({ ip: '198.51.100.1', sub: 'user-1' }), undefined);
    await detector.flush();
    assert.deepEqual(events, [{ type: 'anomaly.detected', severity: 'warning', details: { dimension: 'kid', key: 'leaked-key', failures: 200, windowSeconds: 60, reason: 'token_revoked', offence: 1 } }]);
    assert.deepEqual(posted.map((post) => post.body), [{ type: 'anomaly.detected', dimension: 'kid', key: 'leaked-key', count: 200, window_seconds: 60, blocked_until: null }]);
    // After the quiet period a continuing spike alerts again, as a repeat.
    clock.now = T0 + MINUTE;
    trips = [];
    for (let index = 0; index < 200; index++) trips = [...trips, ...fail(1, { ip: '198.51.100.1', kid: 'leaked-key', reason: 'token_revoked' })];
    assert.deepEqual(
      trips.map((trip) => [trip.dimension, trip.offence]),
      [['kid', 2]],
    );
    assert.equal(detector.check({ ip: '198.51.100.1' }), undefined);
  });
});

describe('AnomalyDetector: side effects never reach the request path', () => {
  it('a webhook that fails, throws or answers 500 is logged, never thrown', async () => {
    for (const failure of ['reject', 'throw', 'status'] as const) {
      const logged: string[] = [];
      const fakeFetch = ((): Promise<Response> => {
        if (failure === 'throw') throw new TypeError('boom');
        if (failure === 'reject') return Promise.reject(new Error('connection refused'));
        return Promise.resolve(new Response('nope', { status: 500 }));
      }) as typeof fetch;
      const detector = new AnomalyDetector({
        recordSecurityEvent: async () => undefined,
        webhook: { url: HOOK, fetch: fakeFetch },
        log: { warn: (details, message) => logged.push(`${message} ${JSON.stringify(details)}`), error: () => assert.fail('no error expected') },
        clock: () => T0,
      });
      for (let index = 0; index < 50; index++) detector.recordFailure({ ip: '192.0.2.1', reason: 'bad_signature' });
      await detector.flush();
      assert.equal(logged.length, 1, failure);
      assert.ok(!logged[0]!.includes('s3cr3t'), 'the log names the origin, not the secret path');
      assert.ok(logged[0]!.includes('https://hooks.example.com'));
      assert.equal(detector.check({ ip: '192.0.2.1' })?.dimension, 'ip', 'the block holds');
    }
  });

  it('an event store that fails is logged, and the block and the webhook still happen', async () => {
    const { detector, posted, logged, fail } = harness({
      recordSecurityEvent: () => Promise.reject(new Error('database is locked')),
    });
    assert.equal(fail(50).length, 1);
    await detector.flush();
    assert.equal(detector.check({ ip: '192.0.2.1' })?.dimension, 'ip');
    assert.equal(posted.length, 1);
    assert.deepEqual(
      logged.map((line) => [line.level, line.message]),
      [['error', 'could not record an anomaly event']],
    );
  });

  it('a recordSecurityEvent that throws synchronously does not throw from recordFailure', async () => {
    const { detector, logged, fail } = harness({
      recordSecurityEvent: () => {
        throw new Error('sync');
      },
    });
    assert.equal(fail(50).length, 1);
    await detector.flush();
    assert.equal(logged.length, 1);
  });

  it('works without a webhook', async () => {
    const { detector, events, posted, fail } = harness({ webhook: undefined });
    fail(50);
    await detector.flush();
    assert.equal(events.length, 1);
    assert.equal(posted.length, 0);
  });
});

describe('AnomalyDetector: bounded memory', () => {
  it('200,000 addresses failing once each with maxKeys 10,000 leave every window within bounds and block nobody', () => {
    const { detector, fail } = harness({ maxKeys: 10_000 });
    for (let index = 0; index < 200_000; index++) fail(1, { ip: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}` });
    assert.equal(detector.check({ ip: '10.3.13.63' }), undefined);
  });

  it('keeps at most maxKeys offender records: past it the oldest block is forgotten', () => {
    const { detector, fail } = harness({ maxKeys: 3, limits: { ip: { failures: 1, windowMs: MINUTE } } });
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']) fail(1, { ip });
    assert.equal(detector.check({ ip: '192.0.2.1' }), undefined);
    for (const ip of ['192.0.2.2', '192.0.2.3', '192.0.2.4']) assert.equal(detector.check({ ip })?.dimension, 'ip');
  });
});

describe('AnomalyDetector: options', () => {
  it('refuses limits, cooldowns and webhook URLs it cannot honour, when constructed', () => {
    const base = { recordSecurityEvent: async () => undefined };
    assert.throws(() => new AnomalyDetector({ ...base, limits: { ip: { failures: 0, windowMs: MINUTE } } }), RangeError);
    assert.throws(() => new AnomalyDetector({ ...base, limits: { kid: { failures: 5, windowMs: 0 } } }), RangeError);
    assert.throws(() => new AnomalyDetector({ ...base, cooldown: { baseMs: 10_000, maxMs: 5_000 } }), RangeError);
    assert.throws(() => new AnomalyDetector({ ...base, webhook: { url: 'http://hooks.example.com/x' } }), TypeError);
    assert.throws(() => new AnomalyDetector({ ...base, webhook: { url: 'hooks.example.com/x' } }), TypeError);
  });
});
