/**
 * AnomalyDetector#reconfigure, what a configuration reload calls: new limits, cooldown and webhook
 * without forgetting what was counted or who is blocked; invalid settings change nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnomalyDetector, type AnomalySecurityEvent, type AnomalySettings } from '../../src/anomaly/anomaly-detector.ts';

const T0 = Date.UTC(2030, 0, 1, 12);
const MINUTE = 60_000;
const IP = '192.0.2.1';

function detectorWith(settings: AnomalySettings) {
  const clock = { now: T0 };
  const events: AnomalySecurityEvent[] = [];
  const detector = new AnomalyDetector({ ...settings, recordSecurityEvent: async (event) => void events.push(event), clock: () => clock.now });
  const fail = (times: number, sub?: string) => {
    let trips: ReturnType<AnomalyDetector['recordFailure']> = [];
    for (let index = 0; index < times; index++) trips = [...trips, ...detector.recordFailure({ ip: IP, sub, reason: 'token_expired' })];
    return trips;
  };
  return { clock, detector, events, fail };
}

describe('AnomalyDetector#reconfigure', () => {
  it('keeps the counts of a dimension whose window is unchanged: a lower limit trips on the next failure', () => {
    const { detector, fail } = detectorWith({ limits: { ip: { failures: 10, windowMs: MINUTE } } });
    assert.deepEqual(fail(4), []);
    detector.reconfigure({ limits: { ip: { failures: 5, windowMs: MINUTE } } });
    const trips = fail(1);
    assert.deepEqual(trips.map((trip) => [trip.dimension, trip.failures]), [['ip', 5]]);
    assert.notEqual(detector.check({ ip: IP }), undefined);
  });

  it('counts afresh in a dimension whose window changed, and leaves the others alone', () => {
    const { detector, fail } = detectorWith({ limits: { ip: { failures: 5, windowMs: MINUTE }, subject: { failures: 5, windowMs: MINUTE } } });
    fail(4, 'alice');
    detector.reconfigure({ limits: { ip: { failures: 5, windowMs: 2 * MINUTE }, subject: { failures: 5, windowMs: MINUTE } } });
    // The subject's window kept its 4; the address's new window starts from nothing.
    assert.deepEqual(fail(1, 'alice').map((trip) => trip.dimension), ['subject']);
    assert.deepEqual(fail(3, 'bob'), []);
    assert.deepEqual(fail(1, 'bob').map((trip) => [trip.dimension, trip.windowSeconds]), [['ip', 120]]);
  });

  it('keeps the blocks in force and the offence count; a new cooldown applies from the next trip', () => {
    const { clock, detector, fail } = detectorWith({ limits: { ip: { failures: 2, windowMs: MINUTE } } });
    fail(2);
    assert.equal(detector.check({ ip: IP })?.retryAfterSeconds, 60);
    detector.reconfigure({ limits: { ip: { failures: 2, windowMs: MINUTE } }, cooldown: { baseMs: 10 * MINUTE, maxMs: 30 * MINUTE } });
    assert.equal(detector.check({ ip: IP })?.retryAfterSeconds, 60, 'the running block keeps its end');
    clock.now += MINUTE;
    assert.equal(detector.check({ ip: IP }), undefined);
    const [trip] = fail(2);
    // A repeat offence: the doubled new base.
    assert.equal(trip?.offence, 2);
    assert.equal(trip?.until, clock.now + 20 * MINUTE);
  });

  it('a dimension left out goes back to its default', () => {
    const { detector, fail } = detectorWith({ limits: { ip: { failures: 2, windowMs: MINUTE } } });
    detector.reconfigure({});
    assert.deepEqual(fail(49), []);
    assert.equal(fail(1).length, 1);
  });

  it('refuses invalid settings and changes nothing', () => {
    const { detector, fail } = detectorWith({ limits: { ip: { failures: 3, windowMs: MINUTE } } });
    fail(1);
    assert.throws(() => detector.reconfigure({ limits: { ip: { failures: 2, windowMs: MINUTE } }, cooldown: { baseMs: 5 * MINUTE, maxMs: MINUTE } }), RangeError);
    assert.throws(() => detector.reconfigure({ limits: { ip: { failures: 0, windowMs: MINUTE } } }), RangeError);
    assert.throws(() => detector.reconfigure({ webhook: { url: 'http://hooks.example.com/x' } }), TypeError);
    assert.deepEqual(fail(1), [], 'still the limit of 3');
    assert.equal(fail(1).length, 1);
  });

  it('posts to the new webhook only', async () => {
    const posted: string[] = [];
    const fetchTo = (name: string) => (async () => {
      posted.push(name);
      return new Response(null, { status: 204 });
    }) as unknown as typeof fetch;
    const limits = { ip: { failures: 1, windowMs: MINUTE } };
    const { clock, detector, fail } = detectorWith({ limits, webhook: { url: 'https://old.example.com/hook', fetch: fetchTo('old') } });
    fail(1);
    detector.reconfigure({ limits, webhook: { url: 'http://127.0.0.1:9/hook', fetch: fetchTo('new') } });
    clock.now += 2 * MINUTE;
    fail(1);
    detector.reconfigure({ limits });
    clock.now += 10 * MINUTE;
    fail(1);
    await detector.flush();
    assert.deepEqual(posted, ['old', 'new']);
  });
});
