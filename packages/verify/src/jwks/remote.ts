import { ALGORITHMS } from '../algorithms.ts';
import { GatehouseError, type ErrorCode } from '../errors.ts';
import type { KeySource } from '../key-source.ts';
import { parseJsonObject } from '../strict-json.ts';
import { importTrustedKeySet, type ImportedKeySet, type ImportKeyOptions, type TrustedKey } from '../trusted-key.ts';
import { readBoundedBody } from '../bounded-body.ts';
import { checkEndpointUrl } from '../endpoint-url.ts';
import { describeError, monotonicNow, nonNegative, positive } from '../request-support.ts';

export type SkippedKey = ImportedKeySet['skipped'][number];

/** What a remote key source reports, for metrics and logs. Names are noun.verb. */
export type JwksEvent =
  | { readonly type: 'jwks.fetched'; readonly url: string; readonly keyCount: number; readonly skipped: readonly SkippedKey[] }
  /**
   * `code` is jwks_fetch_failed (network, timeout, status, size, JSON) or keyset_rejected (the
   * server answered with a set refused as a whole). The last good set is kept either way.
   */
  | { readonly type: 'jwks.fetch_failed'; readonly url: string; readonly code: ErrorCode; readonly message: string }
  | { readonly type: 'jwks.refresh_throttled'; readonly url: string; readonly kid: string }
  /** Refetches failed for longer than lifetime + grace: the keys were dropped, verification fails closed. */
  | { readonly type: 'jwks.expired'; readonly url: string; readonly fetchedAt: number };

export interface RemoteKeySourceOptions extends ImportKeyOptions {
  /** Per fetch, body included. Default 5,000 ms. */
  readonly timeoutMs?: number;
  /** Largest accepted body, enforced while reading. Default 512 KiB. */
  readonly maxBodyBytes?: number;
  /** How long a fetched set is fresh; after that it is still served while one refetch runs. Default 10 min. */
  readonly cacheLifetimeMs?: number;
  /** How long past its lifetime the last good set is kept while refetches fail. Default 1 h. */
  readonly gracePeriodMs?: number;
  /** Minimum time between two fetch attempts of this source, whatever asks for them. Default 30 s. */
  readonly refreshCooldownMs?: number;
  readonly onEvent?: (event: JwksEvent) => void;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
  /** Default globalThis.fetch. */
  readonly fetch?: typeof globalThis.fetch;
}

export const REMOTE_JWKS_DEFAULTS = {
  timeoutMs: 5_000,
  maxBodyBytes: 512 * 1024,
  cacheLifetimeMs: 10 * 60_000,
  gracePeriodMs: 60 * 60_000,
  refreshCooldownMs: 30_000,
} as const;

/** One trusted issuer's JWKS endpoint. See RemoteKeySource. */
export function createRemoteKeySource(url: string | URL, options: RemoteKeySourceOptions = {}): RemoteKeySource {
  return new RemoteKeySource(url, options);
}

/**
 * A KeySource backed by a JWKS URL.
 *
 * - Loads lazily: the first fetch starts on first use (getKey, refresh or ready), so building a
 *   configuration does no network I/O. A server that wants warm keys awaits ready() at startup.
 * - getKey never waits. After the lifetime it keeps answering from the current set and starts one
 *   background refetch (stale-while-revalidate). Once the set is older than lifetime + grace it is
 *   dropped and `available` turns false until a fetch succeeds (fail closed).
 * - At most one fetch is in flight, and fetch attempts are at least `refreshCooldownMs` apart, be
 *   they background refetches or refresh(kid) for an unknown kid: no fetch storms, even when the
 *   server keeps failing or tokens carry random kids.
 * - No timers outlive a fetch (the per-fetch timeout is unref'd and cleared); close() aborts the
 *   fetch in flight and stops further ones.
 */
export class RemoteKeySource implements KeySource {
  readonly url: string;
  readonly #importOptions: ImportKeyOptions;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #lifetimeMs: number;
  readonly #graceMs: number;
  readonly #cooldownMs: number;
  readonly #onEvent: ((event: JwksEvent) => void) | undefined;
  readonly #clock: () => number;
  readonly #fetch: typeof globalThis.fetch;

  #keys: ReadonlyMap<string, TrustedKey> | undefined;
  #fetchedAt = 0;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<boolean> | undefined;
  #abortInFlight: AbortController | undefined;
  #firstAttempt: Promise<void> | undefined;
  #closed = false;

