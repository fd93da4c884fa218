import type { DecisionLogLine } from '../audit/decision-log.ts';

/** A decision line as the console shows it: the decision log's line with its place in the history. */
export type HistoryLine = DecisionLogLine & { readonly seq: number };

export interface DecisionHistoryOptions {
  /** Milliseconds since the epoch: which second and minute a decision counts in. */
  readonly clock: () => number;
  /** How many lines are kept for the decision view. Default 2,000. */
  readonly capacity?: number;
  /** How far back the per-second counts and the top lists reach, in seconds (a multiple of 60). Default 3,600. */
  readonly windowSeconds?: number;
  /** Distinct keys (reasons, addresses, subjects) one minute keeps per list before the rarest are dropped. Default 512. */
  readonly maxKeysPerMinute?: number;
}

export interface DecisionFilter {
  readonly route?: string;
  readonly sub?: string;
  readonly result?: 'allow' | 'deny';
  readonly reason?: string;
  /** Only lines with a larger seq (a poll passes the `last` of its previous answer). */
  readonly after?: number;
  /** At most this many lines. Default 100. */
  readonly limit?: number;
}

export interface DecisionPage {
  /** Newest first. */
  readonly lines: readonly HistoryLine[];
  /** The newest seq recorded so far (0 before the first): the next poll's `after`. */
  readonly last: number;
}

export interface SecondCounts {
  /** Unix seconds. */
  readonly t: number;
  readonly allow: number;
  readonly deny: number;
}

export interface Counted {
  readonly key: string;
  readonly count: number;
}

export type RefusalDimension = 'reason' | 'ip' | 'sub';

export interface DecisionHistory {
  /** Takes one decision line (the decision recorder's `onLine`). On the hot path: O(1), no copy, but for a rare prune. */
  record(line: DecisionLogLine): void;
  /** The kept lines matching every given filter, newest first. */
  query(filter?: DecisionFilter): DecisionPage;
  /** Allowed and refused decisions per second, one entry per second of the window, oldest first, ending now. */
  series(): SecondCounts[];
  /** The most frequent refusal reasons, refused client addresses or refused (verified) subjects over the window. */
  top(dimension: RefusalDimension, limit: number): Counted[];
}

const DEFAULT_CAPACITY = 2000;
const DEFAULT_WINDOW_SECONDS = 3600;
const DEFAULT_MAX_KEYS = 512;
const DEFAULT_LIMIT = 100;

interface MinuteTally {
  minute: number;
  readonly reason: Map<string, number>;
  readonly ip: Map<string, number>;
  readonly sub: Map<string, number>;
}

/**
 * The gateway's recent decisions in memory, for the console (nothing here is persisted: the
 * decision log is the record). Three bounded structures, all sized at creation:
 *  - a ring buffer of the last `capacity` lines, each numbered with an increasing `seq`;
 *  - allow and deny counts per second for the window (one slot per second, reused as time passes);
 *  - per minute of the window, counts of refusal reasons, refused client addresses and refused
 *    subjects. A minute's list that grows past `maxKeysPerMinute` keeps its more frequent half,
 *    so memory stays bounded under a flood of distinct addresses while the heavy hitters — what an
 *    operator looks for — survive; counts of keys dropped that way are lower bounds.
 * Pure: the clock is injected.
 */
