/**
 * The sliding-window counter: what it counts as time passes (including the sub-bucket
 * approximation, pinned at its bounds), per-key isolation, and memory bounded by maxKeys.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlidingWindowCounter } from '../../src/anomaly/sliding-window.ts';

const T0 = Date.UTC(2030, 0, 1, 12);
/** 10 s in 10 sub-buckets of 1 s: T0 is a sub-bucket boundary. */
const W = 10_000;

function counter(options: { maxKeys?: number; buckets?: number } = {}) {
  return new SlidingWindowCounter({ windowMs: W, ...options });
}

describe('SlidingWindowCounter', () => {
  it('counts events within the window and returns the running count from add', () => {
    const window = counter();
    assert.equal(window.add('a', T0), 1);
    assert.equal(window.add('a', T0 + 500), 2);
    assert.equal(window.add('a', T0 + 4_000), 3);
    assert.equal(window.count('a', T0 + 4_000), 3);
    assert.equal(window.count('never', T0), 0);
  });

  it('slides: events stop counting once they are a window old', () => {
    const window = counter();
    for (let index = 0; index < 3; index++) window.add('a', T0);
    for (let index = 0; index < 2; index++) window.add('a', T0 + 5_000);
    assert.equal(window.count('a', T0 + W - 1), 5);
    assert.equal(window.count('a', T0 + W), 2, 'the first three are W old');
    assert.equal(window.count('a', T0 + 5_000 + W - 1), 2);
    assert.equal(window.count('a', T0 + 5_000 + W), 0);
  });

  it('forgets an event between W - W/buckets and W after it (the documented approximation), never later', () => {
    const window = counter();
    // At the very end of a sub-bucket: it leaves with that sub-bucket, W - W/10 + 1 ms later.
    window.add('late', T0 + 999);
    assert.equal(window.count('late', T0 + 9_999), 1);
    assert.equal(window.count('late', T0 + 10_000), 0);
    // At the very start of one: it stays the whole window.
    window.add('early', T0 + 20_000);
    assert.equal(window.count('early', T0 + 20_000 + W - 1), 1);
    assert.equal(window.count('early', T0 + 20_000 + W), 0);
  });

  it('keeps counting correctly after a gap longer than the window', () => {
    const window = counter();
    for (let index = 0; index < 7; index++) window.add('a', T0 + index * 100);
    assert.equal(window.add('a', T0 + 10 * W), 1);
    assert.equal(window.add('a', T0 + 10 * W + 3_000), 2);
    assert.equal(window.count('a', T0 + 11 * W + 2_999), 1);
  });

  it('counts a clock that stepped back into the newest sub-bucket, not into the past', () => {
    const window = counter();
    window.add('a', T0 + 5_000);
    assert.equal(window.add('a', T0 + 1_000), 2);
    // Both live in the 5 s sub-bucket: they leave together.
    assert.equal(window.count('a', T0 + 5_000 + W - 1), 2);
    assert.equal(window.count('a', T0 + 5_000 + W), 0);
  });

  it('keeps keys apart', () => {
    const window = counter();
    for (let index = 0; index < 4; index++) window.add('a', T0);
    window.add('b', T0);
    assert.equal(window.count('a', T0), 4);
    assert.equal(window.count('b', T0), 1);
    window.delete('a');
    assert.equal(window.count('a', T0), 0);
    assert.equal(window.count('b', T0), 1);
    assert.equal(window.add('c', T0), 1, 'a freed slot starts at zero');
  });

  it('holds at most maxKeys keys: 200,000 addresses with maxKeys 10,000', () => {
    const window = counter({ maxKeys: 10_000 });
    for (let index = 0; index < 200_000; index++) {
      window.add(`10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`, T0 + index);
      assert.ok(window.size <= 10_000);
    }
    assert.equal(window.size, 10_000);
    // The least recently counted went first; the newest are all there with their counts.
    assert.equal(window.count('10.0.0.0', T0 + 200_000), 0);
    assert.equal(window.count(`10.3.13.63`, T0 + 200_000), 1, 'the last key added (199,999)');
  });

  it('forgets the least recently counted key, not the first one added', () => {
    const window = counter({ maxKeys: 3 });
    window.add('a', T0);
    window.add('b', T0);
    window.add('c', T0);
    window.add('a', T0 + 1);
    window.add('d', T0 + 2);
    assert.equal(window.size, 3);
    assert.equal(window.count('b', T0 + 2), 0, 'b was the least recently counted');
    assert.equal(window.count('a', T0 + 2), 2);
    assert.equal(window.count('c', T0 + 2), 1);
    assert.equal(window.count('d', T0 + 2), 1);
  });

  it('keeps every count while its storage grows past the first allocation', () => {
    const window = counter();
    for (let round = 1; round <= 3; round++) {
      for (let index = 0; index < 5_000; index++) window.add(`k${index}`, T0 + round);
    }
    assert.equal(window.size, 5_000);
    for (const index of [0, 1023, 1024, 2047, 4999]) assert.equal(window.count(`k${index}`, T0 + 3), 3);
  });

  it('works with one bucket and with sub-bucket lengths that are not whole milliseconds', () => {
    const whole = new SlidingWindowCounter({ windowMs: 1_000, buckets: 1 });
    whole.add('a', T0 + 999);
    assert.equal(whole.count('a', T0 + 999), 1);
    assert.equal(whole.count('a', T0 + 1_000), 0);
    const thirds = new SlidingWindowCounter({ windowMs: 1_000, buckets: 3 });
    thirds.add('a', T0);
    assert.equal(thirds.count('a', T0 + 999), 1);
    assert.equal(thirds.count('a', T0 + 1_000), 0);
  });

  it('agrees with a plain model over 20,000 random adds, counts and deletes', () => {
    // The model keeps every event's sub-bucket number and a recency list; the counter must agree on every answer.
    const buckets = 4;
    const bucketMs = 250;
    const maxKeys = 5;
    const window = new SlidingWindowCounter({ windowMs: buckets * bucketMs, buckets, maxKeys });
    const model = new Map<string, { events: number[]; newest: number }>();
    let seed = 42;
    const random = (below: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % below;
    };
    let now = T0;
    for (let step = 0; step < 20_000; step++) {
      now += random(5) === 0 ? random(1_500) : random(40);
      if (random(50) === 0) now -= random(300); // the clock steps back now and then
      const key = `k${random(8)}`;
      const bucket = Math.floor(now / bucketMs);
      const operation = random(10);
      if (operation < 6) {
        let entry = model.get(key);
        if (entry === undefined) {
          if (model.size >= maxKeys) model.delete(model.keys().next().value as string);
          entry = { events: [], newest: bucket };
        }
        model.delete(key);
        model.set(key, entry);
        entry.newest = Math.max(entry.newest, bucket);
        entry.events.push(entry.newest);
        const expected = entry.events.filter((event) => event > entry.newest - buckets).length;
        assert.equal(window.add(key, now), expected, `add ${key} at step ${step}`);
      } else if (operation < 9) {
        const entry = model.get(key);
        if (entry !== undefined) entry.newest = Math.max(entry.newest, bucket);
        const expected = entry === undefined ? 0 : entry.events.filter((event) => event > entry.newest - buckets).length;
        assert.equal(window.count(key, now), expected, `count ${key} at step ${step}`);
      } else {
        model.delete(key);
        window.delete(key);
      }
      assert.equal(window.size, model.size);
    }
  });

  it('refuses options it cannot honour', () => {
    assert.throws(() => new SlidingWindowCounter({ windowMs: 0 }), RangeError);
    assert.throws(() => new SlidingWindowCounter({ windowMs: Number.NaN }), RangeError);
    assert.throws(() => new SlidingWindowCounter({ windowMs: W, buckets: 0 }), RangeError);
    assert.throws(() => new SlidingWindowCounter({ windowMs: W, buckets: 2.5 }), RangeError);
    assert.throws(() => new SlidingWindowCounter({ windowMs: W, maxKeys: 0 }), RangeError);
  });
});