  constructor(url: string | URL, options: RemoteKeySourceOptions = {}) {
    this.url = checkJwksUrl(url);
    const { timeoutMs, maxBodyBytes, cacheLifetimeMs, gracePeriodMs, refreshCooldownMs, onEvent, clock, fetch, ...importOptions } = options;
    if (importOptions.algorithms?.some((alg) => ALGORITHMS[alg]?.kty === 'oct')) {
      // A JWKS endpoint is public; a shared secret fetched from one would be no secret.
      throw new GatehouseError('invalid_option', 'a remote JWKS cannot carry HMAC keys; use a local key set');
    }
    this.#importOptions = importOptions;
    this.#timeoutMs = positive('timeoutMs', timeoutMs ?? REMOTE_JWKS_DEFAULTS.timeoutMs);
    this.#maxBodyBytes = positive('maxBodyBytes', maxBodyBytes ?? REMOTE_JWKS_DEFAULTS.maxBodyBytes);
    this.#lifetimeMs = positive('cacheLifetimeMs', cacheLifetimeMs ?? REMOTE_JWKS_DEFAULTS.cacheLifetimeMs);
    this.#graceMs = nonNegative('gracePeriodMs', gracePeriodMs ?? REMOTE_JWKS_DEFAULTS.gracePeriodMs);
    this.#cooldownMs = nonNegative('refreshCooldownMs', refreshCooldownMs ?? REMOTE_JWKS_DEFAULTS.refreshCooldownMs);
    if (onEvent !== undefined && typeof onEvent !== 'function') throw new GatehouseError('invalid_option', '"onEvent" must be a function');
    if (clock !== undefined && typeof clock !== 'function') throw new GatehouseError('invalid_option', '"clock" must be a function');
    if (fetch !== undefined && typeof fetch !== 'function') throw new GatehouseError('invalid_option', '"fetch" must be a function');
    this.#onEvent = onEvent;
    // Ages and cooldowns are intervals: a monotonic clock, so a wall-clock step back (NTP, VM
    // restore) cannot make an old set look fresh or throttle refreshes for the size of the step.
    this.#clock = clock ?? monotonicNow;
    this.#fetch = fetch ?? globalThis.fetch;
  }

  getKey(kid: string): TrustedKey | undefined {
    return this.#current()?.get(kid);
  }

  get available(): boolean {
    return this.#current() !== undefined;
  }

