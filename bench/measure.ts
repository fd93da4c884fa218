/**
 * Small measuring helpers for `npm run bench`. The machine is shared and noisy, so every figure
 * is taken as the median of several interleaved rounds, and reported next to a baseline measured
 * in the same run.
 */
export function nsPerOp(run: (iterations: number) => void, iterations: number): number {
  const start = process.hrtime.bigint();
  run(iterations);
  return Number(process.hrtime.bigint() - start) / iterations;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs the candidates in alternation, `rounds` times, and returns the median ns/op of each. */
export function interleaved(candidates: Record<string, (iterations: number) => void>, iterations: number, rounds: number): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
  for (const run of Object.values(candidates)) run(Math.max(1, iterations >> 2)); // warm up
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(candidates)) samples[name]!.push(nsPerOp(run, iterations));
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

export function table(rows: Record<string, string | number>[]): string {
  const columns = Object.keys(rows[0] ?? {});
  const cell = (v: string | number) => (typeof v === 'number' ? v.toFixed(2) : v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]!).length)));
  const line = (values: string[]) => values.map((v, i) => v.padStart(widths[i]!)).join('  ');
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]!))))].join('\n');
}
