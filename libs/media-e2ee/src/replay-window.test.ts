import { describe, expect, it } from 'vitest';
import { MAX_UINT64 } from './bytes.js';
import { ReplayWindow } from './replay-window.js';

describe('ReplayWindow', () => {
  it('accepts each counter once, in any order within the window', () => {
    const window = new ReplayWindow(8);
    for (const ctr of [0n, 2n, 1n, 5n, 3n]) expect(window.commit(ctr)).toBe('fresh');
    for (const ctr of [0n, 1n, 2n, 3n, 5n]) expect(window.check(ctr)).toBe('replayed');
    expect(window.check(4n)).toBe('fresh');
  });

  it('calls counters below the window stale, and slides with the highest counter', () => {
    const window = new ReplayWindow(8);
    window.commit(10n);
    expect(window.check(3n)).toBe('fresh'); // 10 − 3 = 7: last slot of the window
    expect(window.check(2n)).toBe('stale');
    window.commit(100n); // a jump wider than the window forgets everything below it
    expect(window.check(10n)).toBe('stale');
    expect(window.check(93n)).toBe('fresh');
    expect(window.check(100n)).toBe('replayed');
  });

  it('keeps the memory of recent counters across a small slide', () => {
    const window = new ReplayWindow(8);
    for (const ctr of [1n, 2n, 4n]) window.commit(ctr);
    window.commit(6n);
    expect([1n, 2n, 3n, 4n, 5n, 6n].map((c) => window.check(c))).toEqual(['replayed', 'replayed', 'fresh', 'replayed', 'fresh', 'replayed']);
  });

  it('commit re-checks, so only the first of two concurrent copies wins', () => {
    const window = new ReplayWindow();
    expect(window.check(7n)).toBe('fresh');
    expect(window.check(7n)).toBe('fresh');
    expect(window.commit(7n)).toBe('fresh');
    expect(window.commit(7n)).toBe('replayed');
  });

  it('works up to CTR 2^64 − 1', () => {
    const window = new ReplayWindow();
    expect(window.commit(MAX_UINT64)).toBe('fresh');
    expect(window.check(MAX_UINT64)).toBe('replayed');
    expect(window.check(MAX_UINT64 - 1n)).toBe('fresh');
    expect(window.check(0n)).toBe('stale');
  });

  it('rejects a nonsensical size', () => {
    for (const size of [0, -1, 1.5, 5000]) expect(() => new ReplayWindow(size)).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
