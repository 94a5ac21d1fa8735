import { API_CLIENT_FAILURE_CODES, API_ERROR_CODES, DEVICE_LINK_FAILURE_CODES, MESSENGER_FAILURE_CODES, RELAY_CLOSE, type RelayCloseCause } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { LOCALES, failureText, messagesFor, relayStatusText } from './messages.js';

// Every code that can reach onboarding (the server's, the API client's, device linking's, the
// messenger's), a code no one declared, and things that are not codes at all.
const CODES = [...API_ERROR_CODES, ...API_CLIENT_FAILURE_CODES, ...DEVICE_LINK_FAILURE_CODES, ...MESSENGER_FAILURE_CODES, 'invalid', 'display_name_characters', 'handle_reserved', 'a_code_from_a_newer_server', 'toString', '__proto__'];

describe.each(LOCALES.map((locale) => locale.tag))('failure texts in %s', (locale) => {
  const t = messagesFor(locale);

  it('never show a raw code: each failure gets words of its own or the generic text', () => {
    for (const code of CODES) {
      const text = failureText(t, { code, message: 'for developers' });
      expect(text, code).toMatch(/\S/);
      expect(text, code).not.toBe(code);
      // A code-like string (snake_case, kebab-case, a message) must not show through; plain words may.
      if (/[_\-: ]/.test(code)) expect(text, code).not.toContain(code);
      expect(text, code).not.toContain('for developers');
    }
  });

  it('explain the failures onboarding knows, and give any other code the generic text', () => {
    expect(failureText(t, { code: 'handle_taken' })).toBe(t.failures.handle_taken);
    expect(failureText(t, { code: 'link-expired' })).toBe(t.failures['link-expired']);
    expect(failureText(t, { code: 'a_code_from_a_newer_server' })).toBe(t.failureUnknown);
    expect(failureText(t, { code: 'toString' })).toBe(t.failureUnknown);
    // No code at all: no answer came.
    expect(failureText(t, new TypeError('Failed to fetch'))).toBe(t.failures.network);
  });

  it('say so when a part of the shell loaded on demand did not load (or failed its integrity check)', () => {
    const refused = Object.assign(new Error('Loading chunk 7 failed.'), { name: 'ChunkLoadError', type: 'error' });
    expect(failureText(t, refused)).toBe(t.codeNotLoaded);
  });
});

it('says each failure in Russian, not in English', () => {
  const [en, ru] = [messagesFor('en-US'), messagesFor('ru-RU')];
  for (const code of Object.keys(en.failures) as (keyof typeof en.failures)[]) expect(ru.failures[code], code).not.toBe(en.failures[code]);
  expect(ru.failureUnknown).not.toBe(en.failureUnknown);
  expect(ru.codeNotLoaded).not.toBe(en.codeNotLoaded);
});

describe.each(LOCALES.map((locale) => locale.tag))('relay status in %s', (locale) => {
  const t = messagesFor(locale);
  const causes = Object.keys(RELAY_CLOSE) as RelayCloseCause[];

  it('says why the server closed the connection in words, never with its close code or cause name', () => {
    for (const cause of causes) {
      const text = relayStatusText(t, 'reconnecting', cause);
      expect(text, cause).toBe(`${t.relay.reconnecting} (${t.relayClosed[cause]})`);
      expect(text, cause).not.toContain(String(RELAY_CLOSE[cause]));
      expect(text, cause).not.toContain(cause);
    }
  });

  it('says only the status while connected, after a network drop, or for a cause it does not know', () => {
    expect(relayStatusText(t, 'open', 'goingAway')).toBe(t.relay.open);
    expect(relayStatusText(t, 'reconnecting', null)).toBe(t.relay.reconnecting);
    expect(relayStatusText(t, 'closed', 'fromANewerServer' as RelayCloseCause)).toBe(t.relay.closed);
  });
});

it('says why the relay closed in Russian, not in English', () => {
  const [en, ru] = [messagesFor('en-US'), messagesFor('ru-RU')];
  for (const cause of Object.keys(RELAY_CLOSE) as RelayCloseCause[]) expect(ru.relayClosed[cause], cause).not.toBe(en.relayClosed[cause]);
});
