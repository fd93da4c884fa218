import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketSeries, formatDuration, formatRate, formatRelative, parseHeaderLines, shorten, splitList, summarizeSeries, toDate } from '../src/format.ts';

describe('console formatting', () => {
  it('reads unix seconds, milliseconds and RFC 3339 as the same instant', () => {
    const at = Date.UTC(2030, 0, 1, 12, 0, 0);
    assert.equal(toDate(at / 1000)?.getTime(), at);
    assert.equal(toDate(at)?.getTime(), at);
    assert.equal(toDate('2030-01-01T12:00:00.000Z')?.getTime(), at);
    assert.equal(toDate(null), null);
    assert.equal(toDate('not a time'), null);
  });

  it('writes durations in at most two units', () => {
    assert.equal(formatDuration(42), '42 s');
    assert.equal(formatDuration(12 * 60 + 5), '12 min');
    assert.equal(formatDuration(3 * 3600), '3 h');
    assert.equal(formatDuration(3 * 3600 + 20 * 60 + 9), '3 h 20 min');
    assert.equal(formatDuration(2 * 86400 + 4 * 3600), '2 d 4 h');
    assert.equal(formatDuration(-5), '0 s');
  });

  it('says how far a time is from now, either way', () => {
    const now = Date.UTC(2030, 0, 1);
    assert.equal(formatRelative(now / 1000 + 3600, now), 'in 1 h');
    assert.equal(formatRelative(now / 1000 - 300, now), '5 min ago');
    assert.equal(formatRelative(null, now), '—');
  });

  it('writes rates with the precision they need', () => {
    assert.equal(formatRate(0), '0');
    assert.equal(formatRate(0.0166), '0.02');
    assert.equal(formatRate(2.34), '2.3');
    assert.equal(formatRate(123.4), '123');
  });

  it('averages per-second counts over buckets, a partial last bucket over its own length', () => {
    const series = Array.from({ length: 25 }, (_, i) => ({ t: 1000 + i, allow: 2, deny: i < 10 ? 1 : 0 }));
    const out = bucketSeries(series, 10);
    assert.deepEqual(out.t, [1000, 1010, 1020]);
    assert.deepEqual(out.allow, [2, 2, 2]);
    assert.deepEqual(out.deny, [1, 0, 0]);
  });

  it('sums a series and gives the refused share and the last minute\'s rate', () => {
    const series = [...Array.from({ length: 60 }, () => ({ allow: 0, deny: 0 })), ...Array.from({ length: 60 }, () => ({ allow: 3, deny: 1 }))];
    assert.deepEqual(summarizeSeries(series), { allow: 180, deny: 60, total: 240, refusedShare: 0.25, recentPerSecond: 4 });
    assert.equal(summarizeSeries([]).refusedShare, 0);
  });

  it('splits typed lists on commas and spaces, each item once', () => {
    assert.deepEqual(splitList(' orders:read, orders:write  orders:read,'), ['orders:read', 'orders:write']);
    assert.deepEqual(splitList('  '), []);
  });

  it('reads "Name: value" header lines, ignoring lines without a name', () => {
    assert.deepEqual(parseHeaderLines('X-Tenant: acme\n\nbroken line\n: no name\nAccept: a:b'), { 'x-tenant': 'acme', accept: 'a:b' });
  });

  it('shortens long identifiers and leaves short ones', () => {
    assert.equal(shorten('abc'), 'abc');
    assert.equal(shorten('Xh2Q8_mZ4m3uVbYJtD5w1sRkKQ0n9yLcFz7eA6pHgWo'), 'Xh2Q8_mZ…pHgWo');
  });
});
