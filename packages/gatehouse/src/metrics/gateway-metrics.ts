import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { REASON_CODES, type JwksEvent } from '@gatehouse/verify';
import type { GatewayDecision } from '../audit/decision-log.ts';

/** Token verification takes 1 µs (cache hit) to ~100 µs (EdDSA): buckets from 10 µs to 10 ms. */
export const TOKEN_VERIFY_BUCKETS: readonly number[] = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01];
/** Upstream round trips: from a loopback millisecond to a slow backend's 30 s. */
export const UPSTREAM_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Label value for a known-but-absent value (no route matched, an allow without a reason). */
export const NONE_LABEL = 'none';
/** Label value that stands in for any value outside the bounded set. */
export const OTHER_LABEL = 'other';

export interface GatewayMetricsOptions {
  /**
   * Reason codes counted under their own name besides the verify SDK's token reasons (policy and
   * gateway refusals). Any other reason is counted as `other`: labels never carry free text.
   */
  readonly reasons?: readonly string[];
  /** Distinct route (and issuer) label values kept before new ones are counted as `other`. Default 1,000. */
  readonly maxRoutes?: number;
  /** When the active signing key began signing (ms since the epoch), or undefined when none does. Read on scrape. */
  readonly signingKeyActivatedAt?: () => number | undefined;
  /** Milliseconds since the revocation lists last synced with the store (Infinity before the first). Read on scrape. */
  readonly revocationSyncAgeMs?: () => number;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
  /** Node.js process metrics (CPU, memory, event loop, GC), prefixed `gatehouse_`. Default true. */
  readonly defaultMetrics?: boolean;
}

export interface RenderedMetrics {
  readonly contentType: string;
  readonly body: string;
}

export interface GatewayMetrics {
  /** This gateway's own registry (never prom-client's global one). */
  readonly registry: Registry;
  /** One gateway decision: gatehouse_decisions_total{route, result, reason}. */
  recordDecision(decision: Pick<GatewayDecision, 'route' | 'decision' | 'reason'>): void;
  /** One token verification (cached or not), in seconds. */
  observeTokenVerify(seconds: number): void;
  /** One upstream exchange, in seconds; `status` undefined or null when no response came. */
  observeUpstream(route: string, status: number | null | undefined, seconds: number): void;
  /** A remote key source's event (pass as its onEvent); `issuer` defaults to the JWKS URL. */
  recordJwksEvent(event: JwksEvent, issuer?: string): void;
  /** The /metrics answer: Prometheus text exposition and its content type. */
  render(): Promise<RenderedMetrics>;
}

/** `result` label of gatehouse_jwks_fetches_total for each JwksEvent type. */
const JWKS_RESULTS: Readonly<Record<JwksEvent['type'], string>> = {
  'jwks.fetched': 'fetched',
  'jwks.fetch_failed': 'failed',
  'jwks.refresh_throttled': 'throttled',
  'jwks.expired': 'expired',
};

/**
 * The gateway's Prometheus metrics on a registry of its own. Label values come only from bounded
 * sets: route ids and issuers from the configuration (capped), reason codes from the registries,
 * status classes. Paths, subjects and IPs never become labels; they belong in the audit log.
 */
