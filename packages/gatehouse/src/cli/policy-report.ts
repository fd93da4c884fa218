import type { ConditionTrace, PolicyExplanation } from '../policy/index.ts';
import type { SimulatedRequest } from './route-arguments.ts';

const VERDICT_WORDS = { pass: 'PASS', fail: 'FAIL', unknown: 'UNKNOWN' } as const;

/**
 * A route's policy as its explain() evaluated it: every rule, deny rules first (a passing or
 * undecided deny wins), each with its verdict, reason code and detail, combinators with their
 * members indented below them.
 */
export function policyLines(explanation: PolicyExplanation, request: SimulatedRequest): string[] {
  const lines = [`policy of route ${explanation.routeId}: ${request.method} ${request.path} from ${request.ip}`];
  for (const list of ['deny', 'allow'] as const) {
    const traces = explanation[list];
    lines.push(`  ${list}${traces.length === 0 ? ' (no rules)' : ''}`);
    for (const trace of traces) traceLines(trace, 4, lines);
  }
  return lines;
}

function traceLines(trace: ConditionTrace, indent: number, lines: string[]): void {
  lines.push(`${' '.repeat(indent)}${VERDICT_WORDS[trace.verdict].padEnd(7)} ${trace.id}  ${trace.reason}: ${trace.detail}`);
  for (const child of trace.children ?? []) traceLines(child, indent + 2, lines);
}

/** The same, for --json. */
export function policyJson(explanation: PolicyExplanation, request: SimulatedRequest) {
  // Header names only: their values may be credentials (as in the condition details).
  const shown = { method: request.method, path: request.path, ip: request.ip, headers: Object.keys(request.headers) };
  return { route: explanation.routeId, request: shown, deny: explanation.deny, allow: explanation.allow, decision: explanation.decision };
}
