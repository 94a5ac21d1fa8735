import { describe, expect, expectTypeOf, it } from 'vitest';
import { RELAY_CLOSE, RELAY_CLOSE_REASONS, type RelayCloseReason, relayCloseCauseOf } from './relay-close.js';

describe('relay close codes', () => {
  it('name each code the server sends by its cause, and nothing else', () => {
    for (const [cause, code] of Object.entries(RELAY_CLOSE)) expect(relayCloseCauseOf(code)).toBe(cause);
    // A network drop, a normal close from the client, or a code from a newer server: no cause.
    for (const code of [1000, 1006, 4000, 4999]) expect(relayCloseCauseOf(code)).toBeNull();
  });

  it('give every code its own number, and in the ranges RFC 6455 allows a server', () => {
    const codes = Object.values(RELAY_CLOSE);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code === 1001 || code === 1011 || (code >= 4000 && code <= 4999), String(code)).toBe(true);
  });

  it('keep every reason within the 123 bytes a close frame can carry', () => {
    for (const [cause, reasons] of Object.entries(RELAY_CLOSE_REASONS)) {
      expect(reasons.length, cause).toBeGreaterThan(0);
      for (const reason of reasons) expect(new TextEncoder().encode(reason).byteLength, reason).toBeLessThanOrEqual(123);
    }
  });

  it('type a reason by its cause', () => {
    expectTypeOf<'this device signed out'>().toMatchTypeOf<RelayCloseReason<'deviceRemoved'>>();
    expectTypeOf<'this device signed out'>().not.toMatchTypeOf<RelayCloseReason<'replaced'>>();
  });
});
