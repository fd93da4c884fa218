import type { ReasonCode } from '@gatehouse/verify';
import { DECISION_REASONS } from '../../policy/index.ts';
import { BROWSER_SESSION_REASONS } from '../browser-session/browser-session-reasons.ts';
import { ROUTE_REFUSALS } from '../routing/index.ts';

/**
 * Refusals the gateway's own pipeline decides, and the outcomes of its browser-session endpoints,
 * besides token reasons (the verify SDK's registry) and policy reasons (policy/compile-policy.ts).
 * Stable codes: the audit log and metrics use them.
 */
export const GATEWAY_REASONS = {
  ...ROUTE_REFUSALS,
  anomaly_blocked: 'The client address or the verified subject is blocked for too many refused tokens (429 with Retry-After).',
  origin_mismatch: 'A state-changing request authenticated by the session cookie came without an Origin naming the requested host (CSRF): 403.',
  revocations_stale: 'Policy allowed the request on a verified credential, but the revocation lists have not synced with the store for longer than cluster.failClosedAfter: 503 with Retry-After until a sync succeeds (fail closed).',
  ...BROWSER_SESSION_REASONS,
} as const;

export type GatewayReason = keyof typeof GATEWAY_REASONS;

/** Every reason a decision line can carry: counted under its own name in the metrics. */
export const DECISION_LINE_REASONS: readonly string[] = Object.freeze([...Object.keys(GATEWAY_REASONS), ...Object.keys(DECISION_REASONS)]);

/**
 * What the decide hook hands the data plane for the audit line (ForwardVerdict/RespondVerdict
 * `audit`). sub, client_id and jti only from a token whose signature verified; kid from the
 * token's header in any case (for unknown_kid, the unknown one).
 */
export interface GatewayAudit {
  readonly route: string | null;
  readonly decision: 'allow' | 'deny';
  readonly reason: ReasonCode | GatewayReason | keyof typeof DECISION_REASONS | null;
  readonly ruleId: string | null;
  readonly sub: string | null;
  readonly clientId: string | null;
  readonly jti: string | null;
  readonly kid: string | null;
}

