import { describe, expect, it } from 'vitest';
import { schedule, systemClock } from './index.js';
import { ManualClock } from './testing.js';

describe('ManualClock', () => {
  it('fires due timers in order, each at its own time, including ones they schedule', () => {
    const clock = new ManualClock(1_000);
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 20);
    clock.setTimeout(() => {
      fired.push(['a', clock.now()]);
      clock.setTimeout(() => fired.push(['c', clock.now()]), 5);
    }, 10);
    clock.setTimeout(() => fired.push(['late', clock.now()]), 100);
    clock.advance(30);
    expect(fired).toEqual([['a', 1_010], ['c', 1_015], ['b', 1_020]]);
    expect(clock.now()).toBe(1_030);
    expect(clock.pendingDelays()).toEqual([100]);
  });

  it('a cancelled timer never fires; set() moves time without firing', () => {
    const clock = new ManualClock();
    let fired = 0;
    const cancel = schedule(clock, 10, () => fired++);
    cancel();
    clock.advance(20);
    schedule(clock, 10, () => fired++);
    clock.set(500);
    expect(fired).toBe(0);
    expect(clock.now()).toBe(500);
  });
});

describe('systemClock', () => {
  it('reads the wall clock and runs real timers', async () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    await new Promise<void>((resolve) => schedule(systemClock, 1, resolve));
  });
});
