import { describe, expect, it } from 'vitest';
import { errorCodeOf, textForCode } from './error-codes.js';

describe('error codes', () => {
  const texts = { handle_taken: 'That handle is taken.' };

  it('look a code up in a translation, and give anything else the fallback, never the code', () => {
    expect(textForCode(texts, 'handle_taken', 'Something went wrong.')).toBe('That handle is taken.');
    for (const code of ['a_code_from_a_newer_server', 'toString', '__proto__', 'constructor', '', null, undefined]) {
      expect(textForCode(texts, code, 'Something went wrong.'), String(code)).toBe('Something went wrong.');
    }
  });

  it('read the string code a failure carries, and nothing else', () => {
    expect(errorCodeOf({ code: 'link_expired', message: 'm' })).toBe('link_expired');
    for (const failure of [new Error('no code'), { code: 404 }, 'link_expired', null, undefined]) expect(errorCodeOf(failure)).toBeUndefined();
  });
});
