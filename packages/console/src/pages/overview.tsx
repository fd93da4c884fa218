/** What is happening now: the last hour's decisions, why requests are refused, who is refused, security events. */
import { useMemo, useState } from 'preact/hooks';
import { apiGet } from '../api/client.ts';
import type { Overview, SecurityEvent } from '../api/types.ts';
import { DecisionsChart } from '../components/decisions-chart.tsx';
import { Badge, ErrorBar, PageHeader, Panel } from '../components/ui.tsx';
import { bucketSeries, formatCount, formatDateTime, formatRate, summarizeSeries } from '../format.ts';
import { usePoll } from '../poll.ts';
import { hrefFor } from '../router.ts';

const POLL_MS = 5000;
const BUCKET_SECONDS = 10;

export function OverviewPage() {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<unknown>(null);
  usePoll(
    async () => {
      try {
        setOverview(await apiGet<Overview>('overview'));
        setError(null);
      } catch (caught) {
        setError(caught);
      }
    },
    POLL_MS,
    [],
  );
  const chart = useMemo(() => (overview === null ? null : bucketSeries(overview.series, BUCKET_SECONDS)), [overview]);
  const totals = useMemo(() => (overview === null ? null : summarizeSeries(overview.series)), [overview]);

  return (
    <div class="page" data-testid="page-overview">
      <PageHeader title="Overview">Every gateway decision of the last hour, refreshed every 5 seconds.</PageHeader>
      <ErrorBar error={error} />
      {overview === null || chart === null || totals === null ? (
        <p class="muted">Loading…</p>
      ) : (
        <>
          <div class="stats">
            <Stat label="Decisions, last hour" value={formatCount(totals.total)} testid="stat-total" />
            <Stat label="Allowed" value={formatCount(totals.allow)} tone="allow" testid="stat-allow" />
            <Stat label="Refused" value={formatCount(totals.deny)} tone="deny" testid="stat-deny" />
            <Stat label="Refused share" value={`${(totals.refusedShare * 100).toFixed(1)} %`} tone={totals.refusedShare > 0.2 ? 'deny' : undefined} />
            <Stat label="Now (last minute)" value={`${formatRate(totals.recentPerSecond)} / s`} />
          </div>
          <Panel title="Decisions per second" testid="overview-chart-panel">
            <DecisionsChart data={chart} />
          </Panel>
          <div class="grid-3">
            <Panel title="Top refusal reasons" testid="top-reasons">
              <Bars items={overview.topReasons.map((item) => ({ label: item.reason, count: item.count, href: hrefFor('decisions', { result: 'deny', reason: item.reason }) }))} empty="No refusals in the last hour." />
            </Panel>
            <Panel title="Top offenders: addresses" testid="top-ips">
              <Bars items={overview.topIps.map((item) => ({ label: item.ip, count: item.count }))} empty="No refused addresses." />
            </Panel>
            <Panel title="Top offenders: subjects" testid="top-subjects">
              <Bars items={overview.topSubjects.map((item) => ({ label: item.sub, count: item.count, href: hrefFor('decisions', { result: 'deny', sub: item.sub }) }))} empty="No refused subjects." />
            </Panel>
          </div>
          <Panel title="Active security events" testid="security-events">
            <EventsTable events={overview.events} />
          </Panel>
        </>
      )}
    </div>
  );
}

function Stat({ label, value, tone, testid }: { label: string; value: string; tone?: 'allow' | 'deny' | undefined; testid?: string }) {
  return (
    <div class={`stat${tone === undefined ? '' : ` stat-${tone}`}`} data-testid={testid}>
      <div class="stat-value">{value}</div>
      <div class="stat-label">{label}</div>
    </div>
  );
}

/** A ranked list with a bar per entry, as long as its share of the first. */
function Bars({ items, empty }: { items: readonly { label: string; count: number; href?: string }[]; empty: string }) {
  if (items.length === 0) return <p class="muted">{empty}</p>;
  const max = Math.max(...items.map((item) => item.count), 1);
  return (
    <ol class="bars">
      {items.map((item) => (
        <li key={item.label} class="bar-row">
          <div class="bar-text">
            {item.href === undefined ? <code>{item.label}</code> : <a href={item.href}><code>{item.label}</code></a>}
            <span class="bar-count">{formatCount(item.count)}</span>
          </div>
          {/* A width set through the CSSOM (element.style), which the console's CSP allows. */}
          <div class="bar-track">
            <div class="bar-fill" style={{ width: `${(item.count / max) * 100}%` }} />
          </div>
        </li>
      ))}
    </ol>
  );
}

const SEVERITY_TONE: Readonly<Record<string, string>> = { critical: 'deny', warning: 'warn', info: 'info' };

function EventsTable({ events }: { events: readonly SecurityEvent[] }) {
  if (events.length === 0) return <p class="muted">No security events.</p>;
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th>When</th>
            <th>Severity</th>
            <th>Event</th>
            <th>Subject</th>
            <th>Client</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={String(event.id)} data-testid="event-row">
              <td class="nowrap">{formatDateTime(event.at)}</td>
              <td>
                <Badge tone={SEVERITY_TONE[event.severity] ?? 'neutral'}>{event.severity}</Badge>
              </td>
              <td>
                <code>{event.type}</code>
              </td>
              <td class="mono small">{event.subject ?? <span class="muted">—</span>}</td>
              <td>{event.clientId ?? <span class="muted">—</span>}</td>
              <td class="details">{formatDetails(event.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function formatDetails(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return String(details);
  return Object.entries(details as Record<string, unknown>)
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}
