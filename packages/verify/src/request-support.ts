import { GatehouseError } from './errors.ts';

/** What the SDK's HTTP clients (the JWKS client, the token source) share: option checks, error text, time. */

export function positive(name: string, value: number): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) throw new GatehouseError('invalid_option', `"${name}" must be a positive number`);
  return value;
}

export function nonNegative(name: string, value: number): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) throw new GatehouseError('invalid_option', `"${name}" must be a number ≥ 0`);
  return value;
}

/** An error's message with its cause: undici reports "fetch failed" and puts what happened (ECONNREFUSED, unexpected redirect) in the cause. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** Milliseconds on a monotonic clock (an arbitrary but fixed origin). */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}
