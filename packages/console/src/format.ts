/** How the console writes times, durations, lists and series: pure, tested in test/format.test.ts. */
import type { Timestamp } from './api/types.ts';

/** Below this a number is unix seconds; above, milliseconds (1e11 s is the year 5138). */
const SECONDS_LIMIT = 1e11;

/** A Date from unix seconds, milliseconds or an RFC 3339 string; null for null or an unreadable value. */
export function toDate(value: Timestamp | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = typeof value === 'number' ? (Math.abs(value) < SECONDS_LIMIT ? value * 1000 : value) : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms) : null;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `2030-01-01 12:00:05` in local time; `—` when there is none. */
export function formatDateTime(value: Timestamp | null | undefined): string {
  const date = toDate(value);
  if (date === null) return '—';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `12:00:05.125` local time, for log lines. */
export function formatClock(value: Timestamp | null | undefined): string {
  const date = toDate(value);
  if (date === null) return '—';
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`: two units at most, never negative. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** `in 3 h 20 min` or `5 min ago`, from `now` (ms). */
export function formatRelative(value: Timestamp | null | undefined, now: number): string {
  const date = toDate(value);
  if (date === null) return '—';
  const delta = (date.getTime() - now) / 1000;
  if (Math.abs(delta) < 1) return 'now';
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/** `1,234` with thin grouping, whole numbers. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `1.5`, `12`, `0.02`: a rate with two significant decimals below 10. */
export function formatRate(perSecond: number): string {
  if (perSecond === 0) return '0';
  if (perSecond >= 10) return perSecond.toFixed(0);
  if (perSecond >= 1) return perSecond.toFixed(1);
  return perSecond.toFixed(2);
}

/** A list typed in one field: split on commas and white space, empty entries dropped, each once. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((item) => item !== ''))];
}

export interface BucketedSeries {
  /** Bucket start, unix seconds. */
  readonly t: number[];
  /** Mean decisions per second over the bucket. */
  readonly allow: number[];
  readonly deny: number[];
}

/**
 * Per-second counts averaged over buckets of `bucketSeconds`: 3,600 one-second points are too
 * jagged to read, 360 ten-second means show the shape. A trailing partial bucket is averaged over
 * the seconds it has.
 */
export function bucketSeries(series: readonly { readonly t: number; readonly allow: number; readonly deny: number }[], bucketSeconds: number): BucketedSeries {
  const out: BucketedSeries = { t: [], allow: [], deny: [] };
  for (let start = 0; start < series.length; start += bucketSeconds) {
    const slice = series.slice(start, start + bucketSeconds);
    let allow = 0;
    let deny = 0;
    for (const point of slice) {
      allow += point.allow;
      deny += point.deny;
    }
    out.t.push(slice[0]!.t);
    out.allow.push(allow / slice.length);
    out.deny.push(deny / slice.length);
  }
  return out;
}

/** Totals and current rate of a per-second series: what the overview's figures say. */
export function summarizeSeries(series: readonly { readonly allow: number; readonly deny: number }[], recentSeconds = 60): {
  allow: number;
  deny: number;
  total: number;
  refusedShare: number;
  recentPerSecond: number;
} {
  let allow = 0;
  let deny = 0;
  for (const point of series) {
    allow += point.allow;
    deny += point.deny;
  }
  const recent = series.slice(-recentSeconds);
  let recentCount = 0;
  for (const point of recent) recentCount += point.allow + point.deny;
  const total = allow + deny;
  return { allow, deny, total, refusedShare: total === 0 ? 0 : deny / total, recentPerSecond: recent.length === 0 ? 0 : recentCount / recent.length };
}

/** A long identifier (kid, jti) cut for a table cell: `Xh2Q8_mZ…pHgWo`. */
export function shorten(id: string, keep = 8): string {
  return id.length <= keep * 2 + 1 ? id : `${id.slice(0, keep)}…${id.slice(-5)}`;
}

/** `Name: value` lines → a header object (names lower-cased); lines without a colon are ignored. */
export function parseHeaderLines(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== '') headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}
