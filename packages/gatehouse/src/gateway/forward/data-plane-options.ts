import type { BlockList } from 'node:net';
import { trustedForwarders } from './client-address.ts';
import type { ExchangeRecord } from './exchange-record.ts';
import { headerRules, type HeaderRules } from './upstream-request-headers.ts';
import type { UpstreamPoolSettings } from './upstreams.ts';
import type { DecideHook } from './verdict.ts';

export interface DataPlaneOptions<TAudit = unknown> {
  /** Authentication and policy: answers every request, HTTP and WebSocket, before any upstream is contacted. */
  readonly decide: DecideHook<TAudit>;
  readonly upstreamTimeouts?: {
    /** Connecting (TCP and TLS) to an upstream. */
    readonly connectMs?: number;
    /** From the request being sent to the response's headers being complete. */
    readonly headersMs?: number;
    /** The longest pause between two pieces of a response body (not the whole body: streams may be long). */
    readonly bodyMs?: number;
    /** A WebSocket tunnel with no traffic either way for this long is closed. 0: never. */
    readonly tunnelIdleMs?: number;
  };
  readonly clientTimeouts?: {
    /** A client must finish sending its request headers within this (bounds slowloris). */
    readonly headersMs?: number;
    /** …and its whole request, body included, within this (bounds slow uploads); at least headersMs. */
    readonly requestMs?: number;
    /** An idle keep-alive client connection is closed after this. */
    readonly keepAliveMs?: number;
  };
  /** The largest request head (request line and headers) a client may send; more gets 431. */
  readonly maxHeaderBytes?: number;
  /** Connections per upstream origin. */
  readonly upstreamConnections?: number;
  /** Client header names (any case) removed from every request, e.g. X-User-Id, X-Roles: identity claims some upstream might believe. */
  readonly stripHeaders?: readonly string[];
  /**
   * Peers (IP addresses or CIDR ranges: a load balancer) whose X-Forwarded-For, -Proto and -Host
   * are believed. Empty by default: every client's X-Forwarded-* is replaced.
   */
  readonly trustForwardedFrom?: readonly string[];
  /** Called once per request when it is over; must not throw (a throw is caught and reported as a process warning). */
  readonly onResult?: (record: ExchangeRecord<TAudit>) => void;
}

export const DATA_PLANE_DEFAULTS = {
  upstreamTimeouts: { connectMs: 5_000, headersMs: 30_000, bodyMs: 60_000, tunnelIdleMs: 600_000 },
  clientTimeouts: { headersMs: 10_000, requestMs: 120_000, keepAliveMs: 5_000 },
  maxHeaderBytes: 16_384,
  upstreamConnections: 128,
} as const;

export interface DataPlaneSettings<TAudit> {
  readonly decide: DecideHook<TAudit>;
  readonly onResult: ((record: ExchangeRecord<TAudit>) => void) | undefined;
  readonly pools: UpstreamPoolSettings;
  readonly tunnelIdleMs: number;
  readonly client: { readonly headersMs: number; readonly requestMs: number; readonly keepAliveMs: number };
  readonly maxHeaderBytes: number;
  readonly headerRules: HeaderRules;
  readonly trusted: BlockList | null;
}

function positiveInteger(name: string, value: number | undefined, fallback: number, { zeroAllowed = false } = {}): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < (zeroAllowed ? 0 : 1)) throw new TypeError(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} integer, got ${String(value)}`);
  return value;
}

/** Checks every option once, when the data plane is created; nothing is re-checked per request. */
export function resolveDataPlaneOptions<TAudit>(options: DataPlaneOptions<TAudit>): DataPlaneSettings<TAudit> {
  if (typeof options.decide !== 'function') throw new TypeError('decide must be a function');
  if (options.onResult !== undefined && typeof options.onResult !== 'function') throw new TypeError('onResult must be a function');
  const upstream = options.upstreamTimeouts ?? {};
  const client = options.clientTimeouts ?? {};
  const defaults = DATA_PLANE_DEFAULTS;
  const headersMs = positiveInteger('clientTimeouts.headersMs', client.headersMs, defaults.clientTimeouts.headersMs);
  const requestMs = positiveInteger('clientTimeouts.requestMs', client.requestMs, Math.max(defaults.clientTimeouts.requestMs, headersMs));
  if (requestMs < headersMs) throw new TypeError('clientTimeouts.requestMs must be at least clientTimeouts.headersMs');
  return {
    decide: options.decide,
    onResult: options.onResult,
    pools: {
      connections: positiveInteger('upstreamConnections', options.upstreamConnections, defaults.upstreamConnections),
      connectMs: positiveInteger('upstreamTimeouts.connectMs', upstream.connectMs, defaults.upstreamTimeouts.connectMs),
      headersMs: positiveInteger('upstreamTimeouts.headersMs', upstream.headersMs, defaults.upstreamTimeouts.headersMs),
      bodyMs: positiveInteger('upstreamTimeouts.bodyMs', upstream.bodyMs, defaults.upstreamTimeouts.bodyMs),
    },
    tunnelIdleMs: positiveInteger('upstreamTimeouts.tunnelIdleMs', upstream.tunnelIdleMs, defaults.upstreamTimeouts.tunnelIdleMs, { zeroAllowed: true }),
    client: { headersMs, requestMs, keepAliveMs: positiveInteger('clientTimeouts.keepAliveMs', client.keepAliveMs, defaults.clientTimeouts.keepAliveMs) },
    maxHeaderBytes: positiveInteger('maxHeaderBytes', options.maxHeaderBytes, defaults.maxHeaderBytes),
    headerRules: headerRules(options.stripHeaders ?? []),
    trusted: options.trustForwardedFrom === undefined || options.trustForwardedFrom.length === 0 ? null : trustedForwarders(options.trustForwardedFrom),
  };
}