export function createDecisionHistory(options: DecisionHistoryOptions): DecisionHistory {
  const { clock } = options;
  const capacity = positiveInteger(options.capacity ?? DEFAULT_CAPACITY, 'capacity');
  const windowSeconds = positiveInteger(options.windowSeconds ?? DEFAULT_WINDOW_SECONDS, 'windowSeconds');
  if (windowSeconds % 60 !== 0) throw new RangeError('windowSeconds must be a multiple of 60');
  const maxKeys = positiveInteger(options.maxKeysPerMinute ?? DEFAULT_MAX_KEYS, 'maxKeysPerMinute');
  const minutes = windowSeconds / 60;

  // Line `seq` sits at ring[seq % capacity]: its number is its place, so nothing is copied on the hot path.
  const ring: (DecisionLogLine | undefined)[] = new Array(capacity);
  let seq = 0;

  const secondOf = new Float64Array(windowSeconds).fill(-1);
  const allowed = new Uint32Array(windowSeconds);
  const denied = new Uint32Array(windowSeconds);

  const tallies: MinuteTally[] = Array.from({ length: minutes }, () => ({ minute: -1, reason: new Map(), ip: new Map(), sub: new Map() }));

  function tallyFor(minute: number): MinuteTally {
    const tally = tallies[slot(minute, minutes)]!;
    if (tally.minute !== minute) {
      tally.minute = minute;
      tally.reason.clear();
      tally.ip.clear();
      tally.sub.clear();
    }
    return tally;
  }

  function bump(counts: Map<string, number>, key: string | number | null): void {
    if (typeof key !== 'string' || key === '') return;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (counts.size > maxKeys) keepMostFrequent(counts, Math.ceil(maxKeys / 2));
  }

  return {
    record(line) {
      seq += 1;
      ring[seq % capacity] = line;
      const second = Math.floor(clock() / 1000);
      const at = slot(second, windowSeconds);
      if (secondOf[at] !== second) {
        secondOf[at] = second;
        allowed[at] = 0;
        denied[at] = 0;
      }
      if (line.decision === 'allow') {
        allowed[at]! += 1;
        return;
      }
      denied[at]! += 1;
      const tally = tallyFor(Math.floor(second / 60));
      bump(tally.reason, line.reason);
      bump(tally.ip, line.client_ip);
      bump(tally.sub, line.sub);
    },

    query(filter = {}) {
      const limit = Math.max(0, Math.floor(filter.limit ?? DEFAULT_LIMIT));
      const after = filter.after ?? 0;
      const lines: HistoryLine[] = [];
      for (let n = seq; n > 0 && n > seq - capacity && n > after && lines.length < limit; n--) {
        const line = ring[n % capacity]!;
        if (filter.route !== undefined && line.route !== filter.route) continue;
        if (filter.sub !== undefined && line.sub !== filter.sub) continue;
        if (filter.result !== undefined && line.decision !== filter.result) continue;
        if (filter.reason !== undefined && line.reason !== filter.reason) continue;
        lines.push({ seq: n, ...line });
      }
      return { lines, last: seq };
    },

    series() {
      const now = Math.floor(clock() / 1000);
      const series: SecondCounts[] = new Array(windowSeconds);
      for (let i = 0; i < windowSeconds; i++) {
        const t = now - windowSeconds + 1 + i;
        const at = slot(t, windowSeconds);
        series[i] = secondOf[at] === t ? { t, allow: allowed[at]!, deny: denied[at]! } : { t, allow: 0, deny: 0 };
      }
      return series;
    },

    top(dimension, limit) {
      const nowMinute = Math.floor(clock() / 60_000);
      const merged = new Map<string, number>();
      for (const tally of tallies) {
        if (tally.minute <= nowMinute - minutes || tally.minute > nowMinute) continue;
        for (const [key, count] of tally[dimension]) merged.set(key, (merged.get(key) ?? 0) + count);
      }
      return [...merged]
        .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, Math.max(0, limit))
        .map(([key, count]) => ({ key, count }));
    },
  };
}

/** Keeps the `keep` most frequent keys (ties: the ones seen first). */
function keepMostFrequent(counts: Map<string, number>, keep: number): void {
  const kept = [...counts].sort(([, x], [, y]) => y - x).slice(0, keep);
  counts.clear();
  for (const [key, count] of kept) counts.set(key, count);
}

/** `n` mod `size`, never negative. */
function slot(n: number, size: number): number {
  return ((n % size) + size) % size;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
