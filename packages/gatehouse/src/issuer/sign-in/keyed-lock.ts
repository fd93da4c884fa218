/**
 * Runs tasks one at a time per key, in this process. The sign-in throttle needs it because
 * "check the count, verify, record the failure" is not atomic: without it, a burst of concurrent
 * guesses would all pass the check before the first failure is counted. Across replicas the
 * store is shared but locks are not, so at most one attempt per key per replica is in flight.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /**
   * Holds every key in `keys` while `task` runs. Callers must list keys in one consistent order
   * (the throttle: account key, then address key; the two never coincide), so no two tasks wait
   * on each other in a cycle.
   */
  async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    try {
      for (const key of keys) releases.push(await this.#acquire(key));
      return await task();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** Number of keys with a holder or waiters (for tests: nothing is left behind). */
  get size(): number {
    return this.#tails.size;
  }

  async #acquire(key: string): Promise<() => void> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const tail = previous.then(() => held);
    this.#tails.set(key, tail);
    await previous;
    return () => {
      release();
      // The last one out removes the key, so the map only holds keys in use.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
  }
}
