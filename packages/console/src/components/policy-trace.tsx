/**
 * A route's policy as evaluated for one request: deny rules first (a matching one wins), then
 * allow rules (any matching one allows; none → deny). Each rule with its verdict, reason and
 * detail, combinators with their conditions nested.
 */
import type { ConditionTrace, PolicyTrace } from '../api/types.ts';
import { Badge } from './ui.tsx';

const VERDICT_TONE: Readonly<Record<string, string>> = { pass: 'allow', fail: 'neutral', unknown: 'warn' };

export function PolicyTraceView({ trace, testid = 'policy-trace' }: { trace: PolicyTrace; testid?: string }) {
  const decidedBy = trace.decision.ruleId;
  return (
    <div class="policy-trace" data-testid={testid}>
      <p class="muted small">
        {trace.request.method} <code>{trace.request.path}</code>
        {trace.request.ip === null ? '' : ` from ${trace.request.ip}`}
        {trace.request.headers.length === 0 ? '' : `, headers ${trace.request.headers.join(', ')}`} on route <code>{trace.route}</code>
      </p>
      <RuleList title="Deny rules (a match refuses)" rules={trace.deny} decidedBy={decidedBy} matchTone="deny" />
      <RuleList title="Allow rules (a match allows; none: refused)" rules={trace.allow} decidedBy={decidedBy} matchTone="allow" />
    </div>
  );
}

function RuleList({ title, rules, decidedBy, matchTone }: { title: string; rules: readonly ConditionTrace[]; decidedBy: string | null; matchTone: 'allow' | 'deny' }) {
  return (
    <>
      <h3>{title}</h3>
      {rules.length === 0 ? (
        <p class="muted small">none</p>
      ) : (
        <ul class="rules">
          {rules.map((rule) => (
            <li key={rule.id} class={rule.id === decidedBy ? `rule rule-decided rule-decided-${matchTone}` : 'rule'} data-testid="policy-rule" data-rule={rule.id} data-verdict={rule.verdict}>
              <Condition trace={rule} matchTone={matchTone} />
              {rule.id === decidedBy ? <span class="decided">decided</span> : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Condition({ trace, matchTone }: { trace: ConditionTrace; matchTone: 'allow' | 'deny' }) {
  return (
    <div class="condition">
      <div class="condition-line">
        <Badge tone={trace.verdict === 'pass' ? matchTone : (VERDICT_TONE[trace.verdict] ?? 'neutral')}>{trace.verdict === 'pass' ? 'match' : trace.verdict === 'fail' ? 'no match' : 'unknown'}</Badge>
        <code>{trace.id}</code>
        <span class="muted">{trace.kind}</span>
        <code class="muted">{trace.reason}</code>
      </div>
      <div class="condition-detail">{trace.detail}</div>
      {trace.children === undefined || trace.children.length === 0 ? null : (
        <div class="condition-children">
          {trace.children.map((child) => (
            <Condition key={child.id} trace={child} matchTone={matchTone} />
          ))}
        </div>
      )}
    </div>
  );
}
