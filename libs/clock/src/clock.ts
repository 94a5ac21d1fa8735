/** Opaque handle of a scheduled timer. */
export type TimerHandle = unknown;

/**
 * Where code reads the time and schedules timers: injected so tests drive expiry, backoff and
 * reminders in milliseconds instead of waiting for them (see ManualClock in `@parley/clock/testing`).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The part of a Clock that only tells the time: what code that never waits should ask for. */
export type WallClock = Pick<Clock, 'now'>;

// Declared here rather than taken from a DOM or WebWorker `lib`: every runtime has these timers, and
// so every runtime:std package can use this clock whatever its `lib` setting.
const timers = globalThis as unknown as { setTimeout(callback: () => void, delayMs: number): unknown; clearTimeout(handle: unknown): void };

/** The real clock of whatever runtime we are in (page, worker or Node). */
export const systemClock: Clock = {
  now: () => Date.now(),
  // Wrapped rather than passed by reference: some runtimes require `this` to be the global.
  setTimeout: (callback, delayMs) => timers.setTimeout(callback, delayMs),
  clearTimeout: (handle) => timers.clearTimeout(handle),
};

/** Runs `run` once after `delayMs` on `clock`; the returned function cancels it. */
export function schedule(clock: Clock, delayMs: number, run: () => void): () => void {
  const handle = clock.setTimeout(run, delayMs);
  return () => clock.clearTimeout(handle);
}
