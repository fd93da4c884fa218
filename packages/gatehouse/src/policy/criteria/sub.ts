/** `sub: alice` or `sub: [alice, bob]`: the subject is one of these, compared exactly. */
import type { SubjectCondition } from '../../config/types.ts';
import { leafCondition, listed, type CompiledCondition } from '../compiled-condition.ts';

export function compile(condition: SubjectCondition): CompiledCondition {
  const subjects: ReadonlySet<string> = new Set(condition.subjects);
  return leafCondition(
    condition,
    ({ identity }) => {
      if (!identity.authenticated) return 'unauthenticated';
      return identity.sub !== undefined && subjects.has(identity.sub) ? 'sub_matched' : 'sub_not_listed';
    },
    ({ identity }, reason) =>
      reason === 'unauthenticated'
        ? 'the request carries no identity'
        : `sub ${JSON.stringify(identity.sub ?? null)}; the condition needs one of ${listed(condition.subjects)}`,
  );
}
