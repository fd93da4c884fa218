import type { Logger } from 'pino';
import { ChangeListener, type ChangeListenerOptions } from './change-listener.ts';
import type { ChangeTopic } from './change-channel.ts';
import { CoalescedTask } from './coalesced-task.ts';

export interface ReplicaSyncOptions {
  /** Where to LISTEN, and how (backoff, heartbeat): see ChangeListener. */
  readonly listen: Omit<ChangeListenerOptions, 'onChange' | 'onConnected' | 'onDisconnected' | 'logger'>;
  /** Reads the revocations added since the last read (RevocationState.catchUp on the store). */
  readonly catchUpRevocations: () => Promise<unknown>;
  /** Reloads the signing key records (KeyManager.tick). */
  readonly reloadKeys: () => Promise<unknown>;
  readonly logger?: Logger;
  /**
   * While the listener is not connected, revocations are read this often instead (the store's
   * pool may well work while the listening connection is down), so the bound holds through a
   * listener outage. Default 1 s.
   */
  readonly pollWhileDisconnectedMs?: number;
}

/**
 * What keeps one replica current with the others between issuer ticks: a notification of a
 * revocation triggers a revocation catch-up at once, one of a key change a key reload; after every
 * (re)connection both run, for what was missed; while disconnected, revocations are polled. Runs
 * coalesce: a burst of notifications costs one read, plus one more if it arrives mid-read.
 * The issuer's periodic tick stays underneath as the safety net.
 */
export class ReplicaSync {
  readonly #listener: ChangeListener;
  readonly #revocations: CoalescedTask;
  readonly #keys: CoalescedTask;
  readonly #pollMs: number;
  #poll: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ReplicaSyncOptions) {
    const log = options.logger;
    this.#revocations = new CoalescedTask(loggedOnChange('revocation catch-up', options.catchUpRevocations, log));
    this.#keys = new CoalescedTask(loggedOnChange('key reload', options.reloadKeys, log));
    this.#pollMs = options.pollWhileDisconnectedMs ?? 1_000;
    this.#listener = new ChangeListener({
      ...options.listen,
      ...(log === undefined ? {} : { logger: log }),
      onChange: (topic) => void this.#follow(topic),
      onConnected: () => {
        this.#stopPolling();
        void this.#follow('revocations');
        void this.#follow('keys');
      },
      onDisconnected: () => this.#startPolling(),
    });
  }

  /** Connects the listener (in the background) and polls until it is up. */
  start(): void {
    this.#startPolling();
    this.#listener.start();
  }

  /** Whether notifications reach this replica now. */
  get listening(): boolean {
    return this.#listener.connected;
  }

  /** The listening connection's server process id, while connected (diagnostics, fault tests). */
  get listenerPid(): number | undefined {
    return this.#listener.backendPid;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopPolling();
    await this.#listener.close();
    await Promise.all([this.#revocations.idle(), this.#keys.idle()]);
  }

  #follow(topic: ChangeTopic): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return topic === 'revocations' ? this.#revocations.run() : this.#keys.run();
  }

  #startPolling(): void {
    if (this.#closed || this.#poll !== undefined) return;
    this.#poll = setInterval(() => void this.#follow('revocations'), this.#pollMs);
    this.#poll.unref();
  }

  #stopPolling(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }
}

/**
 * The task, never rejecting, that logs a failure when it starts failing and again when it works
 * again: during an outage it runs every second, and one line per second would bury the rest.
 */
function loggedOnChange(what: string, task: () => Promise<unknown>, log: Logger | undefined): () => Promise<void> {
  let failing = false;
  return async () => {
    try {
      await task();
      if (failing) log?.info(`cluster: ${what} works again`);
      failing = false;
    } catch (error) {
      if (!failing) log?.error({ err: error }, `cluster: ${what} failed; retrying (silently until it works again)`);
      failing = true;
    }
  };
}
