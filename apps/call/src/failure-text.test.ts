import { API_CLIENT_FAILURE_CODES, API_ERROR_CODES, SFU_ERROR_CODES } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { messagesFor } from './messages.js';

// What can end a group call or fail a call link: the SFU's and the API's codes, the call app's own,
// a code no one declared, a thrown error's message, and a name every object has.
const FAILURES = [...SFU_ERROR_CODES, ...API_ERROR_CODES, ...API_CLIENT_FAILURE_CODES, 'invalid-link', 'refused', 'removed', 'a_code_from_a_newer_server', 'not invited', 'Error: socket closed', 'toString'];

describe.each(['en-US', 'ru-RU'])('call failure texts in %s', (locale) => {
  const t = messagesFor(locale);

  it('never show a raw code or message: each failure gets words of its own or the generic text', () => {
    for (const failure of FAILURES) {
      const text = t.linkFailure(failure);
      expect(text, failure).toMatch(/\S/);
      expect(text, failure).not.toBe(failure);
      // A code-like string (snake_case, kebab-case, a message) must not show through; plain words may.
      if (/[_\-: ]/.test(failure)) expect(text, failure).not.toContain(failure);
    }
  });

  it('give every unknown failure the same generic text, and known ones their own', () => {
    const generic = t.linkFailure('a_code_from_a_newer_server');
    expect(t.linkFailure('sfu_error')).toBe(generic);
    expect(t.linkFailure('toString')).toBe(generic);
    expect(t.linkFailure('call_full')).not.toBe(generic);
    expect(t.linkFailure('refused')).not.toBe(t.linkFailure('removed'));
  });
});
