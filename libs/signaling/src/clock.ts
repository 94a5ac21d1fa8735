/** Opaque handle of a scheduled timer. */
export type TimerHandle = unknown;

/**
 * Where the relay client reads time and schedules timers. Injected so tests drive backoff,
 * keepalive and timeouts in milliseconds instead of waiting for them.
 */
export interface Clock {
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  now(): number;
}

/** The real clock of whatever runtime we are in (page, worker or Node). */
export const systemClock: Clock = {
  // Wrapped rather than passed by reference: some runtimes require `this` to be the global.
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now(),
};
