import { describe, expect, it } from 'vitest';
import { fromUtf8, toHex, utf8 } from '@parley/bytes';
import { randomBytes, randomUint32 } from './bytes.js';
import { isSignalProtocolError } from './errors.js';
import { EcKeyPair } from './keys.js';
import { pqxdhRespond } from './pqxdh.js';
import { createChain, nextChainKey } from './ratchet.js';
import { processPreKeyBundle } from './session-cipher.js';
import { TestDevice } from './testing/devices.js';
import { typedRefusalsOfEachFlippedBit } from './testing/tamper.js';
import { decodeOracleSessionRecord } from './testing/libsignal-records.js';
import { LibsignalPeer } from './testing/libsignal-peer.js';
import { buf, libsignal } from './testing/libsignal-oracle.js';
import { type CiphertextMessage, CiphertextMessageType, decodePreKeySignalMessage, decodeSignalMessage, encodePreKeySignalMessage, encodeSignalMessage } from './wire.js';

// Oracle: libsignal-client 0.103 sessions, end to end. Its sessions require SPQR; ours speak SPQR's
// epoch 0 (spqr.ts), which is what makes both directions decrypt. Where a comparison is of keys,
// the expected values come from libsignal's own serialized session record.

const N = 10;

async function libsignalToUs() {
  const us = await TestDevice.create('bob');
  const them = new LibsignalPeer({ name: 'alice', deviceId: 1 });
  const bundle = await us.bundle();
  await them.processBundle(us.address, bundle);
  return { us, them, bundle };
}

describe('PQXDH with libsignal as initiator and us as responder', () => {
  it(`${N} sessions: our responder derives libsignal's chain and SPQR keys, and the first ratchet step matches its root and chain`, async () => {
    let matched = 0;
    for (let i = 0; i < N; i++) {
      const { us, them } = await libsignalToUs();
      const first = await them.encrypt(us.address, utf8('hello'));
      expect(first.type).toBe(CiphertextMessageType.PreKey);
      const message = decodePreKeySignalMessage(first.serialized);
      const signed = (await us.store.loadSignedPreKey(message.signedPreKeyId))!;
      const handshake = await pqxdhRespond({
        ourIdentity: us.identity,
        ourSignedPreKey: signed.keyPair,
        ourOneTimePreKey: (await us.store.loadPreKey(message.preKeyId!))!.keyPair,
        ourKyberPreKey: (await us.store.loadKyberPreKey(message.kyberPreKeyId!))!.keyPair,
        theirIdentity: message.identityKey,
        theirBaseKey: message.baseKey,
        kyberCiphertext: message.kyberCiphertext!,
      });
      const theirs = decodeOracleSessionRecord(them.record(us.address));
      const step = await createChain(handshake.rootKey, message.message.ratchetKey, signed.keyPair);
      const ok =
        toHex(theirs.receiverChains[0]!.ratchetKey) === toHex(signed.keyPair.publicKey.serialize()) &&
        toHex(theirs.receiverChains[0]!.chainKey) === toHex(handshake.chainKey.key) &&
        toHex(theirs.pqAuthKey!) === toHex(handshake.pqrKey) &&
        toHex(theirs.rootKey) === toHex(step.rootKey) &&
        theirs.senderChain!.chainIndex === 1 &&
        toHex(theirs.senderChain!.chainKey) === toHex(nextChainKey(step.chainKey).key) &&
        toHex(theirs.aliceBaseKey!) === toHex(message.baseKey.serialize());
      if (ok) matched++;
    }
    expect(matched).toBe(N);
  });

  it('our session decrypts libsignal’s PreKeySignalMessage and then holds the same receiving chain as its sending chain', async () => {
    const { us, them } = await libsignalToUs();
    const first = await them.encrypt(us.address, utf8('hello bob'));
    expect(fromUtf8(await us.cipher(them.address).decrypt(first))).toBe('hello bob');
    const ours = (await us.store.loadSession(them.address))!.current!;
    const theirs = decodeOracleSessionRecord(them.record(us.address));
    const chain = ours.receiverChain(decodeSignalMessage(decodePreKeySignalMessage(first.serialized).message.serialized).ratchetKey)!;
    expect([toHex(chain.chainKey.key), chain.chainKey.index]).toEqual([toHex(theirs.senderChain!.chainKey), theirs.senderChain!.chainIndex]);
    expect(toHex(ours.aliceBaseKey)).toBe(toHex(theirs.aliceBaseKey!));
  });
});

