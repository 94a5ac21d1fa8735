import { describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst, then refills at its rate, per key', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter({ burst: 3, perSecond: 2 }, clock);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(500);
    expect(limiter.take('b')).toBe(0);
    clock.advance(500);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(500);
    clock.advance(10_000);
    // Never more than the burst, however long the wait.
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0, 500]);
  });

  it('always allows without a limit', () => {
    const limiter = new RateLimiter(null, new ManualClock(0));
    for (let i = 0; i < 1_000; i++) expect(limiter.take('a')).toBe(0);
  });
});
