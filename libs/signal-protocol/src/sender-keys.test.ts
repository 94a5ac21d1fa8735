import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '@parley/bytes';
import { IdentityKeyPair } from './keys.js';
import { isSignalProtocolError } from './errors.js';
import { InMemorySignalProtocolStore } from './in-memory-store.js';
import {
  createSenderKeyDistributionMessage,
  groupDecrypt,
  groupEncrypt,
  MAX_SENDER_KEY_STATES,
  processSenderKeyDistributionMessage,
  SenderKeyRecord,
} from './sender-keys.js';
import { CiphertextMessageType, decodeSenderKeyMessage } from './wire.js';

const code = (c: string) => (e: unknown) => isSignalProtocolError(e) && e.code === c;
const store = async () => new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 1);

const alice = { name: 'alice', deviceId: 1 };
const group = '3f0f2ad5-3c6e-4c52-9a7e-7f3b0f8d2c11';

async function setup() {
  const a = await store();
  const b = await store();
  const skdm = await createSenderKeyDistributionMessage(a, alice, group);
  await processSenderKeyDistributionMessage(b, alice, skdm.serialized);
  return { a, b, skdm };
}

describe('sender keys (group messages)', () => {
  it('distribution message: version 0x33, 31-bit chain id, iteration 0, 32-byte chain key, signing key', async () => {
    const { skdm } = await setup();
    expect(skdm.serialized[0]).toBe(0x33);
    expect(skdm.chainId).toBeLessThan(2 ** 31);
    expect([skdm.iteration, skdm.chainKey.length, skdm.signingKey.serialize().length]).toEqual([0, 32, 33]);
  });

  it('members decrypt in order and out of order, each message once', async () => {
    const { a, b } = await setup();
    const messages = [];
    for (let i = 0; i < 8; i++) messages.push(await groupEncrypt(a, alice, group, utf8(`g${i}`)));
    expect(messages[0]!.type).toBe(CiphertextMessageType.SenderKey);
    for (const i of [3, 0, 7, 1, 2, 6, 5, 4]) expect(fromUtf8(await groupDecrypt(b, alice, messages[i]!.serialized))).toBe(`g${i}`);
    await expect(groupDecrypt(b, alice, messages[5]!.serialized)).rejects.toSatisfy(code('duplicate-message'));
  });

  it('rejects a tampered signature or body (invalid-signature), an unknown sender (no-sender-key-state)', async () => {
    const { a, b } = await setup();
    const m = (await groupEncrypt(a, alice, group, utf8('signed'))).serialized;
    for (const position of [m.length - 1, m.length - 40, 10, 30]) {
      const bad = Uint8Array.from(m);
      bad[position]! ^= 0x04;
      await expect(groupDecrypt(b, alice, bad)).rejects.toSatisfy((e) => isSignalProtocolError(e));
    }
    const bad = Uint8Array.from(m);
    bad[m.length - 1]! ^= 0x01;
    await expect(groupDecrypt(b, alice, bad)).rejects.toSatisfy(code('invalid-signature'));
    await expect(groupDecrypt(b, { name: 'mallory', deviceId: 1 }, m)).rejects.toSatisfy(code('no-sender-key-state'));
    expect(fromUtf8(await groupDecrypt(b, alice, m))).toBe('signed');
  });

  it('limits forward jumps to 25,000 iterations', async () => {
    const { a, b } = await setup();
    const record = (await a.loadSenderKey(alice, group))!;
    record.states[0]!.chainKey = { ...record.states[0]!.chainKey, iteration: 25_001 };
    await a.storeSenderKey(alice, group, record);
    const m = await groupEncrypt(a, alice, group, utf8('far'));
    expect(decodeSenderKeyMessage(m.serialized).iteration).toBe(25_001);
    await expect(groupDecrypt(b, alice, m.serialized)).rejects.toThrow(/too far into the future/);
  });

  it('keeps at most five sender key states; a re-sent distribution message does not rewind a chain', async () => {
    const { a, b, skdm } = await setup();
    const first = await groupEncrypt(a, alice, group, utf8('one'));
    expect(fromUtf8(await groupDecrypt(b, alice, first.serialized))).toBe('one');
    await processSenderKeyDistributionMessage(b, alice, skdm);
    await expect(groupDecrypt(b, alice, first.serialized)).rejects.toSatisfy(code('duplicate-message'));
    for (let i = 0; i < MAX_SENDER_KEY_STATES + 2; i++) {
      const other = await store();
      await processSenderKeyDistributionMessage(b, alice, await createSenderKeyDistributionMessage(other, alice, group));
    }
    const record = SenderKeyRecord.deserialize((await b.loadSenderKey(alice, group))!.serialize());
    expect(record.states.length).toBe(MAX_SENDER_KEY_STATES);
  });
});
