/**
 * One of something a call needs, made ahead while the page is idle and no call holds one, so that
 * the call does not pay for making it during set-up, when a 2-core machine has the least to spare.
 * A spare is made only once no call holds one, so making it never competes with a call in progress;
 * the call's closing it (the `release` method) tells the pool, which then makes the next.
 *
 * - SFrame workers: starting one costs ~30 ms of CPU (its script carries the Module Federation
 *   runtime). A spare holds no key (its call posts them) and dies with its call like any other.
 * - The callee's RTCPeerConnection: creating one blocks the page's main thread for ~3 ms while the
 *   offer that needs it is being handled. A spare has no description and no ICE servers yet (the
 *   call sets them): it gathers nothing and holds no port until its call uses it.
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

export interface SparePoolOptions<T = unknown> {
  readonly idle?: IdleScheduler;
  /** Whether a call this pool cannot see is on (its calls take from elsewhere): no spare is made meanwhile. */
  readonly busy?: () => boolean;
  /** Called with each spare as it is made (idle time): to warm it up. Not for one made on demand. */
  readonly onSpare?: (spare: T) => void;
}

export class SparePool<T extends Record<K, () => void>, K extends string> {
  private spare: T | null = null;
  private inUse = 0;
  private cancelPending: (() => void) | null = null;
  private stopped = false;

  private readonly idle: IdleScheduler;

  constructor(
    private readonly make: () => T,
    /** The method a call ends its use with (`terminate`, `close`): the pool hears of it. */
    private readonly release: K,
    private readonly options: SparePoolOptions<T> = {},
  ) {
    this.idle = options.idle ?? whenIdle;
  }

  /** Whether a call holds one from this pool. */
  get busy(): boolean {
    return this.inUse > 0;
  }

  /** Makes a spare once the page is idle, unless there is one or a call holds one. */
  warm(): void {
    if (this.stopped || this.spare || this.inUse > 0 || this.cancelPending) return;
    this.cancelPending = this.idle(() => {
      this.cancelPending = null;
      if (this.stopped || this.spare || this.inUse > 0 || this.options.busy?.()) return;
      this.spare = this.make();
      this.options.onSpare?.(this.spare);
    });
  }

  /** One for a call: the spare if there is one. Its `release` method tells the pool the call is done with it. */
  take(): T {
    this.cancelPending?.();
    this.cancelPending = null;
    const taken = this.spare ?? this.make();
    this.spare = null;
    this.inUse += 1;
    const release = taken[this.release].bind(taken);
    let released = false;
    // Calls only ever end their use this way: that is the one moment the pool needs to hear of.
    (taken as Record<K, () => void>)[this.release] = () => {
      release();
      if (released) return;
      released = true;
      this.inUse -= 1;
      this.warm();
    };
    return taken;
  }

  /** No more spares (the app unmounts); those in use stay with their calls. */
  stop(): void {
    this.stopped = true;
    this.cancelPending?.();
    this.cancelPending = null;
    this.spare?.[this.release]();
    this.spare = null;
  }
}
