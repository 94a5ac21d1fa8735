import { CrossOriginWorker } from './cross-origin-worker.js';
import type { ToWorker } from './sframe-protocol.js';

/** A fresh SFrame worker for one call (see cross-origin-worker.ts for how it loads). */
export function startSFrameWorker(): Worker {
  return new CrossOriginWorker(new URL('./sframe-worker.ts', import.meta.url), { name: 'sframe-worker' });
}

/** Has a worker made ahead compile its crypto now, while the page is idle (see the worker's warm-up). */
export function warmedUp(worker: Worker): Worker {
  worker.postMessage({ type: 'warm-up' } satisfies ToWorker);
  return worker;
}
