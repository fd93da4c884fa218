// Policy: route rules compiled once into closures. This file only re-exports.
export { compilePolicy, DECISION_REASONS, type CompiledPolicy, type Decision, type DecisionReason, type PolicyExplanation } from './compile-policy.ts';
export { compileCondition } from './compile-condition.ts';
export { CONDITION_REASONS, type CompiledCondition, type ConditionReason, type ConditionTrace, type Verdict } from './compiled-condition.ts';
export { ANONYMOUS, type PolicyIdentity, type PolicyRequest } from './policy-request.ts';
