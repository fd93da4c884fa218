/** `all: [...]`: every condition passes. One failure decides (the rest are not evaluated). */
import type { AllCondition } from '../../config/types.ts';
import type { CompileNested, CompiledCondition, ConditionReason, Verdict } from '../compiled-condition.ts';
import { and } from '../three-valued-logic.ts';

const REASON: Record<Verdict, ConditionReason> = { pass: 'all_passed', fail: 'all_some_failed', unknown: 'all_undecided' };

export function compile(condition: AllCondition, compileNested: CompileNested): CompiledCondition {
  const members = condition.conditions.map(compileNested);
  const { id, kind } = condition;
  return {
    id,
    kind,
    evaluate(request) {
      let verdict: Verdict = 'pass';
      for (const member of members) {
        verdict = and(verdict, member.evaluate(request));
        if (verdict === 'fail') break;
      }
      return verdict;
    },
    explain(request) {
      const children = members.map((member) => member.explain(request));
      const verdict = children.reduce<Verdict>((result, child) => and(result, child.verdict), 'pass');
      const failed = children.filter((child) => child.verdict !== 'pass').map((child) => `${child.id} ${child.verdict === 'fail' ? 'failed' : 'unknown'}`);
      const detail = failed.length === 0 ? `all ${children.length} passed` : failed.join('; ');
      return { id, kind, verdict, reason: REASON[verdict], detail, children };
    },
  };
}
