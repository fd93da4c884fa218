/**
 * "What would the gateway do with this request?" A request (method, path, host, address,
 * headers) with a token or with claims as they would be after verification → the decision, the
 * rule that made it and the reason, the same answer as `gatehouse policy test`.
 */
import { useEffect, useState } from 'preact/hooks';
import { apiGet, apiPost } from '../api/client.ts';
import type { PolicyResult, RouteSummary } from '../api/types.ts';
import { PolicyTraceView } from '../components/policy-trace.tsx';
import { Chips, MessageBar, PageHeader, Panel, useAction } from '../components/ui.tsx';
import { VerdictBanner } from '../components/verdict.tsx';
import { parseHeaderLines } from '../format.ts';

export function PolicyPage() {
  const [routes, setRoutes] = useState<readonly RouteSummary[]>([]);
  const [form, setForm] = useState({ route: '', method: 'GET', path: '', host: '', ip: '', headers: '', credential: 'claims' as 'token' | 'claims' | 'none', token: '', claims: '{\n  "sub": "alice",\n  "roles": ["admin"]\n}' });
  const [result, setResult] = useState<PolicyResult | null>(null);
  const action = useAction();

  useEffect(() => {
    apiGet<RouteSummary[]>('routes').then(
      (list) => {
        setRoutes(list);
        const first = list[0];
        if (first !== undefined) setForm((current) => (current.route === '' ? { ...current, route: first.id, path: current.path || examplePath(first.path) } : current));
      },
      () => setRoutes([]),
    );
  }, []);

  const submit = (event: Event): void => {
    event.preventDefault();
    setResult(null);
    void action.run(async () => {
      const body: Record<string, unknown> = { route: form.route, method: form.method, path: form.path.trim() === '' ? '/' : form.path.trim() };
      if (form.host.trim() !== '') body.host = form.host.trim();
      if (form.ip.trim() !== '') body.ip = form.ip.trim();
      const headers = parseHeaderLines(form.headers);
      if (Object.keys(headers).length > 0) body.headers = headers;
      if (form.credential === 'token') body.token = form.token.trim();
      if (form.credential === 'claims') {
        try {
          body.claims = JSON.parse(form.claims) as unknown;
        } catch {
          throw new Error('The claims are not valid JSON.');
        }
      }
      setResult(await apiPost<PolicyResult>('policy', body));
    });
  };

  const selected = routes.find((route) => route.id === form.route);
  return (
    <div class="page" data-testid="page-policy">
      <PageHeader title="Policy simulator">Ask what the gateway would decide for a request, without sending one: the decision, the rule that made it and why.</PageHeader>
      <Panel>
        <form class="stack" onSubmit={submit}>
          <div class="row">
            <label class="field">
              <span>Route</span>
              <select data-testid="policy-route" value={form.route} required onChange={(event) => setForm({ ...form, route: event.currentTarget.value })}>
                {routes.map((route) => (
                  <option key={route.id} value={route.id}>
                    {route.id}
                  </option>
                ))}
              </select>
            </label>
            <label class="field field-narrow">
              <span>Method</span>
              <select data-testid="policy-method" value={form.method} onChange={(event) => setForm({ ...form, method: event.currentTarget.value })}>
                {['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((name) => (
                  <option key={name}>{name}</option>
                ))}
              </select>
            </label>
            <label class="field">
              <span>Path</span>
              <input data-testid="policy-path" value={form.path} placeholder="/orders/42" onInput={(event) => setForm({ ...form, path: event.currentTarget.value })} />
            </label>
            <label class="field">
              <span>Host</span>
              <input data-testid="policy-host" value={form.host} placeholder={selected?.host ?? 'any'} onInput={(event) => setForm({ ...form, host: event.currentTarget.value })} />
            </label>
            <label class="field">
              <span>Client IP</span>
              <input data-testid="policy-ip" value={form.ip} placeholder="203.0.113.7" onInput={(event) => setForm({ ...form, ip: event.currentTarget.value })} />
            </label>
          </div>
          {selected === undefined ? null : (
            <p class="muted small" data-testid="policy-route-summary">
              Route <code>{selected.id}</code>: {selected.methods?.join(', ') ?? 'any method'} {selected.host ?? 'any host'}
              {selected.path ?? ''}, audience <code>{selected.audience ?? '—'}</code>
              {selected.login === null ? '' : `, login: ${selected.login}`}
            </p>
          )}
          <label class="field">
            <span>Headers (one "Name: value" a line)</span>
            <textarea data-testid="policy-headers" class="mono" rows={2} value={form.headers} spellcheck={false} onInput={(event) => setForm({ ...form, headers: event.currentTarget.value })} />
          </label>
          <fieldset class="segmented">
            <legend>Credential</legend>
            {(['claims', 'token', 'none'] as const).map((kind) => (
              <label class="toggle" key={kind}>
                <input type="radio" name="credential" data-testid={`policy-credential-${kind}`} checked={form.credential === kind} onChange={() => setForm({ ...form, credential: kind })} />
                {kind === 'claims' ? 'Claims (as if verified)' : kind === 'token' ? 'A token (verified first)' : 'No credential'}
              </label>
            ))}
          </fieldset>
          {form.credential === 'token' ? (
            <textarea data-testid="policy-token" class="token-input mono" rows={4} value={form.token} spellcheck={false} placeholder="eyJ…" onInput={(event) => setForm({ ...form, token: event.currentTarget.value })} />
          ) : null}
          {form.credential === 'claims' ? (
            <textarea data-testid="policy-claims" class="mono" rows={6} value={form.claims} spellcheck={false} onInput={(event) => setForm({ ...form, claims: event.currentTarget.value })} />
          ) : null}
          <div>
            <button class="button button-primary" type="submit" data-testid="policy-submit" disabled={action.busy || form.route === ''}>
              Decide
            </button>
          </div>
        </form>
      </Panel>
      <MessageBar message={action.message} />
      {result === null ? null : <PolicyResultView result={result} />}
    </div>
  );
}

