import { useEffect } from 'react';

/** How long a prefetch waits for an idle moment at most (a page that never idles still gets it). */
const IDLE_TIMEOUT_MS = 2_000;

/**
 * Runs `prefetch` at the first idle moment after the component mounted (the browser's idle
 * callback, or the next task where there is none), so what the user opens next has arrived by then.
 */
export function usePrefetchWhenIdle(prefetch: () => void): void {
  useEffect(() => {
    if (typeof requestIdleCallback === 'function') {
      const id = requestIdleCallback(() => prefetch(), { timeout: IDLE_TIMEOUT_MS });
      return () => cancelIdleCallback(id);
    }
    const id = setTimeout(prefetch, 0);
    return () => clearTimeout(id);
  }, [prefetch]);
}
