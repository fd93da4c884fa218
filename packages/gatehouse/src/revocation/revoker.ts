import type { Revocation, RevocationKind, Store } from '../store/index.ts';
import type { RevocationState } from './revocation-state.ts';

export interface RevokeRequest {
  readonly kind: RevocationKind;
  /** jti, family id (sid), sub, or kid. */
  readonly value: string;
  /** For a token: its exp (ms), after which the entry can go. Otherwise kept. */
  readonly expiresAt?: number | null;
  readonly reason: string;
}

/**
 * Records a revocation in the store (for other processes and for restarts) and applies it to this
 * process's verifiers before resolving, so the next request here is already refused. `announce`
 * then tells the other replicas (PostgreSQL NOTIFY, src/cluster); it must not throw — a lost
 * announcement only leaves them to their next catch-up.
 */
export class Revoker {
  readonly #store: Store;
  readonly #state: RevocationState;
  readonly #clock: () => number;
  readonly #announce: ((entry: Revocation) => Promise<void>) | undefined;

  constructor(store: Store, state: RevocationState, clock: () => number = Date.now, announce?: (entry: Revocation) => Promise<void>) {
    this.#store = store;
    this.#state = state;
    this.#clock = clock;
    this.#announce = announce;
  }

  async revoke(request: RevokeRequest): Promise<void> {
    const entry = await this.#store.revocations.add({
      kind: request.kind,
      value: request.value,
      revokedAt: this.#clock(),
      expiresAt: request.expiresAt ?? null,
      reason: request.reason,
    });
    this.#state.apply([entry]);
    await this.#announce?.(entry);
  }
}
