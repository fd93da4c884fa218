/** The decision log, live: every gateway decision as it happens, filterable by route, subject, result, reason. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { apiGet } from '../api/client.ts';
import { decisionsQuery, filterFromParams, mergeDecisions } from '../api/decisions-query.ts';
import type { DecisionFilter, DecisionLine, DecisionPage, RouteSummary } from '../api/types.ts';
import { Badge, EmptyRow, ErrorBar, PageHeader, Panel } from '../components/ui.tsx';
import { formatClock, shorten } from '../format.ts';
import { usePoll } from '../poll.ts';

const POLL_MS = 2000;
const FIRST_PAGE = 100;
const KEEP = 500;

export function DecisionsPage({ params }: { params: URLSearchParams }) {
  const [filter, setFilter] = useState<DecisionFilter>(() => filterFromParams(params));
  const [draft, setDraft] = useState<DecisionFilter>(filter);
  const [lines, setLines] = useState<DecisionLine[]>([]);
  const [live, setLive] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [routes, setRoutes] = useState<readonly RouteSummary[]>([]);
  const [open, setOpen] = useState<number | null>(null);
  // The seq to ask after; reset with the filter. A ref: the poll reads it between renders.
  const after = useRef<number | undefined>(undefined);
  // Bumped with the filter: an answer to an older filter's request is dropped.
  const generation = useRef(0);

  useEffect(() => {
    const next = filterFromParams(params);
    if (JSON.stringify(next) === JSON.stringify(filter)) return;
    setFilter(next);
    setDraft(next);
  }, [params.toString()]);

  useEffect(() => {
    apiGet<RouteSummary[]>('routes').then(setRoutes, setError);
  }, []);

  useEffect(() => {
    generation.current += 1;
    after.current = undefined;
    setLines([]);
    setLoaded(false);
  }, [filter]);

  usePoll(
    async () => {
      if (!live && after.current !== undefined) return;
      const asked = generation.current;
      try {
        const page = await apiGet<DecisionPage>(decisionsQuery(filter, after.current === undefined ? { limit: FIRST_PAGE } : { after: after.current, limit: KEEP }));
        if (asked !== generation.current) return;
        after.current = Math.max(page.last, after.current ?? 0);
        setLines((shown) => mergeDecisions(shown, page.lines, KEEP));
        setLoaded(true);
        setError(null);
      } catch (caught) {
        setError(caught);
      }
    },
    POLL_MS,
    [filter, live],
  );

  const apply = (event: Event): void => {
    event.preventDefault();
    setFilter({ ...draft });
  };
  const clear = (): void => {
    const empty: DecisionFilter = { route: '', sub: '', result: '', reason: '' };
    setDraft(empty);
    setFilter(empty);
  };

  return (
    <div class="page" data-testid="page-decisions">
      <PageHeader title="Decisions">The gateway's decision log, newest first. New decisions appear every 2 seconds while live.</PageHeader>
      <Panel>
        <form class="filters" onSubmit={apply} data-testid="decisions-filter">
          <label class="field">
            <span>Route</span>
            <select data-testid="filter-route" value={draft.route} onChange={(event) => setDraft({ ...draft, route: event.currentTarget.value })}>
              <option value="">any route</option>
              {routes.map((route) => (
                <option key={route.id} value={route.id}>
                  {route.id}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>Subject</span>
            <input data-testid="filter-sub" value={draft.sub} placeholder="sub" onInput={(event) => setDraft({ ...draft, sub: event.currentTarget.value })} />
          </label>
          <label class="field">
            <span>Result</span>
            <select data-testid="filter-result" value={draft.result} onChange={(event) => setDraft({ ...draft, result: event.currentTarget.value as DecisionFilter['result'] })}>
              <option value="">allowed and refused</option>
              <option value="allow">allowed</option>
              <option value="deny">refused</option>
            </select>
          </label>
          <label class="field">
            <span>Reason</span>
            <input data-testid="filter-reason" value={draft.reason} placeholder="e.g. token_expired" onInput={(event) => setDraft({ ...draft, reason: event.currentTarget.value })} />
          </label>
          <div class="filter-actions">
            <button class="button button-primary" type="submit" data-testid="filter-apply">
              Apply
            </button>
            <button class="button" type="button" onClick={clear}>
              Clear
            </button>
            <label class="toggle">
              <input type="checkbox" data-testid="decisions-live" checked={live} onChange={(event) => setLive(event.currentTarget.checked)} />
              <span class={live ? 'live-dot live-on' : 'live-dot'} /> Live
            </label>
          </div>
        </form>
      </Panel>
      <ErrorBar error={error} />
      <Panel>
        <div class="table-wrap">
          <table class="table table-decisions" data-testid="decisions-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Result</th>
                <th>Reason</th>
                <th>Route</th>
                <th>Request</th>
                <th>Subject</th>
                <th>Client IP</th>
                <th>Rule</th>
                <th class="num">Upstream</th>
                <th class="num">ms</th>
              </tr>
            </thead>
            <tbody>
              {lines.length === 0 ? <EmptyRow columns={10}>{loaded ? 'No decisions match.' : 'Loading…'}</EmptyRow> : null}
              {lines.map((line) => (
                <DecisionRow key={line.seq} line={line} open={open === line.seq} onToggle={() => setOpen(open === line.seq ? null : line.seq)} />
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
    </div>
  );
}

function DecisionRow({ line, open, onToggle }: { line: DecisionLine; open: boolean; onToggle: () => void }) {
  return (
    <>
      <tr
        class={`decision-row clickable${line.decision === 'deny' ? ' row-deny' : ''}`}
        data-testid="decision-row"
        data-decision={line.decision}
        data-reason={line.reason ?? ''}
        data-request-id={line.request_id}
        onClick={onToggle}
        aria-expanded={open}
      >
        <td class="nowrap mono">{formatClock(line.time)}</td>
        <td>
          <Badge tone={line.decision === 'allow' ? 'allow' : 'deny'}>{line.decision === 'allow' ? 'allowed' : 'refused'}</Badge>
        </td>
        <td>{line.reason === null ? <span class="muted">—</span> : <code data-testid="decision-reason">{line.reason}</code>}</td>
        <td>{line.route ?? <span class="muted">no route</span>}</td>
        <td class="request nowrap">
          <span class="method">{line.method}</span> <span class="mono">{line.path}</span>
        </td>
        <td class="mono small">{line.sub ?? <span class="muted">—</span>}</td>
        <td class="mono">{line.client_ip}</td>
        <td class="mono">{line.rule_id ?? <span class="muted">—</span>}</td>
        <td class="num">{line.upstream_status ?? <span class="muted">—</span>}</td>
        <td class="num">{line.latency_ms.toFixed(1)}</td>
      </tr>
      {open ? (
        <tr class="decision-detail">
          <td colSpan={10}>
            <dl class="facts">
              <dt>time</dt>
              <dd class="mono">{line.time}</dd>
              <dt>request id</dt>
              <dd class="mono">{line.request_id}</dd>
              <dt>client</dt>
              <dd>{line.client_id ?? '—'}</dd>
              <dt>jti</dt>
              <dd class="mono">{line.jti ?? '—'}</dd>
              <dt>kid</dt>
              <dd class="mono" title={line.kid ?? ''}>{line.kid === null ? '—' : shorten(line.kid, 16)}</dd>
            </dl>
          </td>
        </tr>
      ) : null}
    </>
  );
}
