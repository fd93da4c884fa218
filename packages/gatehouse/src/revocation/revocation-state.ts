import { performance } from 'node:perf_hooks';
import type { AccessTokenClaims, RevocationCheck, RevocationList } from '@gatehouse/verify';
import type { Revocation, RevocationRepository } from '../store/index.ts';

export interface RevocationStateOptions {
  /**
   * Milliseconds on a monotonic clock, for the age of the last sync (default performance.now): a
   * step of the wall clock must neither fail the gateway closed nor stretch its grace.
   */
  readonly monotonicClock?: () => number;
}

/**
 * The revocation lists as in-process verifiers consult them on every request, cached hits
 * included: token (jti, until its exp), family (sid, until no token of it can verify), subject
 * (tokens issued at or before the revocation), key (kid). Loaded from the store at start, then
 * kept current by `apply` — at once for revocations made in this process, and by `catchUp` for
 * those of other processes. Lookups are Map/Set reads; nothing here touches the store on the
 * request path. It also knows how old it may be (sinceSyncMs), for the gateway's fail-closed grace.
 */
export class RevocationState {
  /** jti → when the entry can go (ms), null = never. */
  readonly #tokens = new Map<string, number | null>();
  /** sid → when the entry can go (ms), null = never. */
  readonly #families = new Map<string, number | null>();
  /** sub → latest revocation time (ms). */
  readonly #subjects = new Map<string, number>();
  readonly #keys = new Set<string>();
  #cursor = 0;
  readonly #monotonicClock: () => number;
  /** When the last successful read of the store began (monotonic ms); undefined before the first. */
  #syncedAt: number | undefined;

  constructor(options: RevocationStateOptions = {}) {
    this.#monotonicClock = options.monotonicClock ?? (() => performance.now());
  }

  /** The hook to pass to createVerifier({ isRevoked }). */
  readonly isRevoked: RevocationCheck = (claims: AccessTokenClaims, kid: string): RevocationList | undefined => {
    if (this.#keys.has(kid)) return 'key';
    if (this.#tokens.has(claims.jti)) return 'token';
    if (claims.sid !== undefined && this.#families.has(claims.sid)) return 'family';
    const since = this.#subjects.get(claims.sub);
    // iat has one-second resolution: a token from the revocation's own second counts as before it.
    if (since !== undefined && claims.iat * 1000 <= since) return 'subject';
    return undefined;
  };

  /** The id of the last entry applied; pass it to changesSince. */
  get cursor(): number {
    return this.#cursor;
  }

  apply(entries: readonly Revocation[]): void {
    for (const entry of entries) {
      switch (entry.kind) {
        case 'token': this.#tokens.set(entry.value, entry.expiresAt); break;
        // The same family may be revoked twice (sign-out, then reuse): the longer-lived entry holds.
        case 'family': this.#families.set(entry.value, laterExpiry(this.#families.get(entry.value), entry.expiresAt)); break;
        case 'key': this.#keys.add(entry.value); break;
        case 'subject': this.#subjects.set(entry.value, Math.max(entry.revokedAt, this.#subjects.get(entry.value) ?? 0)); break;
      }
      if (entry.id > this.#cursor) this.#cursor = entry.id;
    }
  }

  /** Loads every entry still in force. */
  async load(repository: RevocationRepository, nowMs: number): Promise<void> {
    const started = this.#monotonicClock();
    const batch = await repository.listActive(nowMs);
    this.apply(batch.entries);
    this.#cursor = Math.max(this.#cursor, batch.cursor);
    this.#synced(started);
  }

  /** Applies what other processes added since the last call. */
  async catchUp(repository: RevocationRepository): Promise<number> {
    const started = this.#monotonicClock();
    let applied = 0;
    for (;;) {
      const batch = await repository.changesSince(this.#cursor);
      this.apply(batch.entries);
      this.#cursor = Math.max(this.#cursor, batch.cursor);
      applied += batch.entries.length;
      if (batch.entries.length === 0) {
        this.#synced(started);
        return applied;
      }
    }
  }

  /**
   * Milliseconds since the lists were last known to hold everything the store had: since the start
   * of the last load or catchUp that completed (Infinity before the first). The gateway fails
   * closed when this passes its grace (`cluster.failClosedAfter`).
   */
  sinceSyncMs(): number {
    return this.#syncedAt === undefined ? Number.POSITIVE_INFINITY : this.#monotonicClock() - this.#syncedAt;
  }

  #synced(started: number): void {
    // Reads may overlap (a notification's catch-up and the tick's): the latest start counts.
    this.#syncedAt = this.#syncedAt === undefined ? started : Math.max(this.#syncedAt, started);
  }

  /** Drops token and family entries whose expiry has passed: no token they name can verify any more (bounded memory). */
  prune(nowMs: number): void {
    for (const entries of [this.#tokens, this.#families]) {
      for (const [value, expiresAt] of entries) if (expiresAt !== null && expiresAt <= nowMs) entries.delete(value);
    }
  }

  get size(): { tokens: number; families: number; subjects: number; keys: number } {
    return { tokens: this.#tokens.size, families: this.#families.size, subjects: this.#subjects.size, keys: this.#keys.size };
  }
}

/** The later of two expiries, null (never) being the latest; undefined = no entry yet. */
function laterExpiry(current: number | null | undefined, next: number | null): number | null {
  if (current === undefined) return next;
  return current === null || next === null ? null : Math.max(current, next);
}
