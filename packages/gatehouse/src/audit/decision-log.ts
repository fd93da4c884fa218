import { pino, type DestinationStream } from 'pino';

/** What the gateway decided for one request, as the pipeline knows it when the request ends. */
export interface GatewayDecision {
  readonly requestId: string;
  /** The matched route's id; null when no route matched. */
  readonly route: string | null;
  readonly method: string;
  /** The request path. A query string, if the caller leaves one on, is cut off here. */
  readonly path: string;
  readonly clientIp: string;
  /** sub, client_id and jti only from a token whose signature verified: unverified claims are anyone's words. */
  readonly sub?: string | null;
  readonly clientId?: string | null;
  readonly jti?: string | null;
  /** The `kid` of the presented token's header (for unknown_kid, the unknown one). */
  readonly kid?: string | null;
  readonly decision: 'allow' | 'deny';
  /** The refusal's reason code (a token ReasonCode or a policy reason); null for an allow. */
  readonly reason?: string | null;
  /** The policy rule that decided (an allow or deny rule's id); null when none did (default deny, refused token). */
  readonly ruleId?: string | null;
  /** The upstream's response status; null when nothing was forwarded or no response came. */
  readonly upstreamStatus?: number | null;
  /** From the request's arrival to the end of the response, in milliseconds. */
  readonly latencyMs: number;
}

/** The members of every line, in the order they are written. Documented in docs/reference/audit-log.md. */
export const DECISION_LOG_FIELDS = [
  'time',
  'request_id',
  'route',
  'method',
  'path',
  'client_ip',
  'sub',
  'client_id',
  'jti',
  'kid',
  'decision',
  'reason',
  'rule_id',
  'upstream_status',
  'latency_ms',
] as const;

export type DecisionLogLine = { readonly [field in (typeof DECISION_LOG_FIELDS)[number]]: string | number | null };

export interface DecisionLogOptions {
  /**
   * Where lines go: any pino destination (pino.destination(path), pino.transport(...),
   * pino.multistream(...)) or an object with write(line). Default: stdout, asynchronous.
   */
  readonly destination?: DestinationStream;
  /** Milliseconds since the epoch, for the `time` member. Default Date.now. */
  readonly clock?: () => number;
}

export interface DecisionLog {
  /** Writes one JSON line for one decision. Never throws for a field's content. */
  write(decision: GatewayDecision): void;
  /** Flushes a buffered destination synchronously (at shutdown); a no-op for others. */
  flush(): void;
}

/** Attacker-influenced strings are cut to these lengths, so one request cannot write a huge line. */
const MAX_PATH_LENGTH = 2048;
const MAX_VALUE_LENGTH = 256;

/**
 * The audit log of gateway decisions: one JSON line per decision, exactly DECISION_LOG_FIELDS,
 * every member always present (null when it does not apply), never a token and never a query
 * string (queries carry secrets: API keys, OAuth codes, reset tokens).
 *
 * The line is serialized here and written to a pino destination: pino's logger methods would
 * add a `level` member that cannot be left out, and the record is flat and of a fixed shape.
 */
export function createDecisionLog(options: DecisionLogOptions = {}): DecisionLog {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
  if (typeof destination?.write !== 'function') throw new TypeError('destination must have a write(line) method');
  const clock = options.clock ?? Date.now;
  return {
    write(decision) {
      destination.write(`${JSON.stringify(decisionLogLine(decision, clock()))}\n`);
    },
    flush() {
      const flushSync = (destination as { flushSync?: () => void }).flushSync;
      if (typeof flushSync === 'function') flushSync.call(destination);
    },
  };
}

/** The line for a decision at `nowMs`: the fixed member order, bounded strings, no query string. */
export function decisionLogLine(decision: GatewayDecision, nowMs: number): DecisionLogLine {
  return {
    time: new Date(nowMs).toISOString(),
    request_id: bounded(decision.requestId),
    route: bounded(decision.route),
    method: bounded(decision.method),
    path: bounded(withoutQuery(decision.path), MAX_PATH_LENGTH),
    client_ip: bounded(decision.clientIp),
    sub: bounded(decision.sub),
    client_id: bounded(decision.clientId),
    jti: bounded(decision.jti),
    kid: bounded(decision.kid),
    decision: decision.decision,
    reason: bounded(decision.reason),
    rule_id: bounded(decision.ruleId),
    upstream_status: typeof decision.upstreamStatus === 'number' && Number.isInteger(decision.upstreamStatus) ? decision.upstreamStatus : null,
    // Microsecond precision is plenty, and keeps float noise out of the line.
    latency_ms: Number.isFinite(decision.latencyMs) ? Math.round(decision.latencyMs * 1000) / 1000 : null,
  };
}

function withoutQuery(path: string): string {
  if (typeof path !== 'string') return path;
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
}

function bounded(value: string | null | undefined, max = MAX_VALUE_LENGTH): string | null {
  if (typeof value !== 'string') return null;
  return value.length <= max ? value : value.slice(0, max);
}
