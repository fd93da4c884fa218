/**
 * `claim: { name, equals | in | prefix }`. The name is a path into the verified claims
 * (`realm_access.roles`), walked through own properties of plain objects only: never the
 * prototype chain (`constructor`, `__proto__`), never into arrays or strings. Values compare with
 * their JSON type (`1` is not `"1"`). When the claim is an array, the test passes if one element
 * passes it, as `roles` does for role lists.
 */
import type { ClaimCondition, ClaimValue } from '../../config/types.ts';
import { leafCondition, type CompiledCondition } from '../compiled-condition.ts';

const ABSENT = Symbol('absent');

export function compile(condition: ClaimCondition): CompiledCondition {
  const { claim: path, test } = condition;
  const passes: (value: unknown) => boolean =
    test.op === 'equals'
      ? (value) => value === test.value
      : test.op === 'in'
        ? (value) => test.values.includes(value as ClaimValue)
        : (value) => typeof value === 'string' && value.startsWith(test.value);
  const name = path.join('.');
  const wanted =
    test.op === 'equals' ? `equal to ${JSON.stringify(test.value)}` : test.op === 'in' ? `one of ${JSON.stringify(test.values)}` : `starting with ${JSON.stringify(test.value)}`;
  return leafCondition(
    condition,
    ({ identity }) => {
      if (!identity.authenticated) return 'unauthenticated';
      const value = claimAt(identity.claims, path);
      if (value === ABSENT) return 'claim_missing';
      const matched = Array.isArray(value) ? value.some(passes) : passes(value);
      return matched ? 'claim_matched' : 'claim_mismatched';
    },
    ({ identity }, reason) => {
      if (reason === 'unauthenticated') return 'the request carries no identity';
      if (reason === 'claim_missing') return `claim ${name} is absent; the condition needs it ${wanted}`;
      return `claim ${name} is ${abbreviated(claimAt(identity.claims, path))}; the condition needs it ${wanted}`;
    },
  );
}

function claimAt(claims: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = claims;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return ABSENT;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function abbreviated(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
