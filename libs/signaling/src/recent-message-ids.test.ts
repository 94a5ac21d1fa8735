import { describe, expect, it } from 'vitest';
import { RecentMessageIds } from './recent-message-ids.js';

describe('RecentMessageIds', () => {
  it('remembers ids it was given and nothing else', () => {
    const ids = new RecentMessageIds(3);
    ids.remember('a');
    expect(ids.has('a')).toBe(true);
    expect(ids.has('b')).toBe(false);
  });

  it('forgets the oldest id once full, so memory stays bounded', () => {
    const ids = new RecentMessageIds(3);
    for (const id of ['a', 'b', 'c', 'd']) ids.remember(id);
    expect(ids.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((id) => ids.has(id))).toEqual([false, true, true, true]);
  });

  it('does not count a repeated id twice', () => {
    const ids = new RecentMessageIds(2);
    ids.remember('a');
    ids.remember('a');
    ids.remember('b');
    expect(ids.has('a')).toBe(true);
    expect(ids.size).toBe(2);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RecentMessageIds(0)).toThrow(RangeError);
    expect(() => new RecentMessageIds(1.5)).toThrow(RangeError);
  });
});
