/** Runs a loader now and every `intervalMs`, one call at a time, stopped on unmount. */
import { useEffect, useRef } from 'preact/hooks';

export function usePoll(load: () => Promise<void>, intervalMs: number, deps: readonly unknown[]): void {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const tick = async (): Promise<void> => {
      try {
        await latest.current();
      } catch {
        // The loader shows its own error; polling goes on.
      }
      if (!stopped) timer = window.setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [intervalMs, ...deps]);
}
