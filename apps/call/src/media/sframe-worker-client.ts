import { SFrameWorkerScript } from './sframe-worker-script.js';
import type { ToWorker } from './sframe-protocol.js';
import { type VerifiedWorkerScript, type WorkerIntegrityError, verifyWorkerScript } from './worker-integrity.js';

/** The worker's sha384, written into this chunk at build time (rsbuild.config.ts). */
declare const __SFRAME_WORKER_INTEGRITY__: string;

const script = new SFrameWorkerScript(new URL('./sframe-worker.ts', import.meta.url), { name: 'sframe-worker' });

/**
 * Checked once, while the app loads: the module waits for it, so no call can ask for a worker
 * before it is known whether there may be one.
 */
const verified: VerifiedWorkerScript = await verifyWorkerScript(script.url, __SFRAME_WORKER_INTEGRITY__);

/** Why calls cannot start on this page, or null when the worker's code checked out. */
export function workerIntegrityError(): WorkerIntegrityError | null {
  return verified.ok ? null : verified.error;
}

/** A fresh SFrame worker for one call, from the checked bytes; throws when they did not check out. */
export function startSFrameWorker(): Worker {
  if (!verified.ok) throw new Error(`[${verified.error.code}] ${verified.error.message}`);
  return new Worker(verified.url, { name: 'sframe-worker' });
}

/** Has a worker made ahead compile its crypto now, while the page is idle (see the worker's warm-up). */
export function warmedUp(worker: Worker): Worker {
  worker.postMessage({ type: 'warm-up' } satisfies ToWorker);
  return worker;
}
