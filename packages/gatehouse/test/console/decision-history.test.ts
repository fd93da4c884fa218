/**
 * The console's decision history (console/decision-history.ts): a pure module on an injected
 * clock. The ring buffer keeps the newest lines with increasing seq; per-second counts cover the
 * window and forget what falls out of it; the top lists count refusals per minute of the window,
 * stay bounded under a flood of distinct keys, and keep the heavy hitters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decisionLogLine, type DecisionLogLine, type GatewayDecision } from '../../src/audit/decision-log.ts';
import { createDecisionHistory } from '../../src/console/decision-history.ts';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

function clockAt(start = T0): { now: () => number; set(ms: number): void; advance(ms: number): void } {
  let now = start;
  return { now: () => now, set: (ms) => void (now = ms), advance: (ms) => void (now += ms) };
}

function line(overrides: Partial<GatewayDecision> = {}): DecisionLogLine {
  return decisionLogLine({ requestId: 'r', route: 'orders', method: 'GET', path: '/orders/1', clientIp: '203.0.113.7', decision: 'allow', latencyMs: 1, ...overrides }, T0);
}

const deny = (overrides: Partial<GatewayDecision> = {}): DecisionLogLine => line({ decision: 'deny', reason: 'token_expired', ...overrides });

describe('createDecisionHistory: the recent lines', () => {
  it('numbers lines from 1, keeps the decision log fields, answers newest first with the newest seq as last', () => {
    const history = createDecisionHistory({ clock: clockAt().now });
    assert.deepEqual(history.query(), { lines: [], last: 0 });
    history.record(line({ requestId: 'a' }));
    history.record(deny({ requestId: 'b', sub: 'alice' }));
    const page = history.query();
    assert.equal(page.last, 2);
    assert.deepEqual(page.lines.map((entry) => [entry.seq, entry.request_id]), [[2, 'b'], [1, 'a']]);
    assert.deepEqual(Object.keys(page.lines[0]!), ['seq', 'time', 'request_id', 'route', 'method', 'path', 'client_ip', 'sub', 'client_id', 'jti', 'kid', 'decision', 'reason', 'rule_id', 'upstream_status', 'latency_ms']);
  });

  it('keeps only the last `capacity` lines (2,000 by default)', () => {
    const history = createDecisionHistory({ clock: clockAt().now });
    for (let i = 1; i <= 2500; i++) history.record(line({ requestId: `r${i}` }));
    const page = history.query({ limit: 5000 });
    assert.equal(page.lines.length, 2000);
    assert.equal(page.lines[0]!.seq, 2500);
    assert.equal(page.lines.at(-1)!.seq, 501);
    assert.equal(page.last, 2500);
  });

  it('filters by route, sub, result and reason (exact), and `after` returns only newer lines', () => {
    const history = createDecisionHistory({ clock: clockAt().now, capacity: 10 });
    history.record(line({ requestId: '1', sub: 'alice' }));
    history.record(deny({ requestId: '2', sub: 'alice', reason: 'bad_signature' }));
    history.record(deny({ requestId: '3', route: 'admin', sub: 'bob' }));
    history.record(deny({ requestId: '4', route: null, reason: 'no_route' }));
    const ids = (filter: Parameters<typeof history.query>[0]) => history.query(filter).lines.map((entry) => entry.request_id);
    assert.deepEqual(ids({ route: 'orders' }), ['2', '1']);
    assert.deepEqual(ids({ sub: 'alice' }), ['2', '1']);
    assert.deepEqual(ids({ result: 'deny' }), ['4', '3', '2']);
    assert.deepEqual(ids({ result: 'allow' }), ['1']);
    assert.deepEqual(ids({ reason: 'token_expired' }), ['3']);
    assert.deepEqual(ids({ result: 'deny', sub: 'alice' }), ['2']);
    assert.deepEqual(ids({ after: 2 }), ['4', '3']);
    assert.deepEqual(ids({ limit: 1 }), ['4']);
    assert.deepEqual(ids({ limit: 0 }), []);
    assert.equal(history.query({ after: 4 }).last, 4);
  });
});

describe('createDecisionHistory: decisions per second', () => {
  it('one entry per second of the last hour, oldest first, ending at the current second', () => {
    const clock = clockAt(T0 + 400);
    const history = createDecisionHistory({ clock: clock.now });
    history.record(line());
    history.record(line());
    history.record(deny());
    clock.advance(2000);
    history.record(deny());
    const series = history.series();
    assert.equal(series.length, 3600);
    const now = Math.floor(clock.now() / 1000);
    assert.equal(series.at(-1)!.t, now);
    assert.equal(series[0]!.t, now - 3599);
    assert.deepEqual(series.at(-1), { t: now, allow: 0, deny: 1 });
    assert.deepEqual(series.at(-3), { t: now - 2, allow: 2, deny: 1 });
    assert.equal(series.reduce((sum, second) => sum + second.allow + second.deny, 0), 4);
  });

  it('forgets seconds that fell out of the window, also when their slot is reused', () => {
    const clock = clockAt();
    const history = createDecisionHistory({ clock: clock.now, windowSeconds: 60 });
    history.record(deny());
    clock.advance(60_000);
    assert.equal(history.series().reduce((sum, second) => sum + second.deny, 0), 0, 'a minute later the second is gone');
    history.record(line());
    const series = history.series();
    assert.deepEqual(series.at(-1), { t: Math.floor(clock.now() / 1000), allow: 1, deny: 0 }, 'the reused slot starts from zero');
  });
});

describe('createDecisionHistory: top refusal reasons, addresses and subjects', () => {
  it('counts refusals only, most frequent first (ties by name), at most `limit`', () => {
    const history = createDecisionHistory({ clock: clockAt().now });
    history.record(line({ clientIp: '198.51.100.1', sub: 'carol' }));
    for (let i = 0; i < 3; i++) history.record(deny({ clientIp: '198.51.100.9', reason: 'bad_signature' }));
    for (let i = 0; i < 2; i++) history.record(deny({ clientIp: '198.51.100.8', reason: 'token_expired', sub: 'alice' }));
    history.record(deny({ clientIp: '198.51.100.7', reason: 'wrong_audience', sub: 'bob' }));
    assert.deepEqual(history.top('reason', 10), [{ key: 'bad_signature', count: 3 }, { key: 'token_expired', count: 2 }, { key: 'wrong_audience', count: 1 }]);
    assert.deepEqual(history.top('ip', 2), [{ key: '198.51.100.9', count: 3 }, { key: '198.51.100.8', count: 2 }]);
    assert.deepEqual(history.top('sub', 10), [{ key: 'alice', count: 2 }, { key: 'bob', count: 1 }], 'no unverified subject, no allowed one');
  });

  it('adds up the minutes of the last hour and drops what is older', () => {
    const clock = clockAt();
    const history = createDecisionHistory({ clock: clock.now });
    history.record(deny({ reason: 'old' }));
    clock.advance(30 * 60_000);
    history.record(deny({ reason: 'recent' }));
    history.record(deny({ reason: 'old' }));
    assert.deepEqual(history.top('reason', 10), [{ key: 'old', count: 2 }, { key: 'recent', count: 1 }]);
    clock.advance(31 * 60_000);
    assert.deepEqual(history.top('reason', 10), [{ key: 'old', count: 1 }, { key: 'recent', count: 1 }], 'the first minute is more than an hour ago');
    clock.advance(60 * 60_000);
    assert.deepEqual(history.top('reason', 10), []);
  });

  it('stays bounded under a flood of distinct addresses and keeps the heavy hitter', () => {
    const history = createDecisionHistory({ clock: clockAt().now, maxKeysPerMinute: 64 });
    for (let i = 0; i < 10_000; i++) {
      history.record(deny({ clientIp: `10.0.${i >> 8}.${i & 255}` }));
      if (i % 10 === 0) history.record(deny({ clientIp: '192.0.2.66' }));
    }
    const top = history.top('ip', 100);
    assert.ok(top.length <= 64, `${top.length} addresses kept`);
    assert.deepEqual(top[0], { key: '192.0.2.66', count: 1000 });
  });

  it('refuses sizes that are not positive integers or a window that is not whole minutes', () => {
    const clock = clockAt().now;
    assert.throws(() => createDecisionHistory({ clock, capacity: 0 }), RangeError);
    assert.throws(() => createDecisionHistory({ clock, windowSeconds: 90 }), RangeError);
    assert.throws(() => createDecisionHistory({ clock, maxKeysPerMinute: 1.5 }), RangeError);
  });
});
