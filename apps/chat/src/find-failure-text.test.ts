import { API_CLIENT_FAILURE_CODES, API_ERROR_CODES, MESSENGER_FAILURE_CODES } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { findFailureText, messagesFor } from './messages.js';

// Every code a lookup can fail with (the messenger's, and server or API client codes that slip
// through), a code no one declared, and a name every object has.
const CODES = [...MESSENGER_FAILURE_CODES, ...API_ERROR_CODES, ...API_CLIENT_FAILURE_CODES, 'a_code_from_a_newer_server', 'constructor'];

describe.each(['en-US', 'ru-RU'])('lookup failure texts in %s', (locale) => {
  const t = messagesFor(locale);

  it('never show a raw code: each failure gets words of its own or the generic text', () => {
    for (const code of CODES) {
      const text = findFailureText(t, { code, message: 'for developers' });
      expect(text, code).toMatch(/\S/);
      expect(text, code).not.toBe(code);
      // A code-like string (snake_case, kebab-case, a message) must not show through; plain words may.
      if (/[_\-: ]/.test(code)) expect(text, code).not.toContain(code);
    }
  });

  it('explain every messenger failure, and give any other code the generic text', () => {
    for (const code of MESSENGER_FAILURE_CODES) expect(findFailureText(t, { code })).toBe(t.findFailed[code]);
    expect(findFailureText(t, { code: 'a_code_from_a_newer_server' })).toBe(t.failureUnknown);
    expect(findFailureText(t, new Error('no code'))).toBe(t.findFailed.network);
  });
});

it('says each lookup failure in Russian, not in English', () => {
  const [en, ru] = [messagesFor('en-US'), messagesFor('ru-RU')];
  for (const code of MESSENGER_FAILURE_CODES) expect(ru.findFailed[code], code).not.toBe(en.findFailed[code]);
  expect(ru.failureUnknown).not.toBe(en.failureUnknown);
});
