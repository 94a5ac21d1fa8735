/**
 * The periodic clean-up of issue 9: call links unused for CALL_LINK_EXPIRY_MS expire (their calls
 * end) and old tombstones go. The directory reads the injectable clock, so tests run its sweep
 * directly. Idle guest accounts are swept with the rest of the store (storage-sweeps.ts).
 */
import type { Logger } from 'pino';
import type { CallLinkDirectory } from './call-link-directory.js';

/** How often the sweeps run: expiry is counted in days, so minutes of slack do not matter. */
export const CALL_LINK_SWEEP_INTERVAL_MS = 10 * 60_000;

export interface CallLinkSweepsOptions {
  links: CallLinkDirectory;
  log: Logger;
  intervalMs?: number;
}

/** Runs the sweep once now and then every interval; returns the stop (which awaits a sweep in flight). */
export function startCallLinkSweeps(options: CallLinkSweepsOptions): () => Promise<void> {
  let running: Promise<void> | null = null;
  const sweep = () => {
    // One sweep at a time: a slow one is not overtaken by the next.
    running ??= options.links
      .sweep()
      .catch((error: unknown) => options.log.warn({ err: { message: (error as Error).message } }, 'call link sweep failed'))
      .finally(() => {
        running = null;
      });
  };
  sweep();
  const timer = setInterval(sweep, options.intervalMs ?? CALL_LINK_SWEEP_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
