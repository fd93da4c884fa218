/** `scope: a` or `scope: [a, b]`: the token grants every listed scope. */
import type { ScopeCondition } from '../../config/types.ts';
import { leafCondition, listed, type CompiledCondition } from '../compiled-condition.ts';

export function compile(condition: ScopeCondition): CompiledCondition {
  const { scopes } = condition;
  return leafCondition(
    condition,
    ({ identity }) => {
      if (!identity.authenticated) return 'unauthenticated';
      return scopes.every((scope) => identity.scopes.includes(scope)) ? 'scopes_granted' : 'scopes_missing';
    },
    ({ identity }, reason) => {
      if (reason === 'unauthenticated') return 'the request carries no identity';
      const missing = scopes.filter((scope) => !identity.scopes.includes(scope));
      return missing.length === 0 ? `the token grants ${listed(scopes)}` : `the token lacks ${listed(missing)}`;
    },
  );
}
