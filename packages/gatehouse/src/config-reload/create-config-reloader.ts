import { ConfigInvalidError, type ConfigIssue, type ConfigWarning, type Environment, type GatehouseConfig } from '../config/index.ts';
import { loadHashedConfig } from './load-hashed-config.ts';
import { refuseRestartOnlyChanges } from './restart-only-settings.ts';
import { nodeDirectoryWatcher, watchConfigFile, type DirectoryWatcher } from './watch-config-file.ts';

/** A configuration and everything built from it, swapped together. Frozen. */
export interface ConfigSnapshot<T> {
  readonly config: GatehouseConfig;
  readonly state: T;
}

export type ReloadResult =
  | { readonly status: 'swapped'; readonly warnings: readonly ConfigWarning[] }
  /** The file's bytes are the ones running: nothing was parsed into a new state. */
  | { readonly status: 'unchanged' }
  /** The running snapshot stays. `error` is what was thrown, unwrapped (its code says why). */
  | { readonly status: 'rejected'; readonly error: Error };

export interface ConfigReloaderOptions<T> {
  readonly path: string;
  /** Where `${VAR}` reads. Default process.env. */
  readonly env?: Environment;
  /**
   * Compiles everything derived from a configuration (routes, policies, …) and throws on any
   * problem. It must not touch what the running state uses: until the swap, the old state serves.
   */
  build(config: GatehouseConfig): T | Promise<T>;
  /**
   * What the process started with. `contentHash` (from loadHashedConfig) lets the first reload of
   * an untouched file answer `unchanged`; without it the first reload always rebuilds.
   */
  readonly initial: { readonly config: GatehouseConfig; readonly state: T; readonly contentHash?: string | null };
  /** After the swap. Must not throw: for a watched or signalled reload that is an unhandled rejection. */
  onSwap?(next: ConfigSnapshot<T>, previous: ConfigSnapshot<T>, warnings: readonly ConfigWarning[]): void;
  /** `issues` when the file itself is invalid (ConfigInvalidError). Must not throw, as onSwap. */
  onRejected?(error: Error, issues?: readonly ConfigIssue[]): void;
  /** The file watch broke and was closed; reload() and the signal still work. */
  onWatchError?(error: Error): void;
  /** Watch the file's directory. Default true. */
  readonly watch?: boolean;
  /** Reload on this signal. Default SIGHUP; null for none. */
  readonly signal?: 'SIGHUP' | null;
  /** Quiet time after the last file event before reloading. Default 200 ms. */
  readonly debounceMs?: number;
  /** Default fs.watch, not persistent. */
  readonly fs?: DirectoryWatcher;
}

export interface ConfigReloader<T> {
  /**
   * The running snapshot: read it once per request and use that one object throughout, so a
   * request sees the old state or the new one, never a mix.
   */
  current(): ConfigSnapshot<T>;
  /**
   * Reload now (admin API, CLI, tests). Reloads run one at a time; calls made while one runs share
   * a single run after it. Rejects only when the reloader is closed or a callback threw.
   */
  reload(): Promise<ReloadResult>;
  /** Stops the watch and the signal handler; resolves once a reload already under way has finished. */
  close(): Promise<void>;
}

const UNCHANGED: ReloadResult = Object.freeze({ status: 'unchanged' });
const DEFAULT_DEBOUNCE_MS = 200;

/**
 * Hot reload (DESIGN.md "Configuration": a bad reload keeps the running configuration). A reload
 * loads and validates the file, refuses changes to restart-only settings, builds the new state,
 * and only then swaps it in with one assignment; any throw on the way leaves the running snapshot
 * as it was and is reported, precisely, to onRejected.
 */
export function createConfigReloader<T>(options: ConfigReloaderOptions<T>): ConfigReloader<T> {
  const { path, env, build } = options;
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const signal = options.signal === undefined ? 'SIGHUP' : options.signal;
  if (typeof path !== 'string' || path === '') throw new TypeError('createConfigReloader: path must be a non-empty string');
  if (typeof build !== 'function') throw new TypeError('createConfigReloader: build must be a function');
  if (!Number.isFinite(debounceMs) || debounceMs < 0) throw new TypeError('createConfigReloader: debounceMs must be a finite number >= 0');
  if (signal !== null && signal !== 'SIGHUP') throw new TypeError("createConfigReloader: signal must be 'SIGHUP' or null");

  let running: ConfigSnapshot<T> = Object.freeze({ config: options.initial.config, state: options.initial.state });
  // Only reloads read it, and they run one at a time: it need not move with `running`.
  let runningHash = options.initial.contentHash ?? null;
  let inFlight: Promise<ReloadResult> | undefined;
  let queued: Promise<ReloadResult> | undefined;
  let closed = false;

  async function reloadOnce(): Promise<ReloadResult> {
    let next: ConfigSnapshot<T>;
    let nextHash: string | null;
    let warnings: readonly ConfigWarning[];
    try {
      const loaded = await loadHashedConfig(path, env === undefined ? {} : { env });
      if (loaded.contentHash !== null && loaded.contentHash === runningHash) return UNCHANGED;
      refuseRestartOnlyChanges(path, running.config, loaded.config);
      next = Object.freeze({ config: loaded.config, state: await build(loaded.config) });
      nextHash = loaded.contentHash;
      warnings = loaded.warnings;
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(`the configuration reload failed: ${String(thrown)}`, { cause: thrown });
      options.onRejected?.(error, error instanceof ConfigInvalidError ? error.issues : undefined);
      return { status: 'rejected', error };
    }
    const previous = running;
    running = next;
    runningHash = nextHash;
    options.onSwap?.(next, previous, warnings);
    return { status: 'swapped', warnings };
  }

  function start(): Promise<ReloadResult> {
    const run = reloadOnce();
    inFlight = run;
    const settle = (): void => {
      if (inFlight === run) inFlight = undefined;
    };
    run.then(settle, settle);
    return run;
  }

  function schedule(): Promise<ReloadResult> {
    if (queued !== undefined) return queued;
    if (inFlight === undefined) return start();
    // The run under way may have read the file before the change that asked for this one.
    const startQueued = (): Promise<ReloadResult> => {
      queued = undefined;
      return start();
    };
    queued = inFlight.then(startQueued, startQueued);
    return queued;
  }

  const onSignal = (): void => void schedule();
  if (signal !== null) process.on(signal, onSignal);
  const stopWatching =
    options.watch === false
      ? () => {}
      : watchConfigFile({
          path,
          debounceMs,
          watcher: options.fs ?? nodeDirectoryWatcher,
          onChange: () => void schedule(),
          onError: (error) => options.onWatchError?.(error),
        });

  return {
    current: () => running,
    reload() {
      if (closed) return Promise.reject(new Error('the configuration reloader is closed'));
      return schedule();
    },
    async close() {
      if (!closed) {
        closed = true;
        stopWatching();
        if (signal !== null) process.off(signal, onSignal);
      }
      await Promise.allSettled([inFlight, queued]);
    },
  };
}
