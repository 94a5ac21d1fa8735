import { CrossOriginWorker } from './cross-origin-worker.js';

/**
 * How long after a worker is handed out the next one starts: late enough to stay out of the
 * call's set-up (the CPU is busiest then), and still long before a next call is likely.
 */
export const SPARE_WORKER_DELAY_MS = 2_000;

/** A worker started ahead of the next call, so its start-up (thread, script) is not on a call's set-up path. */
let spare: Worker | null = null;
let spareTimer: ReturnType<typeof setTimeout> | undefined;

function newSFrameWorker(): Worker {
  return new CrossOriginWorker(new URL('./sframe-worker.ts', import.meta.url), { name: 'sframe-worker' });
}

/** A fresh SFrame worker for one call (see cross-origin-worker.ts for how it loads): the spare one if it is ready. */
export function startSFrameWorker(): Worker {
  const worker = spare ?? newSFrameWorker();
  spare = null;
  prestartSFrameWorker(SPARE_WORKER_DELAY_MS);
  return worker;
}

/**
 * Starts the next call's worker after `delayMs`, unless one is waiting or scheduled. It holds no
 * key and no state until a call takes it: each call still gets a worker of its own.
 */
export function prestartSFrameWorker(delayMs = 0): void {
  if (spare || spareTimer !== undefined) return;
  spareTimer = setTimeout(() => {
    spareTimer = undefined;
    spare ??= newSFrameWorker();
  }, delayMs);
}
