import type { Clock, TimerHandle } from './clock.js';

interface ScheduledTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly delayMs: number;
  readonly callback: () => void;
}

/**
 * A clock that only moves when a test says so. Timers fire inside `advance`, in due order and each at
 * its own time, so a 30-second backoff takes no time and the delays asked for can be read back.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, ScheduledTimer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueAt: this.time + Math.max(0, delayMs), delayMs, callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** The delays pending timers were scheduled with, in the order they were scheduled. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((timer) => timer.delayMs);
  }

  /** Moves time forward, firing every timer that falls due (including ones those timers schedule). */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.timers.values()].filter((timer) => timer.dueAt <= until).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (!due) break;
      this.timers.delete(due.id);
      this.time = due.dueAt;
      due.callback();
    }
    this.time = until;
  }

  /** Jumps to `time` without firing timers: a wall-clock change (the user's clock was set). */
  set(time: number): void {
    this.time = time;
  }
}
