/**
 * Kleene's strong three-valued logic over verdicts, for all, any and not: a failed member decides
 * all, a passed member decides any, and `unknown` stays unknown unless something decides.
 */
import type { Verdict } from './compiled-condition.ts';

export function and(a: Verdict, b: Verdict): Verdict {
  if (a === 'fail' || b === 'fail') return 'fail';
  return a === 'unknown' || b === 'unknown' ? 'unknown' : 'pass';
}

export function or(a: Verdict, b: Verdict): Verdict {
  if (a === 'pass' || b === 'pass') return 'pass';
  return a === 'unknown' || b === 'unknown' ? 'unknown' : 'fail';
}

export function negate(verdict: Verdict): Verdict {
  return verdict === 'pass' ? 'fail' : verdict === 'fail' ? 'pass' : 'unknown';
}