describe('PQXDH with us as initiator and libsignal as responder', () => {
  it(`${N} sessions: libsignal decrypts our PreKeySignalMessage (our Kyber encapsulation, our PQXDH) and its receiving chain is our sending chain`, async () => {
    let matched = 0;
    for (let i = 0; i < N; i++) {
      const us = await TestDevice.create('alice');
      const them = new LibsignalPeer({ name: 'bob', deviceId: 1 });
      await processPreKeyBundle(us.store, them.address, them.bundle({ oneTime: i % 2 === 0 }));
      const m = await us.cipher(them.address).encrypt(utf8(`hi ${i}`));
      if (fromUtf8(await them.decrypt(us.address, m)) !== `hi ${i}`) continue;
      const ours = (await us.store.loadSession(them.address))!.current!;
      const theirs = decodeOracleSessionRecord(them.record(us.address));
      const chain = theirs.receiverChains[0]!;
      if (
        toHex(chain.ratchetKey) === toHex(ours.senderChain!.ratchetKeyPair.publicKey.serialize()) &&
        toHex(chain.chainKey) === toHex(ours.senderChain!.chainKey.key) &&
        chain.chainIndex === ours.senderChain!.chainKey.index &&
        toHex(theirs.aliceBaseKey!) === toHex(ours.aliceBaseKey)
      ) {
        matched++;
      }
    }
    expect(matched).toBe(N);
  });
});

