// When the page has nothing better to do: deferred loads wait for it (issue 20).

/** Runs something when the page is idle; returns how to cancel it. */
export interface IdleScheduler {
  request(run: () => void, timeoutMs: number): () => void;
}

/** The browser's idle callback, or the next task where there is none (Safari). */
export const browserIdle: IdleScheduler = {
  request(run, timeoutMs) {
    if (typeof requestIdleCallback === 'function') {
      const id = requestIdleCallback(run, { timeout: timeoutMs });
      return () => cancelIdleCallback(id);
    }
    const id = setTimeout(run, 0);
    return () => clearTimeout(id);
  },
};
