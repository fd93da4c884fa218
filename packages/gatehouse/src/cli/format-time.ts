/** An instant (ms since the epoch) as the CLI prints it in tables: UTC, to the second, e.g. 2030-03-17T17:46:40Z. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An optional instant for a table cell: `-` when there is none. */
export function formatOptionalInstant(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : formatInstant(ms);
}

/** An instant for --json output: ISO 8601 with milliseconds, or null. */
export function jsonInstant(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** A duration from now, roughly, for confirmations: "in 10 min", "now". */
export function formatFromNow(ms: number, now: number): string {
  const seconds = Math.round((ms - now) / 1000);
  if (seconds <= 0) return 'now';
  if (seconds < 120) return `in ${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `in ${minutes} min`;
  return `in ${Math.round(minutes / 60)} h`;
}
