/**
 * `not: {...}`: the condition fails. An unknown stays unknown: `not: { role: x }` is not
 * satisfied by a request that has no identity at all.
 */
import type { NotCondition } from '../../config/types.ts';
import type { CompileNested, CompiledCondition, ConditionReason, Verdict } from '../compiled-condition.ts';
import { negate } from '../three-valued-logic.ts';

const REASON: Record<Verdict, ConditionReason> = { pass: 'not_inner_failed', fail: 'not_inner_passed', unknown: 'not_undecided' };

export function compile(condition: NotCondition, compileNested: CompileNested): CompiledCondition {
  const inner = compileNested(condition.condition);
  const { id, kind } = condition;
  return {
    id,
    kind,
    evaluate: (request) => negate(inner.evaluate(request)),
    explain(request) {
      const child = inner.explain(request);
      const verdict = negate(child.verdict);
      return { id, kind, verdict, reason: REASON[verdict], detail: `${child.id}: ${child.reason}`, children: [child] };
    },
  };
}