/** A route's own path as an example request path: `/orders/**` → `/orders/`. */
function examplePath(pattern: string | null): string {
  if (pattern === null) return '/';
  return pattern.replace(/\*\*$/, '').replace(/\*/g, 'x') || '/';
}

function PolicyResultView({ result }: { result: PolicyResult }) {
  return (
    <div class="stack" data-testid="policy-result">
      <VerdictBanner testid="policy-decision" verdict={{ decision: result.decision, status: result.status, error: result.error, reason: result.reason, rule: result.rule }} />
      {result.note === undefined ? null : <MessageBar message={{ kind: 'error', text: result.note }} />}
      <Panel title="Who">
        <dl class="facts">
          <dt>credential</dt>
          <dd data-testid="policy-credential">
            {result.token === null ? (result.assumed ? 'claims as typed (assumed, not verified)' : 'none: an anonymous request') : result.token.valid ? `a valid token of ${result.token.issuer}` : `a refused token: ${result.token.reason} (${result.token.detail})`}
          </dd>
          {result.identity === null ? null : (
            <>
              <dt>subject</dt>
              <dd>{result.identity.authenticated ? (result.identity.sub ?? '—') : 'not authenticated'}</dd>
              <dt>roles</dt>
              <dd>
                <Chips items={result.identity.roles} />
              </dd>
              <dt>scopes</dt>
              <dd>
                <Chips items={result.identity.scopes} />
              </dd>
            </>
          )}
          {result.routing === undefined ? null : (
            <>
              <dt>routing</dt>
              <dd>{result.routing.route === null ? `no route serves this host and path (${result.routing.refusal ?? 'no match'})` : `the gateway picks route ${result.routing.route}`}</dd>
            </>
          )}
        </dl>
      </Panel>
      {result.trace === null ? null : (
        <Panel title="Rules">
          <PolicyTraceView trace={result.trace} />
        </Panel>
      )}
    </div>
  );
}
