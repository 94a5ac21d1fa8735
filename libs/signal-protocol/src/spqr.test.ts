import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { randomBytes } from './bytes.js';
import { isSignalProtocolError } from './errors.js';
import { encodeSpqrMessage, parseSpqrMessage, SPQR_MAX_JUMP, SpqrChain } from './spqr.js';

const pair = () => {
  const auth = randomBytes(32);
  return { a: SpqrChain.initial(auth, 'A2B'), b: SpqrChain.initial(auth, 'B2A') };
};

describe('SPQR epoch-0 chain', () => {
  it('gives both directions matching keys, in order and out of order', () => {
    const { a, b } = pair();
    const sent = Array.from({ length: 6 }, () => a.send());
    for (const i of [2, 0, 5, 1, 4, 3]) expect(toHex(b.receive(sent[i]!.message)!)).toBe(toHex(sent[i]!.key));
    const back = b.send();
    expect(toHex(a.receive(back.message)!)).toBe(toHex(back.key));
  });

  it('refuses a key twice and a jump beyond the limit', () => {
    const { a, b } = pair();
    const m = a.send();
    b.receive(m.message);
    expect(() => b.receive(m.message)).toThrow(/already requested/);
    expect(() => b.receive(encodeSpqrMessage(SPQR_MAX_JUMP + 5))).toThrow(/key jump/);
  });

  it('survives serialization with its out-of-order history', () => {
    const { a, b } = pair();
    const sent = Array.from({ length: 4 }, () => a.send());
    b.receive(sent[3]!.message);
    const again = SpqrChain.deserialize(b.serialize());
    expect(toHex(again.receive(sent[1]!.message)!)).toBe(toHex(sent[1]!.key));
  });

  it('writes and reads SPQR V1 message headers; rejects absent data, other versions and later epochs', () => {
    expect(toHex(encodeSpqrMessage(1))).toBe('01010100');
    expect(toHex(encodeSpqrMessage(300))).toBe('0101ac0200');
    expect(parseSpqrMessage(encodeSpqrMessage(300))).toEqual({ epoch: 1, index: 300, payloadType: 0 });
    const hdrChunk = new Uint8Array([1, 1, 7, 1, 0, ...new Uint8Array(32)]);
    expect(parseSpqrMessage(hdrChunk)).toEqual({ epoch: 1, index: 7, payloadType: 1 });
    for (const bad of [new Uint8Array(), new Uint8Array([2, 1, 1, 0]), new Uint8Array([1, 2, 1, 0]), new Uint8Array([1, 1, 7, 1, 0, 1, 2])]) {
      expect(() => parseSpqrMessage(bad)).toThrow();
      try {
        parseSpqrMessage(bad);
      } catch (e) {
        expect(isSignalProtocolError(e, 'invalid-message')).toBe(true);
      }
    }
  });
});
