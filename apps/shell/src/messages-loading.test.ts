import { describe, expect, it, vi } from 'vitest';

// A fresh copy of messages.ts, as a page has before anything loaded Russian (the test set-up loads
// it into the shared copy).
async function freshMessages() {
  vi.resetModules();
  return import('./messages.js');
}

describe('the shell’s Russian text is loaded on demand', () => {
  it('English is there at once; Russian only after loadMessages, English until then', async () => {
    const { loadMessages, messagesFor, messagesLoaded } = await freshMessages();
    expect(messagesLoaded('en-US')).toBe(true);
    expect(messagesLoaded('ru-RU')).toBe(false);
    expect(messagesFor('ru-RU').loading).toBe(messagesFor('en-US').loading);

    const ru = await loadMessages('ru-RU');
    expect(messagesLoaded('ru-RU')).toBe(true);
    expect(messagesFor('ru-RU')).toBe(ru);
    expect(ru.loading).not.toBe(messagesFor('en-US').loading);
    expect(ru.language).toBe('Язык');
  });
});
