import { Pool } from 'undici';

export interface Upstream {
  readonly pool: Pool;
  /** The upstream URL's path without its trailing slash ('' for `/`), prefixed to every request-target. */
  readonly basePath: string;
}

export interface UpstreamPoolSettings {
  /** Per origin. Requests beyond it wait in the pool's queue; WebSocket tunnels leave the pool once upgraded. */
  readonly connections: number;
  readonly connectMs: number;
  readonly headersMs: number;
  readonly bodyMs: number;
}

const SCHEMES: Readonly<Record<string, string>> = { 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' };

export interface ParsedUpstream {
  /** What the pool connects to: ws becomes http, wss https. */
  readonly origin: string;
  readonly basePath: string;
}

/**
 * An upstream URL's origin and path prefix, or undefined when it is not an http(s)/ws(s) URL
 * without credentials, query or fragment. The path an upstream receives is `basePath` + the
 * verdict's path (or the client's): the upstream assertion must name that one.
 */
export function parseUpstream(upstream: string): ParsedUpstream | undefined {
  if (!URL.canParse(upstream)) return undefined;
  const url = new URL(upstream);
  const scheme = SCHEMES[url.protocol];
  if (scheme === undefined || url.host === '' || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || upstream.includes('#')) return undefined;
  return { origin: `${scheme}//${url.host}`, basePath: url.pathname.replace(/\/+$/, '') };
}

/**
 * One keep-alive undici Pool per upstream origin, created on the first request for it and kept
 * until close(). Looked up by the verdict's upstream string, so the URL is parsed once per
 * distinct string, never per request.
 */
export class Upstreams {
  readonly #settings: UpstreamPoolSettings;
  readonly #byUpstream = new Map<string, Upstream>();
  readonly #byOrigin = new Map<string, Pool>();
  #closed = false;

  constructor(settings: UpstreamPoolSettings) {
    this.#settings = settings;
  }

  /** Undefined when `upstream` is not an http(s)/ws(s) URL without credentials, query or fragment, or after close(). */
  resolve(upstream: string): Upstream | undefined {
    const known = this.#byUpstream.get(upstream);
    if (known !== undefined || this.#closed) return known;
    const parsed = parseUpstream(upstream);
    if (parsed === undefined) return undefined;
    const { origin, basePath } = parsed;
    let pool = this.#byOrigin.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: this.#settings.connections,
        pipelining: 1,
        connectTimeout: this.#settings.connectMs,
        headersTimeout: this.#settings.headersMs,
        bodyTimeout: this.#settings.bodyMs,
      });
      this.#byOrigin.set(origin, pool);
    }
    const resolved: Upstream = { pool, basePath };
    this.#byUpstream.set(upstream, resolved);
    return resolved;
  }

  /** Destroys every pool: in-flight upstream requests are aborted. */
  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#byOrigin.values()];
    this.#byOrigin.clear();
    this.#byUpstream.clear();
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}
