import { describe, expect, it } from 'vitest';
import { fromUtf8, toHex, utf8 } from '@parley/bytes';
import { randomUint32 } from './bytes.js';
import { InMemorySignalProtocolStore } from './in-memory-store.js';
import { IdentityKeyPair } from './keys.js';
import { createSenderKeyDistributionMessage, groupDecrypt, groupEncrypt, processSenderKeyDistributionMessage, SenderKeyRecord } from './sender-keys.js';
import { buf, libsignal, OracleStores } from './testing/libsignal-oracle.js';
import { decodeSenderKeyDistributionMessage, decodeSenderKeyMessage, encodeSenderKeyDistributionMessage } from './wire.js';

// Oracle: libsignal-client's group cipher. Sender keys have no SPQR, so full interop is expected.

const N = 30;

const shuffled = (n: number): number[] => {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomUint32() % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
};

describe('sender keys against libsignal-client', () => {
  it(`we decrypt ${N} group messages libsignal encrypts, out of order`, async () => {
    const distributionId = crypto.randomUUID();
    const sender = { name: 'alice', deviceId: 1 };
    const theirSender = libsignal.ProtocolAddress.new('alice', 1);
    const them = OracleStores.create(1);
    const skdm = await libsignal.SenderKeyDistributionMessage.create(theirSender, distributionId, them.senderKey);
    const us = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 2);
    await processSenderKeyDistributionMessage(us, sender, skdm.serialize());
    const messages = [];
    for (let i = 0; i < N; i++) messages.push((await libsignal.groupEncrypt(theirSender, distributionId, them.senderKey, buf(utf8(`t${i}`)))).serialize());
    let decrypted = 0;
    for (const i of shuffled(N)) if (fromUtf8(await groupDecrypt(us, sender, messages[i]!)) === `t${i}`) decrypted++;
    expect(decrypted).toBe(N);
  });

  it(`libsignal decrypts ${N} group messages we encrypt, out of order`, async () => {
    const distributionId = crypto.randomUUID();
    const sender = { name: 'bob', deviceId: 2 };
    const us = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 2);
    const skdm = await createSenderKeyDistributionMessage(us, sender, distributionId);
    const them = OracleStores.create(1);
    const theirSender = libsignal.ProtocolAddress.new('bob', 2);
    await libsignal.processSenderKeyDistributionMessage(theirSender, libsignal.SenderKeyDistributionMessage.deserialize(buf(skdm.serialized)), them.senderKey);
    const messages = [];
    for (let i = 0; i < N; i++) messages.push((await groupEncrypt(us, sender, distributionId, utf8(`u${i}`))).serialized);
    let decrypted = 0;
    for (const i of shuffled(N)) if (fromUtf8(await libsignal.groupDecrypt(theirSender, them.senderKey, buf(messages[i]!))) === `u${i}`) decrypted++;
    expect(decrypted).toBe(N);
    await expect(libsignal.groupDecrypt(theirSender, them.senderKey, buf(messages[0]!))).rejects.toThrow(/old counter/);
  });

  it('distribution messages are byte-identical to libsignal’s _new and each side parses the other’s', async () => {
    const us = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 2);
    const distributionId = crypto.randomUUID();
    const ours = await createSenderKeyDistributionMessage(us, { name: 'x', deviceId: 1 }, distributionId);
    const theirs = libsignal.SenderKeyDistributionMessage._new(3, distributionId, ours.chainId, ours.iteration, buf(ours.chainKey), libsignal.PublicKey.deserialize(buf(ours.signingKey.serialize())));
    expect(toHex(theirs.serialize())).toBe(toHex(ours.serialized));
    const parsed = libsignal.SenderKeyDistributionMessage.deserialize(buf(ours.serialized));
    expect([parsed.chainId(), parsed.iteration(), toHex(parsed.chainKey()), parsed.distributionId()]).toEqual([ours.chainId, 0, toHex(ours.chainKey), distributionId]);
    const made = await libsignal.SenderKeyDistributionMessage.create(libsignal.ProtocolAddress.new('y', 1), distributionId, OracleStores.create(1).senderKey);
    const back = decodeSenderKeyDistributionMessage(made.serialize());
    expect([back.chainId, back.iteration, back.distributionId]).toEqual([made.chainId(), made.iteration(), distributionId]);
    expect(toHex(encodeSenderKeyDistributionMessage(back).serialized)).toBe(toHex(made.serialize()));
  });

  it('group messages: libsignal parses ours and verifies our signature; we parse its and verify its signature', async () => {
    const us = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 2);
    const distributionId = crypto.randomUUID();
    const sender = { name: 'x', deviceId: 1 };
    const skdm = await createSenderKeyDistributionMessage(us, sender, distributionId);
    const m = (await groupEncrypt(us, sender, distributionId, utf8('hello'))).serialized;
    const parsed = libsignal.SenderKeyMessage.deserialize(buf(m));
    expect([parsed.chainId(), parsed.iteration(), parsed.distributionId(), toHex(parsed.ciphertext())]).toEqual([
      skdm.chainId,
      0,
      distributionId,
      toHex(decodeSenderKeyMessage(m).ciphertext),
    ]);
    expect(parsed.verifySignature(libsignal.PublicKey.deserialize(buf(skdm.signingKey.serialize())))).toBe(true);
    const bad = Uint8Array.from(m);
    bad[bad.length - 2]! ^= 1;
    expect(libsignal.SenderKeyMessage.deserialize(buf(bad)).verifySignature(libsignal.PublicKey.deserialize(buf(skdm.signingKey.serialize())))).toBe(false);
  });

  it('sender key records: libsignal reads ours byte for byte, and we continue from a record libsignal wrote', async () => {
    const us = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 2);
    const distributionId = crypto.randomUUID();
    const sender = { name: 'x', deviceId: 1 };
    await createSenderKeyDistributionMessage(us, sender, distributionId);
    for (let i = 0; i < 3; i++) await groupEncrypt(us, sender, distributionId, utf8(`${i}`));
    const ours = (await us.loadSenderKey(sender, distributionId))!.serialize();
    expect(toHex(libsignal.SenderKeyRecord.deserialize(buf(ours)).serialize())).toBe(toHex(ours));

    const them = OracleStores.create(1);
    const theirSender = libsignal.ProtocolAddress.new('z', 1);
    await libsignal.SenderKeyDistributionMessage.create(theirSender, distributionId, them.senderKey);
    const theirRecord = them.senderKeys.get(`${theirSender.toString()}/${distributionId}`)!;
    const record = SenderKeyRecord.deserialize(theirRecord);
    expect(toHex(record.serialize())).toBe(toHex(theirRecord));
    // our store takes over libsignal's sending state and libsignal's receiver still reads the result
    const mine = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 3);
    await mine.storeSenderKey({ name: 'z', deviceId: 1 }, distributionId, record);
    const receiver = OracleStores.create(4);
    const skdm = await libsignal.SenderKeyDistributionMessage.create(theirSender, distributionId, them.senderKey);
    await libsignal.processSenderKeyDistributionMessage(theirSender, skdm, receiver.senderKey);
    const m = await groupEncrypt(mine, { name: 'z', deviceId: 1 }, distributionId, utf8('continued'));
    expect(fromUtf8(await libsignal.groupDecrypt(theirSender, receiver.senderKey, buf(m.serialized)))).toBe('continued');
  });
});
