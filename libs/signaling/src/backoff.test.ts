import { describe, expect, it } from 'vitest';
import { Backoff, DEFAULT_BACKOFF, backoffCeiling } from './backoff.js';

const exact = { ...DEFAULT_BACKOFF, random: () => 1 };

describe('backoff', () => {
  it('defaults to 500 ms doubling up to 30 s', () => {
    expect(DEFAULT_BACKOFF).toMatchObject({ initialMs: 500, factor: 2, maxMs: 30_000 });
    expect(DEFAULT_BACKOFF.random).toBe(Math.random);
  });

  it('grows the ceiling exponentially and caps it', () => {
    const ceilings = Array.from({ length: 10 }, (_, attempt) => backoffCeiling(attempt, exact));
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    expect(backoffCeiling(10_000, exact)).toBe(30_000);
  });

  it('spreads each delay uniformly below the ceiling (full jitter)', () => {
    const draws = [0, 0.25, 0.5, 0.999];
    const backoff = new Backoff({ ...exact, random: () => draws.shift() ?? 0 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([0, 250, 1000, 3996]);
  });

  it('counts attempts and starts over after a reset', () => {
    const backoff = new Backoff(exact);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([500, 1000, 2000]);
    expect(backoff.attempts).toBe(3);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(500);
  });
});
