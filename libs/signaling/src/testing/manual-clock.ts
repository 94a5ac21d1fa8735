import type { Clock, TimerHandle } from '../clock.js';

interface ScheduledTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly delayMs: number;
  readonly callback: () => void;
}

/**
 * A clock that only moves when a test says so. Timers fire inside `advance`, in due order, so a
 * 30-second backoff takes no time and the delays a client asked for can be read back exactly.
 */
export class ManualClock implements Clock {
  private time = 0;
  private nextId = 1;
  private readonly timers = new Map<number, ScheduledTimer>();

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueAt: this.time + delayMs, delayMs, callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  now(): number {
    return this.time;
  }

  /** The delays pending timers were scheduled with, in the order they were scheduled. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((timer) => timer.delayMs);
  }

  /** Moves time forward, firing every timer that falls due (including ones those timers schedule). */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.timers.values()]
        .filter((timer) => timer.dueAt <= until)
        .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (!due) break;
      this.timers.delete(due.id);
      this.time = due.dueAt;
      due.callback();
    }
    this.time = until;
  }
}
