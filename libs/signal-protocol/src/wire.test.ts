import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '@parley/bytes';
import { randomBytes } from './bytes.js';
import { isSignalProtocolError } from './errors.js';
import { EcKeyPair } from './keys.js';
import { ProtoReader, ProtoWriter } from './protobuf.js';
import {
  bytesToUuid,
  decodePreKeySignalMessage,
  decodeSenderKeyMessage,
  decodeSignalMessage,
  encodePreKeySignalMessage,
  encodeSignalMessage,
  uuidToBytes,
  verifySignalMessageMac,
} from './wire.js';

const code = (c: string) => (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isSignalProtocolError(e, c as never);
  }
  return false;
};

describe('protobuf codec', () => {
  it('writes fields in call order with minimal varints and reads the last occurrence', () => {
    const bytes = new ProtoWriter().uint32(1, 300).bytes(2, new Uint8Array([7])).fixed64(5, 1n).uint64(6, 2n ** 63n).finish();
    expect(toHex(bytes)).toBe('08ac02120107290100000000000000308080808080808080800' + '1');
    const r = ProtoReader.decode(bytes);
    expect([r.uint32(1), toHex(r.bytes(2)!), r.fixed64(5), r.uint64(6)]).toEqual([300, '07', 1n, 2n ** 63n]);
    expect(ProtoReader.decode(new Uint8Array([0x08, 1, 0x08, 2])).uint32(1)).toBe(2);
  });

  it('rejects truncation, overlong varints, bad wire types and type confusion', () => {
    for (const bad of ['0a05010203', '08ffffffffffffffffffff01', '0b', '08']) {
      expect(code('invalid-protobuf')(() => ProtoReader.decode(fromHex(bad)))).toBe(true);
    }
    expect(code('invalid-protobuf')(() => ProtoReader.decode(fromHex('0801')).bytes(1))).toBe(true);
  });

  it('skips unknown fields', () => {
    expect(ProtoReader.decode(fromHex('f80301' + '0802')).uint32(1)).toBe(2);
  });
});

describe('session message framing', async () => {
  const ratchet = (await EcKeyPair.generate()).publicKey;
  const sender = (await EcKeyPair.generate()).publicKey;
  const receiver = (await EcKeyPair.generate()).publicKey;
  const macKey = randomBytes(32);
  const message = encodeSignalMessage({ ratchetKey: ratchet, counter: 5, previousCounter: 2, ciphertext: randomBytes(32), pqRatchet: new Uint8Array([1, 1, 1, 0]), macKey, senderIdentity: sender, receiverIdentity: receiver });

  it('puts version 0x44 first and an 8-byte MAC over both identities last', () => {
    expect(message.serialized[0]).toBe(0x44);
    expect(verifySignalMessageMac(decodeSignalMessage(message.serialized), sender, receiver, macKey)).toBe(true);
    expect(verifySignalMessageMac(decodeSignalMessage(message.serialized), receiver, sender, macKey)).toBe(false);
  });

  it('rejects legacy (< 3) and unknown (> 4) versions and short input with typed errors', () => {
    const legacy = Uint8Array.from(message.serialized);
    legacy[0] = 0x22;
    expect(code('legacy-version')(() => decodeSignalMessage(legacy))).toBe(true);
    const future = Uint8Array.from(message.serialized);
    future[0] = 0x54;
    expect(code('unrecognized-version')(() => decodeSignalMessage(future))).toBe(true);
    expect(code('invalid-message')(() => decodeSignalMessage(message.serialized.subarray(0, 8)))).toBe(true);
  });

  it('requires the Kyber fields in v4 PreKeySignalMessages, both or neither', async () => {
    const base = { registrationId: 1, preKeyId: undefined, signedPreKeyId: 2, baseKey: ratchet, identityKey: sender, message };
    const full = encodePreKeySignalMessage({ ...base, kyberPreKeyId: 3, kyberCiphertext: new Uint8Array(1569).fill(8) });
    expect(decodePreKeySignalMessage(full.serialized).kyberPreKeyId).toBe(3);
    const none = encodePreKeySignalMessage({ ...base, kyberPreKeyId: undefined, kyberCiphertext: undefined });
    expect(() => decodePreKeySignalMessage(none.serialized)).toThrow(/Kyber prekey must be present/);
    const half = encodePreKeySignalMessage({ ...base, kyberPreKeyId: 3, kyberCiphertext: undefined });
    expect(() => decodePreKeySignalMessage(half.serialized)).toThrow(/both or neither/);
  });

  it('parses UUIDs as 16 bytes and refuses sender key messages that are too short', () => {
    const id = '9d0652a3-dcc3-4d11-975f-74d61598733f';
    expect(bytesToUuid(uuidToBytes(id))).toBe(id);
    expect(code('invalid-message')(() => decodeSenderKeyMessage(new Uint8Array(64)))).toBe(true);
  });
});
