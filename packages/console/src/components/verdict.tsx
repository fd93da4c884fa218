/** The gateway's answer in one line: allow (rule …), or 401/403 with the error and the reason. */
import type { Verdict } from '../api/types.ts';

export function VerdictBanner({ verdict, testid = 'verdict' }: { verdict: Verdict; testid?: string }) {
  const tone = verdict.decision === 'deny' ? 'deny' : 'allow';
  return (
    <div class={`verdict verdict-${tone}`} data-testid={testid} data-decision={verdict.decision} data-status={verdict.status ?? ''} data-reason={verdict.reason ?? ''}>
      <div class="verdict-main">
        {verdict.decision === 'valid' ? 'Valid token' : verdict.decision === 'allow' ? 'Allowed' : `Refused: ${verdict.status ?? ''} ${verdict.error ?? ''}`}
      </div>
      <div class="verdict-facts">
        {verdict.reason === null ? null : (
          <span>
            reason <code>{verdict.reason}</code>
          </span>
        )}
        {verdict.rule === null ? null : (
          <span>
            rule <code>{verdict.rule}</code>
          </span>
        )}
        {verdict.decision === 'valid' ? <span>every check passed; choose a route to run its policy</span> : null}
      </div>
    </div>
  );
}