describe('conversations with libsignal', () => {
  it('alternating 20 rounds each way in a session libsignal started', async () => {
    const { us, them } = await libsignalToUs();
    const cipher = us.cipher(them.address);
    for (let i = 0; i < 20; i++) {
      expect(fromUtf8(await cipher.decrypt(await them.encrypt(us.address, utf8(`l${i}`))))).toBe(`l${i}`);
      expect(fromUtf8(await them.decrypt(us.address, await cipher.encrypt(utf8(`o${i}`))))).toBe(`o${i}`);
    }
  });

  it('alternating 20 rounds each way in a session we started', async () => {
    const us = await TestDevice.create('alice');
    const them = new LibsignalPeer({ name: 'bob', deviceId: 1 });
    await processPreKeyBundle(us.store, them.address, them.bundle());
    const cipher = us.cipher(them.address);
    for (let i = 0; i < 20; i++) {
      expect(fromUtf8(await them.decrypt(us.address, await cipher.encrypt(utf8(`o${i}`))))).toBe(`o${i}`);
      expect(fromUtf8(await cipher.decrypt(await them.encrypt(us.address, utf8(`l${i}`))))).toBe(`l${i}`);
    }
  });

  it('out of order both ways across several chains, each delivered message decrypts exactly once', async () => {
    const { us, them } = await libsignalToUs();
    const cipher = us.cipher(them.address);
    await cipher.decrypt(await them.encrypt(us.address, utf8('start')));
    const shuffle = <T>(xs: T[]): T[] => {
      const a = [...xs];
      for (let i = a.length - 1; i > 0; i--) {
        const j = randomUint32() % (i + 1);
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a;
    };
    for (let round = 0; round < 3; round++) {
      const fromThem: [string, CiphertextMessage][] = [];
      const fromUs: [string, CiphertextMessage][] = [];
      for (let i = 0; i < 6; i++) fromThem.push([`t${round}.${i}`, await them.encrypt(us.address, utf8(`t${round}.${i}`))]);
      for (let i = 0; i < 6; i++) fromUs.push([`u${round}.${i}`, await cipher.encrypt(utf8(`u${round}.${i}`))]);
      for (const [expected, m] of shuffle(fromThem)) expect(fromUtf8(await cipher.decrypt(m))).toBe(expected);
      for (const [expected, m] of shuffle(fromUs)) expect(fromUtf8(await them.decrypt(us.address, m))).toBe(expected);
      for (const [, m] of fromThem.slice(0, 2)) await expect(cipher.decrypt(m)).rejects.toSatisfy((e) => isSignalProtocolError(e, 'duplicate-message'));
      for (const [, m] of fromUs.slice(0, 2)) await expect(them.decrypt(us.address, m)).rejects.toThrow(/old counter/);
    }
  });

  it('libsignal rejects a SignalMessage without the SPQR field (why epoch-0 SPQR is needed)', async () => {
    const { us, them } = await libsignalToUs();
    const cipher = us.cipher(them.address);
    await cipher.decrypt(await them.encrypt(us.address, utf8('start')));
    const m = decodeSignalMessage((await cipher.encrypt(utf8('with spqr'))).serialized);
    const state = (await us.store.loadSession(them.address))!.current!;
    // same keys minus the pq field: re-encode the real message without field 5
    const stripped = encodeSignalMessage({
      ratchetKey: m.ratchetKey,
      counter: m.counter,
      previousCounter: m.previousCounter,
      ciphertext: m.ciphertext,
      macKey: randomBytes(32),
      senderIdentity: state.localIdentityKey,
      receiverIdentity: state.remoteIdentityKey,
    });
    await expect(them.decrypt(us.address, { type: CiphertextMessageType.Whisper, serialized: stripped.serialized })).rejects.toThrow();
  });
});

describe('wire format against libsignal-client', () => {
  it('we parse every field of libsignal’s PreKeySignalMessage and SignalMessage and re-encode them byte for byte', async () => {
    const { us, them, bundle } = await libsignalToUs();
    const pre = await them.encrypt(us.address, utf8('parse me'));
    const p = decodePreKeySignalMessage(pre.serialized);
    const theirP = libsignal.PreKeySignalMessage.deserialize(buf(pre.serialized));
    expect([p.version, p.registrationId, p.preKeyId, p.signedPreKeyId, p.kyberPreKeyId]).toEqual([
      theirP.version(),
      theirP.registrationId(),
      theirP.preKeyId(),
      theirP.signedPreKeyId(),
      bundle.kyberPreKeyId,
    ]);
    expect(p.kyberCiphertext!.length).toBe(1569);
    expect(toHex(p.identityKey.serialize())).toBe(toHex(them.stores.identityKeyPair.publicKey.serialize()));
    expect(toHex(encodePreKeySignalMessage(p).serialized)).toBe(toHex(pre.serialized));
    const inner = p.message;
    expect([inner.version, inner.counter, inner.previousCounter, inner.pqRatchet[0], inner.addresses]).toEqual([4, 0, 0, 1, undefined]);
    await us.cipher(them.address).decrypt(pre);
    await them.decrypt(us.address, await us.cipher(them.address).encrypt(utf8('reply')));
    const whisper = await them.encrypt(us.address, utf8('second'));
    expect(whisper.type).toBe(CiphertextMessageType.Whisper);
    const s = decodeSignalMessage(whisper.serialized);
    const theirS = libsignal.SignalMessage.deserialize(buf(whisper.serialized));
    expect([s.version, s.counter, toHex(s.ciphertext), toHex(s.pqRatchet)]).toEqual([theirS.messageVersion(), theirS.counter(), toHex(theirS.body()), toHex(theirS.pqRatchet())]);
  });

  it('libsignal parses our messages: every exposed field equal', async () => {
    const us = await TestDevice.create('alice');
    const them = new LibsignalPeer({ name: 'bob', deviceId: 1 });
    const b = them.bundle();
    await processPreKeyBundle(us.store, them.address, b);
    const pre = await us.cipher(them.address).encrypt(utf8('x'));
    const theirP = libsignal.PreKeySignalMessage.deserialize(buf(pre.serialized));
    expect([theirP.version(), theirP.registrationId(), theirP.preKeyId(), theirP.signedPreKeyId()]).toEqual([4, us.registrationId, b.preKeyId, b.signedPreKeyId]);
    const inner = decodePreKeySignalMessage(pre.serialized).message;
    const theirS = libsignal.SignalMessage.deserialize(buf(inner.serialized));
    expect([theirS.messageVersion(), theirS.counter(), toHex(theirS.body()), toHex(theirS.pqRatchet())]).toEqual([4, 0, toHex(inner.ciphertext), '01010100']);
  });

  it('20 random SignalMessages: our encoder is byte-identical to libsignal’s SignalMessage._new (same MAC key, same fields)', async () => {
    let identical = 0;
    for (let i = 0; i < 20; i++) {
      const ratchet = (await EcKeyPair.generate()).publicKey;
      const sender = (await EcKeyPair.generate()).publicKey;
      const receiver = (await EcKeyPair.generate()).publicKey;
      const macKey = randomBytes(32);
      const ciphertext = randomBytes(16 * (1 + (i % 5)));
      const pq = i % 3 === 0 ? new Uint8Array() : randomBytes(4 + i);
      const counter = randomUint32() >>> (i % 32);
      const previous = randomUint32() >>> 8;
      const ours = encodeSignalMessage({ ratchetKey: ratchet, counter, previousCounter: previous, ciphertext, pqRatchet: pq, macKey, senderIdentity: sender, receiverIdentity: receiver });
      const theirs = libsignal.SignalMessage._new(
        4,
        buf(macKey),
        libsignal.PublicKey.deserialize(buf(ratchet.serialize())),
        counter,
        previous,
        buf(ciphertext),
        libsignal.PublicKey.deserialize(buf(sender.serialize())),
        libsignal.PublicKey.deserialize(buf(receiver.serialize())),
        buf(pq),
      );
      if (toHex(theirs.serialize()) === toHex(ours.serialized)) identical++;
    }
    expect(identical).toBe(20);
  });

  it('rejects altered libsignal messages: any flipped bit of a SignalMessage fails with a typed error', async () => {
    const { us, them } = await libsignalToUs();
    const cipher = us.cipher(them.address);
    await cipher.decrypt(await them.encrypt(us.address, utf8('start')));
    await them.decrypt(us.address, await cipher.encrypt(utf8('ack')));
    const m = await them.encrypt(us.address, utf8('do not alter'));
    expect(m.type).toBe(CiphertextMessageType.Whisper);
    expect(await typedRefusalsOfEachFlippedBit(m, (bad) => cipher.decrypt(bad))).toBe(m.serialized.length * 8);
    expect(fromUtf8(await cipher.decrypt(m))).toBe('do not alter');
  });

  it('verifies libsignal’s MAC with the right keys only (identity keys swapped → invalid-mac)', async () => {
    const { us, them } = await libsignalToUs();
    const cipher = us.cipher(them.address);
    await cipher.decrypt(await them.encrypt(us.address, utf8('start')));
    const record = (await us.store.loadSession(them.address))!;
    const state = record.current!;
    [state.localIdentityKey, state.remoteIdentityKey] = [state.remoteIdentityKey, state.localIdentityKey];
    await us.store.storeSession(them.address, record);
    await expect(cipher.decrypt(await them.encrypt(us.address, utf8('second')))).rejects.toSatisfy((e) => isSignalProtocolError(e, 'invalid-mac'));
  });
});

describe('service-id addresses bound into PreKeySignalMessages', () => {
  const aci = () => crypto.randomUUID();

  it('libsignal binds the addresses when names are service ids; we verify them and bind ours the same way', async () => {
    const us = await TestDevice.create(aci(), 2);
    const them = new LibsignalPeer({ name: `PNI:${aci()}`, deviceId: 3 });
    await them.processBundle(us.address, await us.bundle());
    const pre = await them.encrypt(us.address, utf8('addressed'));
    const inner = decodePreKeySignalMessage(pre.serialized).message;
    expect(inner.addresses?.length).toBe(36);
    expect(fromUtf8(await us.cipher(them.address).decrypt(pre))).toBe('addressed');

    const ours = await TestDevice.create(aci(), 5);
    const peer = new LibsignalPeer({ name: aci(), deviceId: 7 });
    await processPreKeyBundle(ours.store, peer.address, peer.bundle());
    const mine = await ours.cipher(peer.address).encrypt(utf8('mine'));
    expect(decodePreKeySignalMessage(mine.serialized).message.addresses?.length).toBe(36);
    expect(fromUtf8(await peer.decrypt(ours.address, mine))).toBe('mine');
  });

  it('a PreKeySignalMessage bound to other addresses is rejected by both (invalid-mac here)', async () => {
    const us = await TestDevice.create(aci(), 2);
    const them = new LibsignalPeer({ name: aci(), deviceId: 3 });
    await them.processBundle(us.address, await us.bundle());
    const pre = await them.encrypt(us.address, utf8('addressed'));
    // the same device under another service id: the bound addresses no longer match
    const elsewhere = new (await import('./session-cipher.js')).SessionCipher(us.store, { name: aci(), deviceId: 2 }, them.address);
    await expect(elsewhere.decrypt(pre)).rejects.toSatisfy((e) => isSignalProtocolError(e, 'invalid-mac'));
  });
});
