import type { IdleScheduler } from '../spare-pool.js';

/** An IdleScheduler for tests: nothing runs until the test says the page is idle. */
export function manualIdle(): { readonly schedule: IdleScheduler; readonly runIdle: () => void; readonly pending: () => number } {
  const waiting: (() => void)[] = [];
  return {
    schedule: (run) => {
      waiting.push(run);
      return () => waiting.splice(waiting.indexOf(run), 1);
    },
    runIdle: () => {
      for (const run of waiting.splice(0)) run();
    },
    pending: () => waiting.length,
  };
}
