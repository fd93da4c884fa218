/**
 * `header: { name, equals | prefix | present }`. The value is what node:http gives: one string,
 * repeated fields already joined with ", " (compared as that one string), or an array for the few
 * fields node keeps apart (set-cookie). An array of one value is that value; an array of several
 * is ambiguous (which one would the upstream read?), so equals and prefix are unknown there —
 * an allow rule does not pass on it and a deny rule denies. `present` only asks whether it came.
 * Details never echo header values: they may be credentials.
 */
import type { HeaderCondition } from '../../config/types.ts';
import { leafCondition, type CompiledCondition, type ConditionReason } from '../compiled-condition.ts';

type HeaderReason = Extract<ConditionReason, `header_${string}`>;

const STATE: Record<HeaderReason, string> = {
  header_matched: 'passes',
  header_mismatched: 'is present and fails',
  header_missing: 'is absent',
  header_ambiguous: 'was sent as several fields',
};

export function compile(condition: HeaderCondition): CompiledCondition {
  const { name, test } = condition;
  const passes = (value: string): boolean =>
    test.op === 'present' || (test.op === 'equals' ? value === test.value : value.startsWith(test.value));
  const check = (value: string | readonly string[] | undefined): HeaderReason => {
    if (value === undefined) return 'header_missing';
    if (typeof value === 'string') return passes(value) ? 'header_matched' : 'header_mismatched';
    if (value.length === 0) return 'header_missing';
    if (value.length === 1) return passes(value[0]!) ? 'header_matched' : 'header_mismatched';
    return test.op === 'present' ? 'header_matched' : 'header_ambiguous';
  };
  const wanted = test.op === 'present' ? 'present' : `${test.op === 'equals' ? 'equal to' : 'starting with'} ${JSON.stringify(test.value)}`;
  return leafCondition(
    condition,
    // Own properties only: `toString` or `__proto__` are valid header names.
    (request) => check(Object.hasOwn(request.headers, name) ? request.headers[name] : undefined),
    (_request, reason) => `${name} ${STATE[reason as HeaderReason]}; the condition needs it ${wanted}`,
  );
}