export function createGatewayMetrics(options: GatewayMetricsOptions = {}): GatewayMetrics {
  const clock = options.clock ?? Date.now;
  const knownReasons = new Set<string>([...REASON_CODES, ...(options.reasons ?? [])]);
  const maxRoutes = options.maxRoutes ?? 1000;
  if (!(Number.isInteger(maxRoutes) && maxRoutes >= 1)) throw new TypeError('maxRoutes must be a positive integer');
  const routes = boundedLabel(maxRoutes);
  const issuers = boundedLabel(maxRoutes);
  const registry = new Registry();

  const decisions = new Counter({
    name: 'gatehouse_decisions_total',
    help: 'Gateway decisions by route, result (allow or deny) and reason code.',
    labelNames: ['route', 'result', 'reason'] as const,
    registers: [registry],
  });
  const tokenVerify = new Histogram({
    name: 'gatehouse_token_verify_seconds',
    help: 'Time to verify one access token (signature and claims, or a verified-token cache hit).',
    buckets: [...TOKEN_VERIFY_BUCKETS],
    registers: [registry],
  });
  const upstream = new Histogram({
    name: 'gatehouse_upstream_request_seconds',
    help: 'Time from forwarding a request to the upstream\'s response, by route and status class (error: no response).',
    labelNames: ['route', 'status_class'] as const,
    buckets: [...UPSTREAM_BUCKETS],
    registers: [registry],
  });
  const jwksFetches = new Counter({
    name: 'gatehouse_jwks_fetches_total',
    help: 'Remote JWKS fetches by issuer and result (fetched, failed, throttled, expired).',
    labelNames: ['issuer', 'result'] as const,
    registers: [registry],
  });
  const activatedAt = options.signingKeyActivatedAt;
  new Gauge({
    name: 'gatehouse_signing_key_age_seconds',
    help: 'Seconds since the active signing key began signing (NaN when there is none).',
    registers: [registry],
    collect() {
      const at = activatedAt?.();
      this.set(typeof at === 'number' ? Math.max(0, (clock() - at) / 1000) : Number.NaN);
    },
  });
  const syncAge = options.revocationSyncAgeMs;
  if (syncAge !== undefined) {
    new Gauge({
      name: 'gatehouse_revocation_sync_age_seconds',
      help: 'Seconds since the revocation lists last synced with the store (+Inf before the first); past cluster.failClosedAfter the gateway fails closed.',
      registers: [registry],
      collect() {
        this.set(syncAge() / 1000);
      },
    });
  }
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });

  // prom-client hashes the label object on every call; the hot path looks its child up by one string.
  const decisionChildren = new Map<string, Counter.Internal>();
  const upstreamChildren = new Map<string, Histogram.Internal<'route' | 'status_class'>>();

  return {
    registry,
    recordDecision(decision) {
      const route = decision.route === null ? NONE_LABEL : routes(decision.route);
      const result = decision.decision === 'allow' || decision.decision === 'deny' ? decision.decision : OTHER_LABEL;
      const reason = decision.reason === null || decision.reason === undefined ? NONE_LABEL : knownReasons.has(decision.reason) ? decision.reason : OTHER_LABEL;
      const key = `${route}\n${result}\n${reason}`;
      let child = decisionChildren.get(key);
      if (child === undefined) {
        child = decisions.labels({ route, result, reason });
        decisionChildren.set(key, child);
      }
      child.inc();
    },
    observeTokenVerify(seconds) {
      if (Number.isFinite(seconds) && seconds >= 0) tokenVerify.observe(seconds);
    },
    observeUpstream(route, status, seconds) {
      if (!(Number.isFinite(seconds) && seconds >= 0)) return;
      const label = routes(route);
      const statusClass = typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? `${Math.floor(status / 100)}xx` : 'error';
      const key = `${label}\n${statusClass}`;
      let child = upstreamChildren.get(key);
      if (child === undefined) {
        child = upstream.labels({ route: label, status_class: statusClass });
        upstreamChildren.set(key, child);
      }
      child.observe(seconds);
    },
    recordJwksEvent(event, issuer) {
      const result = Object.hasOwn(JWKS_RESULTS, event?.type) ? JWKS_RESULTS[event.type] : undefined;
      if (result !== undefined) jwksFetches.inc({ issuer: issuers(issuer ?? event.url), result });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** A label that keeps the first `max` distinct values it sees and maps every later one to `other`. */
function boundedLabel(max: number): (value: unknown) => string {
  const seen = new Set<string>();
  return (value) => {
    if (typeof value !== 'string' || value.length === 0) return OTHER_LABEL;
    if (seen.has(value)) return value;
    if (seen.size >= max) return OTHER_LABEL;
    seen.add(value);
    return value;
  };
}
