/**
 * SFrame workers with one started ahead. Starting a worker costs ~30 ms of CPU (its script carries
 * the Module Federation runtime), which a call would otherwise pay on both sides during set-up,
 * when a 2-core machine has the least to spare. So while no call holds a worker and the page is
 * idle, one is started, and the next call takes it. A spare holds no key (its call posts them) and
 * dies with its call like any other; the next spare is started only once no call holds a worker,
 * so starting it never competes with a call in progress.
 */

/** Runs `run` once the page is idle; returns a function that cancels it. */
export type IdleScheduler = (run: () => void) => () => void;

/** `requestIdleCallback` where the browser has it, else a short timer. */
export const whenIdle: IdleScheduler = (run) => {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(run, { timeout: 2_000 });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(run, 200);
  return () => clearTimeout(id);
};

export class SFrameWorkerPool {
  private spare: Worker | null = null;
  private inUse = 0;
  private cancelPending: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly start: () => Worker,
    private readonly idle: IdleScheduler = whenIdle,
  ) {}

  /** Whether a call holds a worker from this pool. */
  get busy(): boolean {
    return this.inUse > 0;
  }

  /** Starts a spare once the page is idle, unless there is one or a call holds a worker. */
  warm(): void {
    if (this.stopped || this.spare || this.inUse > 0 || this.cancelPending) return;
    this.cancelPending = this.idle(() => {
      this.cancelPending = null;
      if (!this.stopped && !this.spare && this.inUse === 0) this.spare = this.start();
    });
  }

  /** A worker for a call: the spare if there is one. Terminating it tells the pool the call is done with it. */
  take(): Worker {
    this.cancelPending?.();
    this.cancelPending = null;
    const worker = this.spare ?? this.start();
    this.spare = null;
    this.inUse += 1;
    const terminate = worker.terminate.bind(worker);
    let released = false;
    // Calls only ever terminate their worker: that is the one moment the pool needs to hear of.
    worker.terminate = () => {
      terminate();
      if (released) return;
      released = true;
      this.inUse -= 1;
      this.warm();
    };
    return worker;
  }

  /** No more spares (the app unmounts); workers in use stay with their calls. */
  stop(): void {
    this.stopped = true;
    this.cancelPending?.();
    this.cancelPending = null;
    this.spare?.terminate();
    this.spare = null;
  }
}
