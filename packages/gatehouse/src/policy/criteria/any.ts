/** `any: [...]`: one condition passes. One pass decides (the rest are not evaluated). */
import type { AnyCondition } from '../../config/types.ts';
import type { CompileNested, CompiledCondition, ConditionReason, Verdict } from '../compiled-condition.ts';
import { or } from '../three-valued-logic.ts';

const REASON: Record<Verdict, ConditionReason> = { pass: 'any_passed', fail: 'any_none_passed', unknown: 'any_undecided' };

export function compile(condition: AnyCondition, compileNested: CompileNested): CompiledCondition {
  const members = condition.conditions.map(compileNested);
  const { id, kind } = condition;
  return {
    id,
    kind,
    evaluate(request) {
      let verdict: Verdict = 'fail';
      for (const member of members) {
        verdict = or(verdict, member.evaluate(request));
        if (verdict === 'pass') break;
      }
      return verdict;
    },
    explain(request) {
      const children = members.map((member) => member.explain(request));
      const verdict = children.reduce<Verdict>((result, child) => or(result, child.verdict), 'fail');
      const passed = children.filter((child) => child.verdict === 'pass').map((child) => child.id);
      const detail = passed.length > 0 ? `${passed.join(', ')} passed` : `none of ${children.length} passed`;
      return { id, kind, verdict, reason: REASON[verdict], detail, children };
    },
  };
}
