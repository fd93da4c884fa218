/**
 * The JSON admin API the console talks to (docs/reference/console.md), as the console reads it.
 * Times are what the server sends: unix seconds, milliseconds or RFC 3339 (see format.ts toDate).
 */

export type Timestamp = number | string;

export interface Session {
  readonly sub: string;
  readonly username: string | null;
  readonly roles: readonly string[];
  /** Null for a bearer-token caller, which needs none. */
  readonly csrfToken: string | null;
}

export interface SecurityEvent {
  readonly id: string | number;
  readonly at: Timestamp;
  readonly type: string;
  readonly severity: 'info' | 'warning' | 'critical' | string;
  readonly subject: string | null;
  readonly clientId: string | null;
  readonly ip?: string | null;
  readonly details: unknown;
}

export interface Overview {
  readonly now: Timestamp;
  /** One point per second over the last hour, oldest first; `t` in unix seconds. */
  readonly series: readonly { readonly t: number; readonly allow: number; readonly deny: number }[];
  readonly topReasons: readonly { readonly reason: string; readonly count: number }[];
  readonly topIps: readonly { readonly ip: string; readonly count: number }[];
  readonly topSubjects: readonly { readonly sub: string; readonly count: number }[];
  readonly events: readonly SecurityEvent[];
}

export interface DecisionLine {
  readonly seq: number;
  readonly time: string;
  readonly request_id: string;
  readonly route: string | null;
  readonly method: string;
  readonly path: string;
  readonly client_ip: string;
  readonly sub: string | null;
  readonly client_id: string | null;
  readonly jti: string | null;
  readonly kid: string | null;
  readonly decision: 'allow' | 'deny';
  readonly reason: string | null;
  readonly rule_id: string | null;
  readonly upstream_status: number | null;
  readonly latency_ms: number;
}

export interface DecisionPage {
  /** Newest first. */
  readonly lines: readonly DecisionLine[];
  /** The highest seq the server has: the next poll's `after`. */
  readonly last: number;
}

export interface DecisionFilter {
  readonly route: string;
  readonly sub: string;
  readonly result: '' | 'allow' | 'deny';
  readonly reason: string;
}

export interface RouteSummary {
  readonly id: string;
  readonly audience: string | null;
  readonly host: string | null;
  readonly path: string | null;
  readonly methods: readonly string[] | null;
  readonly login: string | null;
}

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface TokenCheck {
  readonly check: string;
  readonly status: CheckStatus;
  readonly reason: string | null;
  readonly detail: string;
}

export interface Verdict {
  readonly decision: 'valid' | 'allow' | 'deny';
  readonly status: number | null;
  readonly error: string | null;
  readonly reason: string | null;
  readonly rule: string | null;
}

/** One policy condition as evaluated, with its children for combinators (all, any, not). */
export interface ConditionTrace {
  readonly id: string;
  readonly kind: string;
  readonly verdict: 'pass' | 'fail' | 'unknown';
  readonly reason: string;
  readonly detail: string;
  readonly children?: readonly ConditionTrace[];
}

/** A route's policy evaluated in full for one request: every deny rule, then every allow rule. */
export interface PolicyTrace {
  readonly route: string;
  readonly request: { readonly method: string; readonly path: string; readonly ip: string | null; readonly headers: readonly string[] };
  readonly deny: readonly ConditionTrace[];
  readonly allow: readonly ConditionTrace[];
  readonly decision: { readonly effect: 'allow' | 'deny'; readonly status: number; readonly reason: string; readonly ruleId: string | null; readonly matched: 'allow' | 'deny' | null };
}

export interface Explanation {
  readonly route: string | null;
  readonly audience: string;
  readonly header: Record<string, unknown> | null;
  readonly claims: Record<string, unknown> | null;
  readonly signatureVerified: boolean;
  readonly checks: readonly TokenCheck[];
  readonly policy: PolicyTrace | null;
  readonly verdict: Verdict;
  /** The route does not serve the request asked about. */
  readonly note?: string;
  /** Set when the gateway's verifier and the check-by-check view disagree (a bug): the gateway's answer. */
  readonly gatewayDisagrees?: string;
}

export interface PolicyResult {
  readonly route: string;
  readonly decision: 'allow' | 'deny';
  readonly status: number | null;
  readonly error: string | null;
  readonly rule: string | null;
  readonly reason: string | null;
  /** Null when a refused token answered before policy ran. */
  readonly trace: PolicyTrace | null;
  /** The identity came from claims as typed, not from a verified token. */
  readonly assumed: boolean;
  readonly identity: { readonly authenticated: boolean; readonly sub: string | null; readonly roles: readonly string[]; readonly scopes: readonly string[] } | null;
  readonly token: { readonly valid: true; readonly issuer: string } | { readonly valid: false; readonly reason: string; readonly detail: string } | null;
  readonly routing?: { readonly route: string | null; readonly refusal: string | null };
  readonly note?: string;
}

export interface RefreshSessionRow {
  readonly id: string;
  readonly userId: string | null;
  readonly username: string | null;
  readonly clientId: string;
  readonly createdAt: Timestamp;
  readonly lastUsedAt: Timestamp | null;
  readonly expiresAt: Timestamp | null;
  readonly state: string;
  readonly scope?: string | null;
  readonly audience?: string | null;
}

export interface SigningKeyRow {
  readonly kid: string;
  readonly alg: string;
  readonly state: 'pending' | 'active' | 'retiring' | 'retired' | 'revoked' | string;
  readonly createdAt: Timestamp;
  readonly activatesAt: Timestamp | null;
  readonly retiresAt: Timestamp | null;
  readonly ageSeconds: number;
}

export interface KeyList {
  readonly keys: readonly SigningKeyRow[];
  readonly nextRotationAt: Timestamp | null;
}

export interface UserRow {
  readonly id: string;
  readonly username: string;
  readonly roles: readonly string[];
  readonly disabled: boolean;
  readonly createdAt: Timestamp;
}

export interface ClientRow {
  readonly id: string;
  readonly source: string;
  readonly public: boolean;
  readonly grants: readonly string[];
  readonly scopes: readonly string[];
  readonly audiences: readonly string[];
  readonly redirectUris: readonly string[];
  readonly roles: readonly string[];
}

export interface NewClient {
  readonly id: string;
  readonly public: boolean;
  readonly grants: readonly string[];
  readonly scopes: readonly string[];
  readonly audiences: readonly string[];
  readonly redirectUris: readonly string[];
  readonly roles: readonly string[];
}

export interface CreatedClient {
  readonly client: ClientRow;
  /** Shown once: the server keeps only its hash. */
  readonly secret?: string;
}
