/**
 * A task that many triggers ask for and that must not pile up: a request while it runs makes it
 * run exactly once more afterwards (that run sees everything the triggers announced), however
 * many requests came meanwhile. The returned promise settles with the run that covers the request.
 */
export class CoalescedTask {
  readonly #task: () => Promise<void>;
  #running: Promise<void> | undefined;
  #again: Promise<void> | undefined;

  constructor(task: () => Promise<void>) {
    this.#task = task;
  }

  run(): Promise<void> {
    if (this.#running === undefined) return this.#start();
    this.#again ??= this.#running.then(
      () => this.#start(),
      () => this.#start(),
    );
    return this.#again;
  }

  /** Resolves once nothing runs or waits (for close()). */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running.catch(() => {});
  }

  #start(): Promise<void> {
    this.#again = undefined;
    const run = this.#task().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }
}
