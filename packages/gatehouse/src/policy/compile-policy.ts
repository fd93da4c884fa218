/**
 * A route's policy, compiled once at load into closures: `decide` for the gateway's hot path,
 * `explain` for `gatehouse token explain`, `gatehouse policy test` and the console. Both resolve
 * through the same function, so an explanation always ends in the decision the gateway makes.
 *
 * Semantics, in order:
 *  1. Deny rules, in order: the first one that passes, or is unknown (it cannot be decided for this
 *     request: an identity condition on an anonymous request, an unparseable client address, a
 *     repeated header), denies. A deny wins over every allow.
 *  2. Allow rules, in order: the first one that passes allows (200) and names the rule. An unknown
 *     allow rule does not allow.
 *  3. Nothing allowed: deny by default.
 * Status: an anonymous request is always refused with 401, so a client without a credential
 * learns only that it must authenticate, never which rule stopped it; an authenticated request
 * is refused with 403. The decision's reason and rule id (for the audit log) say what happened.
 *
 * Decisions are built at compile time and shared, frozen: `decide` allocates nothing.
 */
import type { Condition, RouteConfig } from '../config/types.ts';
import { compileCondition } from './compile-condition.ts';
import type { CompiledCondition, ConditionTrace, Verdict } from './compiled-condition.ts';
import type { PolicyRequest } from './policy-request.ts';

export const DECISION_REASONS = {
  allowed: 'An allow rule passed and no deny rule did.',
  denied_by_rule: 'A deny rule passed; a deny wins over every allow.',
  deny_rule_undecided: 'A deny rule could not be decided for this request (an identity condition without a credential, a client address that is not an IP, a header sent several times), and an undecided deny denies.',
  no_allow_rule_matched: 'The request is authenticated and no allow rule passed (deny by default).',
  unauthenticated: 'The request carries no credential and no allow rule admits it.',
} as const;

export type DecisionReason = keyof typeof DECISION_REASONS;

export interface Decision {
  readonly effect: 'allow' | 'deny';
  /** 401: authenticate (RFC 6750 challenge); 403: authenticated but not allowed (insufficient_scope). */
  readonly status: 200 | 401 | 403;
  readonly reason: DecisionReason;
  /** The id of the rule that decided (`allow[0]`, `deny[1]` or the id written in the file); null when none did. */
  readonly ruleId: string | null;
  /** Which list that rule is in. */
  readonly matched: 'allow' | 'deny' | null;
}

export interface PolicyExplanation {
  readonly routeId: string;
  readonly decision: Decision;
  /** Every rule, evaluated in full (no short cut), in the order written. */
  readonly deny: readonly ConditionTrace[];
  readonly allow: readonly ConditionTrace[];
}

export interface CompiledPolicy {
  readonly routeId: string;
  decide(request: PolicyRequest): Decision;
  explain(request: PolicyRequest): PolicyExplanation;
}

/** The decisions one deny rule can produce, by authentication. */
interface DenyDecisions {
  readonly passed: readonly [anonymous: Decision, authenticated: Decision];
  readonly undecided: readonly [anonymous: Decision, authenticated: Decision];
}

interface CompiledRules {
  readonly deny: readonly { readonly rule: CompiledCondition; readonly decisions: DenyDecisions }[];
  readonly allow: readonly { readonly rule: CompiledCondition; readonly decision: Decision }[];
}

type VerdictOf = (rule: CompiledCondition, request: PolicyRequest) => Verdict;

const NO_ALLOW_RULE_MATCHED = decision('deny', 403, 'no_allow_rule_matched', null, null);
const UNAUTHENTICATED = decision('deny', 401, 'unauthenticated', null, null);
const evaluateRule: VerdictOf = (rule, request) => rule.evaluate(request);

export function compilePolicy(route: RouteConfig): CompiledPolicy {
  const rules: CompiledRules = {
    deny: route.deny.map((condition) => ({ rule: compileCondition(condition), decisions: denyDecisions(condition) })),
    allow: route.allow.map((condition) => ({ rule: compileCondition(condition), decision: decision('allow', 200, 'allowed', condition.id, 'allow') })),
  };
  return {
    routeId: route.id,
    decide: (request) => resolve(rules, request, evaluateRule),
    explain(request) {
      const traces = new Map<CompiledCondition, ConditionTrace>();
      for (const { rule } of [...rules.deny, ...rules.allow]) traces.set(rule, rule.explain(request));
      return {
        routeId: route.id,
        decision: resolve(rules, request, (rule) => traces.get(rule)!.verdict),
        deny: rules.deny.map(({ rule }) => traces.get(rule)!),
        allow: rules.allow.map(({ rule }) => traces.get(rule)!),
      };
    },
  };
}

function resolve(rules: CompiledRules, request: PolicyRequest, verdictOf: VerdictOf): Decision {
  const authenticated = request.identity.authenticated ? 1 : 0;
  for (const { rule, decisions } of rules.deny) {
    const verdict = verdictOf(rule, request);
    if (verdict === 'pass') return decisions.passed[authenticated];
    if (verdict === 'unknown') return decisions.undecided[authenticated];
  }
  for (const { rule, decision: allowed } of rules.allow) {
    if (verdictOf(rule, request) === 'pass') return allowed;
  }
  return authenticated ? NO_ALLOW_RULE_MATCHED : UNAUTHENTICATED;
}

function denyDecisions(condition: Condition): DenyDecisions {
  const pair = (reason: DecisionReason) =>
    [decision('deny', 401, reason, condition.id, 'deny'), decision('deny', 403, reason, condition.id, 'deny')] as const;
  return { passed: pair('denied_by_rule'), undecided: pair('deny_rule_undecided') };
}

function decision(effect: Decision['effect'], status: Decision['status'], reason: DecisionReason, ruleId: string | null, matched: Decision['matched']): Decision {
  return Object.freeze({ effect, status, reason, ruleId, matched });
}
