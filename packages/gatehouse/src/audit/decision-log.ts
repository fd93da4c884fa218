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
   * pino.multistream(...)) or an object with write(line). Default: stdout through
   * decisionLogDestination (buffered).
   */
  readonly destination?: DestinationStream;
  /** Milliseconds since the epoch, for the `time` member. Default Date.now. */
  readonly clock?: () => number;
  /** How often a buffered destination is flushed when traffic is too light to fill its buffer. Default 250 ms. */
  readonly flushIntervalMs?: number;
}

/** Bytes a buffered decision log collects before it writes (one syscall per ~20 lines under load, not one per line). */
export const DECISION_LOG_BUFFER_BYTES = 8192;

/**
 * A file descriptor or path as the decision log's destination: asynchronous and buffered, so a
 * busy gateway writes in 8 KiB batches rather than once per request; createDecisionLog flushes
 * it at least every flushIntervalMs and at close, so a line is never held longer than that.
 */
export function decisionLogDestination(dest: number | string): DestinationStream {
  return pino.destination({ dest, sync: false, minLength: DECISION_LOG_BUFFER_BYTES, ...(typeof dest === 'string' ? { mkdir: true } : {}) });
}

export interface DecisionLog {
  /** Writes one JSON line for one decision and returns it (the console's history keeps it). Never throws for a field's content. */
  write(decision: GatewayDecision): DecisionLogLine;
  /** Flushes a buffered destination synchronously (at shutdown) and stops the flush timer; a no-op for others. */
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
  const destination = options.destination ?? decisionLogDestination(1);
  if (typeof destination?.write !== 'function') throw new TypeError('destination must have a write(line) method');
  const clock = options.clock ?? Date.now;
  const buffered = destination as { flush?: (callback?: (error?: Error | null) => void) => void; flushSync?: () => void };
  let timer: NodeJS.Timeout | undefined;
  if (typeof buffered.flush === 'function') {
    timer = setInterval(() => {
      try {
        buffered.flush!(() => {});
      } catch {
        // Not open yet, or already closed: the next tick or flush() will do.
      }
    }, options.flushIntervalMs ?? 250);
    timer.unref();
  }
  return {
    write(decision) {
      const line = decisionLogLine(decision, clock());
      destination.write(`${JSON.stringify(line)}\n`);
      return line;
    },
    flush() {
      clearInterval(timer);
      if (typeof buffered.flushSync === 'function') buffered.flushSync.call(destination);
    },
  };
}

/** The line for a decision at `nowMs`: the fixed member order, bounded strings, no query string. */
export function decisionLogLine(decision: GatewayDecision, nowMs: number): DecisionLogLine {
  return {
    time: isoTime(nowMs),
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

let lastMs = Number.NaN;
let lastIso = '';

/** toISOString, remembered for the last millisecond seen (a busy gateway writes many lines per ms). */
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
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