  /** The keys currently trusted (empty before the first load and after expiry), for consoles and debugging. */
  get keys(): readonly TrustedKey[] {
    return [...(this.#current()?.values() ?? [])];
  }

  /** When the current set was fetched (ms since the epoch), or undefined when there is none. */
  get fetchedAt(): number | undefined {
    return this.#keys === undefined ? undefined : this.#fetchedAt;
  }

  refresh(kid: string): Promise<boolean> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    if (this.#closed) return Promise.resolve(false);
    const started = this.#startFetch();
    if (started !== undefined) return started;
    this.#emit({ type: 'jwks.refresh_throttled', url: this.url, kid });
    return Promise.resolve(false);
  }

  ready(): Promise<void> {
    if (this.#firstAttempt === undefined) this.#startFetch();
    return this.#firstAttempt ?? Promise.resolve();
  }

  /** Aborts the fetch in flight and makes no more. Keys already loaded keep serving until they expire. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#abortInFlight?.abort(new GatehouseError('jwks_fetch_failed', 'key source closed'));
    await this.#inFlight;
  }

  /** The set to answer from, after expiring it if too old; starts the first load or a background refetch when due. */
  #current(): ReadonlyMap<string, TrustedKey> | undefined {
    if (this.#keys === undefined) {
      this.#startFetch();
      return undefined;
    }
    const age = this.#clock() - this.#fetchedAt;
    // A negative age means an injected clock went backwards: treat the set as due, not as fresh.
    if (age >= 0 && age < this.#lifetimeMs) return this.#keys;
    if (age >= this.#lifetimeMs + this.#graceMs) {
      const fetchedAt = this.#fetchedAt;
      this.#keys = undefined;
      this.#emit({ type: 'jwks.expired', url: this.url, fetchedAt });
      this.#startFetch();
      return undefined;
    }
    this.#startFetch();
    return this.#keys;
  }

  /**
   * Starts a fetch unless one is in flight, the source is closed, or the cooldown since the last
   * attempt has not passed. Returns the fetch's promise (true on success) or undefined if none started.
   */
  #startFetch(): Promise<boolean> | undefined {
    if (this.#inFlight !== undefined || this.#closed) return undefined;
    const now = this.#clock();
    const sinceLastAttempt = now - this.#lastAttemptAt;
    if (sinceLastAttempt >= 0 && sinceLastAttempt < this.#cooldownMs) return undefined;
    this.#lastAttemptAt = now;
    const controller = new AbortController();
    this.#abortInFlight = controller;
    const fetching = this.#load(controller).finally(() => {
      this.#inFlight = undefined;
      this.#abortInFlight = undefined;
    });
    this.#inFlight = fetching;
    this.#firstAttempt ??= fetching.then(() => undefined);
    return fetching;
  }

  /** One fetch attempt. Never rejects: failures become jwks.fetch_failed and leave the current set alone. */
  async #load(controller: AbortController): Promise<boolean> {
    const timer = setTimeout(() => controller.abort(new GatehouseError('jwks_fetch_failed', `GET ${this.url} timed out after ${this.#timeoutMs} ms`)), this.#timeoutMs);
    timer.unref();
    try {
      const imported = await this.#fetchKeySet(controller.signal);
      // A set with no usable signature key would turn every token into unknown_kid: treat it as
      // a failed fetch and keep the last good set (within its grace period).
      if (imported.keys.length === 0) {
        throw new GatehouseError('keyset_rejected', `GET ${this.url}: no usable signature key in the set (${imported.skipped.length} skipped)`);
      }
      this.#keys = this.#index(imported.keys);
      this.#fetchedAt = this.#clock();
      this.#emit({ type: 'jwks.fetched', url: this.url, keyCount: imported.keys.length, skipped: imported.skipped });
      return true;
    } catch (error) {
      if (!this.#closed) {
        const known = error instanceof GatehouseError;
        this.#emit({
          type: 'jwks.fetch_failed',
          url: this.url,
          code: known ? error.code : 'jwks_fetch_failed',
          message: known ? error.message : `unexpected error: ${describeError(error)}`,
        });
      }
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async #fetchKeySet(signal: AbortSignal): Promise<ImportedKeySet> {
    let response: Response;
    try {
      response = await this.#fetch(this.url, {
        signal,
        // A JWKS that moved is a configuration change for a person to make, not one to follow.
        redirect: 'error',
        headers: { accept: 'application/jwk-set+json, application/json' },
      });
    } catch (cause) {
      throw abortReason(signal) ?? fetchFailed(`GET ${this.url} failed: ${describeError(cause)}`, cause);
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw fetchFailed(`GET ${this.url} answered status ${response.status}, expected 200`);
    }
    const body = await readBounded(response, this.#maxBodyBytes, signal, this.url);
    const parsed = parseJsonObject(body);
    if (!parsed.ok) throw fetchFailed(`GET ${this.url}: body is not a JSON object (${parsed.fault})`);
    return importTrustedKeySet(parsed.value, this.#importOptions);
  }

  /** Keeps the previous TrustedKey object for a key that did not change, so verified-token caches stay warm across refetches. */
  #index(keys: readonly TrustedKey[]): ReadonlyMap<string, TrustedKey> {
    const map = new Map<string, TrustedKey>();
    for (const key of keys) {
      const previous = this.#keys?.get(key.kid);
      map.set(key.kid, previous !== undefined && sameKey(previous, key) ? previous : key);
    }
    return map;
  }

  #emit(event: JwksEvent): void {
    try {
      this.#onEvent?.(event);
    } catch {
      // An observer's bug must not break key loading or verification.
    }
  }
}

async function readBounded(response: Response, maxBytes: number, signal: AbortSignal, url: string): Promise<Buffer> {
  let body: Buffer | undefined;
  try {
    body = await readBoundedBody(response, maxBytes);
  } catch (error) {
    throw abortReason(signal) ?? fetchFailed(`GET ${url}: reading the body failed: ${describeError(error)}`, error);
  }
  if (body === undefined) throw fetchFailed(`GET ${url}: body exceeds ${maxBytes} bytes`);
  return body;
}

function sameKey(a: TrustedKey, b: TrustedKey): boolean {
  if (a.alg !== b.alg || a.publicJwk === undefined || b.publicJwk === undefined) return false;
  const aEntries = Object.entries(a.publicJwk);
  return aEntries.length === Object.keys(b.publicJwk).length && aEntries.every(([name, value]) => b.publicJwk![name] === value);
}

/** https only, except plain http to a loopback address (development and tests); no credentials, no fragment. */
export function checkJwksUrl(input: string | URL): string {
  return checkEndpointUrl(input, 'JWKS URL');
}

function fetchFailed(message: string, cause?: unknown): GatehouseError {
  return new GatehouseError('jwks_fetch_failed', message, cause === undefined ? undefined : { cause });
}

/** Our own abort reasons (timeout, close) say more than the generic AbortError fetch throws. */
function abortReason(signal: AbortSignal): GatehouseError | undefined {
  return signal.aborted && signal.reason instanceof GatehouseError ? signal.reason : undefined;
}

