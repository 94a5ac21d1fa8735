import { ManualClock } from '@parley/clock/testing';
import { ObservableScope } from '@parley/event-bus/scope';
import { describe, expect, it } from 'vitest';
import { scheduleIn } from './scoped-timer.js';

describe('scheduleIn', () => {
  it('runs once when due while its scope lasts', () => {
    const clock = new ManualClock();
    const runs: number[] = [];
    scheduleIn(new ObservableScope(), clock, 100, () => runs.push(clock.now()));
    clock.advance(99);
    expect(runs).toEqual([]);
    clock.advance(1);
    clock.advance(1_000);
    expect(runs).toEqual([100]);
  });

  it('never runs once its scope ended, and leaves no timer behind', () => {
    const clock = new ManualClock();
    const scope = new ObservableScope();
    let runs = 0;
    scheduleIn(scope, clock, 100, () => runs++);
    scope.end();
    expect(clock.pendingDelays()).toEqual([]);
    clock.advance(1_000);
    expect(runs).toBe(0);
  });

  it('is cancelled by the function it returns, and asked of an ended scope never starts', () => {
    const clock = new ManualClock();
    const scope = new ObservableScope();
    let runs = 0;
    scheduleIn(scope, clock, 100, () => runs++)();
    const ended = new ObservableScope();
    ended.end();
    scheduleIn(ended, clock, 100, () => runs++);
    expect(clock.pendingDelays()).toEqual([]);
    clock.advance(1_000);
    expect(runs).toBe(0);
  });

});
