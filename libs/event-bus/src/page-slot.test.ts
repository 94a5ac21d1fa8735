import { describe, expect, it } from 'vitest';
import { createPageSlot } from './page-slot.js';

describe('page slot', () => {
  it('holds what the shell provided until withdrawn, and refuses a second one meanwhile', () => {
    const slot = createPageSlot<{ id: number }>('thing');
    expect(() => slot.get()).toThrow('the shell has not provided a thing yet');
    const first = { id: 1 };
    const withdraw = slot.provide(first);
    expect(slot.get()).toBe(first);
    expect(() => slot.provide({ id: 2 })).toThrow('already has a thing');
    expect(slot.provide(first)).toBeTypeOf('function');
    withdraw();
    expect(() => slot.get()).toThrow(/not provided/);
  });
});
