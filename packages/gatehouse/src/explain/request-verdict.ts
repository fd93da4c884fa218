/**
 * The gateway's answer to one request, as `gatehouse token explain`, `gatehouse policy test` (and
 * the console) state it — the same three outcomes as gateway/pipeline/decide-request.ts: a refused
 * credential is a 401 `invalid_token` before policy runs; then the route's policy decides (a
 * 401 `unauthenticated` without a credential, a 403 `insufficient_scope` with one, or allow).
 */
import type { ReasonCode } from '@gatehouse/verify';
import type { Decision, DecisionReason } from '../policy/index.ts';

export type RequestVerdict =
  /** The token passed every check and no route was asked about (`--aud`). */
  | { readonly decision: 'valid'; readonly status: null; readonly error: null; readonly reason: null; readonly rule: null }
  | { readonly decision: 'allow'; readonly status: 200; readonly error: null; readonly reason: 'allowed'; readonly rule: string | null }
  | {
      readonly decision: 'deny';
      readonly status: 401 | 403;
      /** The `error` of the response body (and, but for `unauthenticated`, of the Bearer challenge). */
      readonly error: 'invalid_token' | 'unauthenticated' | 'insufficient_scope';
      readonly reason: ReasonCode | DecisionReason;
      readonly rule: string | null;
    };

export const VALID_TOKEN: RequestVerdict = Object.freeze({ decision: 'valid', status: null, error: null, reason: null, rule: null });

/** A presented credential that the verifier refused: policy never runs. */
export function refusedTokenVerdict(reason: ReasonCode): RequestVerdict {
  return { decision: 'deny', status: 401, error: 'invalid_token', reason, rule: null };
}

export function policyVerdict(decision: Decision): RequestVerdict {
  if (decision.effect === 'allow') return { decision: 'allow', status: 200, error: null, reason: 'allowed', rule: decision.ruleId };
  const status = decision.status === 401 ? 401 : 403;
  return { decision: 'deny', status, error: status === 401 ? 'unauthenticated' : 'insufficient_scope', reason: decision.reason, rule: decision.ruleId };
}

/** `verdict: allow (rule allow[1])`, `verdict: 401 invalid_token (token_expired)`, `verdict: 403 insufficient_scope (denied_by_rule, rule deny[0])`. */
export function formatVerdict(verdict: RequestVerdict): string {
  switch (verdict.decision) {
    case 'valid':
      return 'verdict: valid';
    case 'allow':
      return `verdict: allow (rule ${verdict.rule})`;
    case 'deny':
      return `verdict: ${verdict.status} ${verdict.error} (${verdict.reason}${verdict.rule === null ? '' : `, rule ${verdict.rule}`})`;
  }
}
