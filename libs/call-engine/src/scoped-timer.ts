import { type Clock, schedule } from '@parley/clock';
import type { ObservableScope } from '@parley/event-bus/scope';

/**
 * Runs `run` once after `delayMs` on `clock`, unless `scope` ends first: a timer that nothing
 * outlives (a finished call's ring timeout, a disposed engine's delayed notice). A timer asked of a
 * scope already over never runs. The returned function cancels it earlier.
 */
export function scheduleIn(scope: ObservableScope, clock: Clock, delayMs: number, run: () => void): () => void {
  if (scope.isEnded) return () => {};
  // A child scope per timer: it leaves the parent once the timer fired or was cancelled, so a
  // long-lived scope does not collect the teardowns of timers long gone.
  const timer = scope.child();
  timer.onEnd(
    schedule(clock, delayMs, () => {
      timer.end();
      run();
    }),
  );
  return () => timer.end();
}
