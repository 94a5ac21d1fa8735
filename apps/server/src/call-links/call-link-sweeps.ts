/**
 * The periodic clean-up of issue 9: call links unused for CALL_LINK_EXPIRY_MS expire (their calls
 * end) and old tombstones go; guest accounts older than GUEST_ACCOUNT_TTL_MS are deleted. Both read
 * the injectable clock, so tests run them by calling the sweeps directly.
 */
import type { Logger } from 'pino';
import type { Clock } from '../config.js';
import type { RelayHub } from '../relay-hub.js';
import type { Storage } from '../storage.js';
import type { CallLinkDirectory } from './call-link-directory.js';
import { sweepGuestAccounts } from './guest-accounts.js';

/** How often the sweeps run: expiry is counted in days, so minutes of slack do not matter. */
export const CALL_LINK_SWEEP_INTERVAL_MS = 10 * 60_000;

export interface CallLinkSweepsOptions {
  links: CallLinkDirectory;
  storage: Storage;
  hub: RelayHub;
  clock: Clock;
  log: Logger;
  intervalMs?: number;
}

/** Runs both sweeps once now and then every interval; returns the stop (which awaits a sweep in flight). */
export function startCallLinkSweeps(options: CallLinkSweepsOptions): () => Promise<void> {
  let running: Promise<void> | null = null;
  const sweep = () => {
    // One sweep at a time: a slow one is not overtaken by the next.
    running ??= (async () => {
      await options.links.sweep();
      await sweepGuestAccounts(options.storage, options.hub, options.clock, options.log);
    })()
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
