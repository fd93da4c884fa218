/**
 * "Why is this token refused?" A pasted token is decoded and run through every verification
 * check against the live keys and, with a route, that route's policy: pass, fail or skip each,
 * with its reason code — the same answer as `gatehouse token explain`.
 */
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiGet, apiPost } from '../api/client.ts';
import type { Explanation, RouteSummary } from '../api/types.ts';
import { Badge, EmptyRow, JsonBlock, MessageBar, PageHeader, Panel, useAction } from '../components/ui.tsx';
import { PolicyTraceView } from '../components/policy-trace.tsx';
import { VerdictBanner } from '../components/verdict.tsx';
import { formatDateTime } from '../format.ts';

const TIME_CLAIMS = ['exp', 'iat', 'nbf', 'auth_time'];

export function DebuggerPage() {
  const [token, setToken] = useState('');
  const [route, setRoute] = useState('');
  const [method, setMethod] = useState('GET');
  const [path, setPath] = useState('');
  const [routes, setRoutes] = useState<readonly RouteSummary[]>([]);
  const [result, setResult] = useState<Explanation | null>(null);
  const action = useAction();

  useEffect(() => {
    apiGet<RouteSummary[]>('routes').then(setRoutes, () => setRoutes([]));
  }, []);

  const submit = (event: Event): void => {
    event.preventDefault();
    setResult(null);
    const body: Record<string, string> = { token: token.trim() };
    if (route !== '') body.route = route;
    if (route !== '' && method !== '') body.method = method;
    if (route !== '' && path.trim() !== '') body.path = path.trim();
    void action.run(async () => {
      setResult(await apiPost<Explanation>('explain', body));
    });
  };

  return (
    <div class="page" data-testid="page-debugger">
      <PageHeader title="Token debugger">
        Paste an access token: it is decoded and checked against the live keys and revocation lists, one check at a time in the gateway's order, then against a route's policy. The token is sent to this
        console's server only and is never stored.
      </PageHeader>
      <Panel>
        <form class="stack" onSubmit={submit}>
          <label class="field">
            <span>Token</span>
            <textarea
              data-testid="debugger-input"
              class="token-input mono"
              rows={5}
              value={token}
              spellcheck={false}
              autocomplete="off"
              placeholder="eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiIsInR5cCI6ImF0K2p3dCJ9.eyJpc3MiOi..."
              onInput={(event) => setToken(event.currentTarget.value)}
            />
          </label>
          <div class="row">
            <label class="field">
              <span>Route</span>
              <select data-testid="debugger-route" value={route} onChange={(event) => setRoute(event.currentTarget.value)}>
                <option value="">no route: verify the token only</option>
                {routes.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {candidate.id}
                    {candidate.audience === null ? '' : ` (aud ${candidate.audience})`}
                  </option>
                ))}
              </select>
            </label>
            <label class="field field-narrow">
              <span>Method</span>
              <select data-testid="debugger-method" value={method} disabled={route === ''} onChange={(event) => setMethod(event.currentTarget.value)}>
                {['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((name) => (
                  <option key={name}>{name}</option>
                ))}
              </select>
            </label>
            <label class="field">
              <span>Path</span>
              <input data-testid="debugger-path" value={path} disabled={route === ''} placeholder="the route's own path" onInput={(event) => setPath(event.currentTarget.value)} />
            </label>
          </div>
          <div>
            <button class="button button-primary" type="submit" data-testid="debugger-submit" disabled={token.trim() === '' || action.busy}>
              {action.busy ? 'Checking…' : 'Explain'}
            </button>
          </div>
        </form>
      </Panel>
      <MessageBar message={action.message} />
      {result === null ? null : <ExplanationView result={result} />}
    </div>
  );
}

function ExplanationView({ result }: { result: Explanation }) {
  return (
    <div class="stack" data-testid="debugger-result">
      <VerdictBanner verdict={result.verdict} />
      {result.note === undefined ? null : <MessageBar message={{ kind: 'error', text: result.note }} />}
      {result.gatewayDisagrees === undefined ? null : (
        <MessageBar message={{ kind: 'error', text: `The gateway's verifier answers ${result.gatewayDisagrees}, not what the checks below say: please report this.` }} />
      )}
      <Panel title={`Checks${result.route === null ? ` for audience ${result.audience}` : ` for route ${result.route} (audience ${result.audience})`}`}>
        <div class="table-wrap">
          <table class="table" data-testid="checks-table">
            <thead>
              <tr>
                <th>Check</th>
                <th>Result</th>
                <th>Reason</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {result.checks.length === 0 ? <EmptyRow columns={4}>No checks.</EmptyRow> : null}
              {result.checks.map((check) => (
                <tr key={check.check} data-testid="check-row" data-check={check.check} data-status={check.status} data-reason={check.reason ?? ''} class={`check-${check.status}`}>
                  <td>
                    <code>{check.check}</code>
                  </td>
                  <td>
                    <Badge tone={check.status === 'pass' ? 'allow' : check.status === 'fail' ? 'deny' : 'neutral'}>{check.status}</Badge>
                  </td>
                  <td>{check.reason === null ? <span class="muted">—</span> : <code>{check.reason}</code>}</td>
                  <td class="details">{check.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      <div class="grid-2">
        <Panel title="Header">{result.header === null ? <p class="muted">Not decoded.</p> : <JsonBlock value={result.header} testid="debugger-header" />}</Panel>
        <Panel title="Claims">
          {result.claims === null ? (
            <p class="muted">Not decoded.</p>
          ) : (
            <>
              {result.signatureVerified ? null : (
                <p class="muted small" data-testid="claims-unverified">
                  Unverified: the signature was not checked or did not verify, so these are the sender's words, not the issuer's.
                </p>
              )}
              <JsonBlock value={result.claims} testid="debugger-claims" />
              <dl class="facts">
                {TIME_CLAIMS.filter((name) => typeof result.claims?.[name] === 'number').map((name) => (
                  <Fragment key={name}>
                    <dt>{name}</dt>
                    <dd>{formatDateTime(result.claims?.[name] as number)}</dd>
                  </Fragment>
                ))}
              </dl>
            </>
          )}
        </Panel>
      </div>
      {result.policy === null ? null : (
        <Panel title={`Policy of route ${result.policy.route}`}>
          <PolicyTraceView trace={result.policy} testid="debugger-policy" />
        </Panel>
      )}
    </div>
  );
}
