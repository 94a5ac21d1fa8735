import { CrossOriginWorker } from './cross-origin-worker.js';

/** A fresh SFrame worker for one call (see cross-origin-worker.ts for how it loads). */
export function startSFrameWorker(): Worker {
  return new CrossOriginWorker(new URL('./sframe-worker.ts', import.meta.url), { name: 'sframe-worker' });
}
