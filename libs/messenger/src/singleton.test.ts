import { describe, expect, it } from 'vitest';
import type { Messenger } from './messenger-api.js';
import { messenger, provideMessenger } from './singleton.js';

const fake = () => ({}) as Messenger;

describe('the page messenger', () => {
  it('is whatever the shell provided, until withdrawn', () => {
    const provided = fake();
    const withdraw = provideMessenger(provided);
    expect(messenger()).toBe(provided);
    withdraw();
    expect(() => messenger()).toThrow(/not provided/);
  });

  it('cannot be replaced while provided', () => {
    const withdraw = provideMessenger(fake());
    expect(() => provideMessenger(fake())).toThrow(/already/);
    withdraw();
  });
});
