/**
 * The shape every policy criterion compiles to, and the registry of the reasons they give.
 *
 * A condition has three outcomes, not two. `unknown` is what a condition says when the request
 * lacks what it needs to decide: an identity condition (sub, roles, scope, claim) on a request
 * without a credential, a client address that is not an IP, a header sent more than once. It
 * keeps "unauthenticated" apart from "unauthorized", and it fails closed through `not`:
 * `not: { role: contractor }` is unknown, not true, for an anonymous request. Combinators use
 * Kleene's three-valued logic; at the top, an unknown allow rule does not allow and an unknown
 * deny rule denies.
 */
import type { Condition } from '../config/types.ts';
import type { PolicyRequest } from './policy-request.ts';

export type Verdict = 'pass' | 'fail' | 'unknown';

/**
 * Every reason a condition gives, with the verdict it always carries. Codes are stable: the audit
 * log, `gatehouse token explain` and `gatehouse policy test` show them.
 */
export const CONDITION_REASONS = {
  unauthenticated: { verdict: 'unknown', description: 'An identity condition on a request without a credential.' },
  authentication_matched: { verdict: 'pass', description: 'The request is authenticated, or not, as the condition requires.' },
  authentication_mismatched: { verdict: 'fail', description: 'The request is authenticated and the condition requires it not to be, or the other way round.' },
  sub_matched: { verdict: 'pass', description: 'The subject is one of the listed subjects.' },
  sub_not_listed: { verdict: 'fail', description: 'The subject is none of the listed subjects.' },
  roles_matched: { verdict: 'pass', description: 'The identity has any (or all, as the condition says) of the listed roles.' },
  roles_missing: { verdict: 'fail', description: 'The identity lacks the listed roles.' },
  scopes_granted: { verdict: 'pass', description: 'The token grants every listed scope.' },
  scopes_missing: { verdict: 'fail', description: 'The token lacks at least one listed scope.' },
  claim_matched: { verdict: 'pass', description: 'The claim (or an element of an array claim) passes the test.' },
  claim_mismatched: { verdict: 'fail', description: 'The claim is present and fails the test.' },
  claim_missing: { verdict: 'fail', description: 'The claim is absent.' },
  method_matched: { verdict: 'pass', description: 'The method is one of the listed methods.' },
  method_not_listed: { verdict: 'fail', description: 'The method is none of the listed methods.' },
  path_matched: { verdict: 'pass', description: 'The normalized path matches one of the globs.' },
  path_not_matched: { verdict: 'fail', description: 'The normalized path matches none of the globs.' },
  ip_in_range: { verdict: 'pass', description: 'The client address is in one of the ranges.' },
  ip_out_of_range: { verdict: 'fail', description: 'The client address is in none of the ranges.' },
  ip_invalid: { verdict: 'unknown', description: 'The client address is not an IP address.' },
  header_matched: { verdict: 'pass', description: 'The header is present and passes the test.' },
  header_mismatched: { verdict: 'fail', description: 'The header is present and fails the test.' },
  header_missing: { verdict: 'fail', description: 'The header is absent.' },
  header_ambiguous: { verdict: 'unknown', description: 'The header was sent as several fields, so its value is ambiguous.' },
  time_in_window: { verdict: 'pass', description: 'The local time is inside the window.' },
  time_outside_window: { verdict: 'fail', description: 'The local time is outside the window.' },
  all_passed: { verdict: 'pass', description: 'Every condition of all passed.' },
  all_some_failed: { verdict: 'fail', description: 'A condition of all failed.' },
  all_undecided: { verdict: 'unknown', description: 'No condition of all failed, and one was unknown.' },
  any_passed: { verdict: 'pass', description: 'A condition of any passed.' },
  any_none_passed: { verdict: 'fail', description: 'Every condition of any failed.' },
  any_undecided: { verdict: 'unknown', description: 'No condition of any passed, and one was unknown.' },
  not_inner_failed: { verdict: 'pass', description: 'The negated condition failed.' },
  not_inner_passed: { verdict: 'fail', description: 'The negated condition passed.' },
  not_undecided: { verdict: 'unknown', description: 'The negated condition was unknown, so not is unknown too.' },
} as const satisfies Record<string, { readonly verdict: Verdict; readonly description: string }>;

export type ConditionReason = keyof typeof CONDITION_REASONS;

/** Why one condition passed, failed or could not decide, with its children for combinators. */
export interface ConditionTrace {
  readonly id: string;
  readonly kind: Condition['kind'];
  readonly verdict: Verdict;
  readonly reason: ConditionReason;
  /** For people: what was required and what the request had. Never a header value. */
  readonly detail: string;
  readonly children?: readonly ConditionTrace[];
}

export interface CompiledCondition {
  readonly id: string;
  readonly kind: Condition['kind'];
  /** The hot path: closures over what compile prepared, no allocation. */
  readonly evaluate: (request: PolicyRequest) => Verdict;
  /** Off the hot path: the same verdict, with its reason. */
  readonly explain: (request: PolicyRequest) => ConditionTrace;
}

/** How a combinator compiles the conditions it holds. */
export type CompileNested = (condition: Condition) => CompiledCondition;

/**
 * A condition without children, from one function naming the reason (its verdict follows) and
 * one describing it. Both explain and evaluate go through `check`, so they cannot disagree.
 */
export function leafCondition(
  condition: Condition,
  check: (request: PolicyRequest) => ConditionReason,
  describe: (request: PolicyRequest, reason: ConditionReason) => string,
): CompiledCondition {
  const { id, kind } = condition;
  return {
    id,
    kind,
    evaluate: (request) => CONDITION_REASONS[check(request)].verdict,
    explain: (request) => {
      const reason = check(request);
      return { id, kind, verdict: CONDITION_REASONS[reason].verdict, reason, detail: describe(request, reason) };
    },
  };
}

/** Lists for details: `a, b, c`. */
export function listed(values: readonly unknown[]): string {
  return values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(', ');
}
