/** `role: x`, `roles: [x, y]`, `roles: { any: [...] }` need one of the roles; `roles: { all: [...] }` every one. */
import type { RolesCondition } from '../../config/types.ts';
import { leafCondition, listed, type CompiledCondition } from '../compiled-condition.ts';

export function compile(condition: RolesCondition): CompiledCondition {
  const { roles } = condition;
  const needsAll = condition.match === 'all';
  return leafCondition(
    condition,
    ({ identity }) => {
      if (!identity.authenticated) return 'unauthenticated';
      const held = identity.roles;
      const matched = needsAll ? roles.every((role) => held.includes(role)) : roles.some((role) => held.includes(role));
      return matched ? 'roles_matched' : 'roles_missing';
    },
    ({ identity }, reason) =>
      reason === 'unauthenticated'
        ? 'the request carries no identity'
        : `roles [${listed(identity.roles)}]; the condition needs ${needsAll ? 'all' : 'any'} of ${listed(roles)}`,
  );
}
