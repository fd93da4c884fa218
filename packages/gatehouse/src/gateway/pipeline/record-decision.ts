import type { DecisionLog, DecisionLogLine, GatewayDecision } from '../../audit/decision-log.ts';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.ts';
import type { ExchangeRecord } from '../forward/index.ts';
import type { GatewayAudit } from './gateway-audit.ts';

/**
 * The data plane's onResult: one audit line and the decision counters per request, and the
 * upstream histogram for forwarded ones. A request the pipeline never decided (a malformed request
 * the data plane refused, or a decide hook that threw) is a deny with the data plane's failure code.
 * `onLine` receives each line as written (the console's decision history).
 */
export function createDecisionRecorder(log: DecisionLog, metrics: GatewayMetrics, onLine?: (line: DecisionLogLine) => void): (record: ExchangeRecord<GatewayAudit>) => void {
  return function recordGatewayDecision(record) {
    const audit = record.audit;
    const decision: GatewayDecision = audit === undefined
      ? { requestId: record.requestId, route: null, method: record.method, path: record.path, clientIp: record.clientIp, decision: 'deny', reason: record.failure, latencyMs: record.latencyMs }
      : {
          requestId: record.requestId,
          route: audit.route,
          method: record.method,
          path: record.path,
          clientIp: record.clientIp,
          sub: audit.sub,
          clientId: audit.clientId,
          jti: audit.jti,
          kid: audit.kid,
          decision: audit.decision,
          reason: audit.reason,
          ruleId: audit.ruleId,
          upstreamStatus: record.upstreamStatus,
          latencyMs: record.latencyMs,
        };
    const line = log.write(decision);
    onLine?.(line);
    metrics.recordDecision(decision);
    if (audit?.decision === 'allow' && audit.route !== null) metrics.observeUpstream(audit.route, record.upstreamStatus, record.latencyMs / 1000);
  };
}
