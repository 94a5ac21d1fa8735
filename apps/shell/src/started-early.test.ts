import { describe, expect, it } from 'vitest';
import { StartedEarly } from './started-early.js';

describe('StartedEarly', () => {
  it('hands the started work over once, by key', () => {
    const early = new StartedEarly<string>();
    early.start('a', () => 'first');
    expect(early.take('b')).toBeUndefined();
    expect(early.take('a')).toBe('first');
    expect(early.take('a')).toBeUndefined();
  });

  it('a fresher start of the same key replaces the waiting one', () => {
    const early = new StartedEarly<number>();
    let runs = 0;
    const work = () => ++runs;
    early.start('a', work);
    expect(early.has('a')).toBe(true);
    early.start('a', work);
    expect(early.take('a')).toBe(2);
    expect(early.has('a')).toBe(false);
  });
});
