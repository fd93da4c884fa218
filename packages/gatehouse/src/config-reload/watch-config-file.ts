import { lstatSync, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/** One directory watch; what `fs.watch` returns satisfies it. */
export interface DirectoryWatch {
  close(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** How the reloader watches a directory; tests inject their own. */
export interface DirectoryWatcher {
  watch(directory: string, listener: (eventType: string, filename: string | null) => void): DirectoryWatch;
}

/** fs.watch, not persistent: a watch never keeps the process alive. */
export const nodeDirectoryWatcher: DirectoryWatcher = {
  watch: (directory, listener) => watch(directory, { persistent: false }, listener),
};

export interface WatchConfigFileOptions {
  readonly path: string;
  readonly debounceMs: number;
  readonly watcher: DirectoryWatcher;
  /** Called once the file has been quiet for debounceMs after a change. */
  onChange(): void;
  /** The watch broke (its directory went away, a watch limit was hit); it is closed, signals still work. */
  onError(error: Error): void;
}

/**
 * Watches the file's directory, not the file: editors save by writing a temporary file and
 * renaming it over the old one, and a watch on the file itself would follow the old inode and
 * miss every later change. Events for other names are ignored, except when the path is a symbolic
 * link: then the change may be a swapped link (Kubernetes ConfigMap volumes swap `..data`), so
 * any event counts; an unchanged file costs one read and one hash. Returns the function that stops it.
 */
export function watchConfigFile(options: WatchConfigFileOptions): () => void {
  const absolute = resolve(options.path);
  const name = basename(absolute);
  const anyName = isSymbolicLink(absolute);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const directoryWatch = options.watcher.watch(dirname(absolute), (_eventType, filename) => {
    if (stopped || (!anyName && filename !== null && filename !== name)) return;
    // Debounced: one save is often several events (truncate, write, rename, attributes).
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped) options.onChange();
    }, options.debounceMs);
    timer.unref();
  });

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    directoryWatch.close();
  };
  directoryWatch.on('error', (error) => {
    stop();
    options.onError(error);
  });
  return stop;
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
