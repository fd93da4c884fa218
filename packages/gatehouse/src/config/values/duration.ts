import { reader, reject, stringValue, type Reader } from '../readers.ts';

/**
 * Durations as written in the file: whole units from largest to smallest, each at most once —
 * `30s`, `5m`, `12h`, `7d`, `1h30m`. A bare number is refused: its unit would be a guess.
 */
const DURATION = /^(?:(\d{1,6})d)?(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,6})s)?$/;
const UNIT_SECONDS = [86_400, 3_600, 60, 1] as const;
const UNIT_NAMES = ['d', 'h', 'm', 's'] as const;

export const DURATION_FORMAT = 'a duration like 30s, 5m, 12h, 7d or 1h30m';

/** Seconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null || text === '') return undefined;
  return UNIT_SECONDS.reduce((total, unit, index) => total + Number(match[index + 1] ?? 0) * unit, 0);
}

/** The shortest form: 5400 → `1h30m`. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = seconds;
  let text = '';
  UNIT_SECONDS.forEach((unit, index) => {
    const count = Math.floor(rest / unit);
    if (count > 0) text += `${count}${UNIT_NAMES[index]}`;
    rest -= count * unit;
  });
  return text;
}

export interface DurationBounds {
  /** Seconds; default 1. */
  readonly min?: number;
  readonly max?: number;
  /** Why the maximum, said after it: `(the hard cap for access tokens)`. */
  readonly maxReason?: string;
}

/** A duration reader that returns seconds within bounds. */
export function duration(bounds: DurationBounds = {}): Reader<number> {
  const min = bounds.min ?? 1;
  const range = [
    min > 0 ? `at least ${formatDuration(min)}` : undefined,
    bounds.max === undefined ? undefined : `at most ${formatDuration(bounds.max)}${bounds.maxReason === undefined ? '' : ` (${bounds.maxReason})`}`,
  ].filter((part) => part !== undefined).join(' and ');
  const expected = range === '' ? DURATION_FORMAT : `${DURATION_FORMAT}, ${range}`;
  return reader(expected, (value) => {
    const text = stringValue(value);
    const seconds = text === undefined ? undefined : parseDuration(text);
    if (seconds === undefined) return reject(value, DURATION_FORMAT);
    if (seconds < min || (bounds.max !== undefined && seconds > bounds.max)) return reject(value, `a duration of ${range}`);
    return seconds;
  });
}
