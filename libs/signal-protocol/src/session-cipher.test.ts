import { describe, expect, it, vi } from 'vitest';
import { fromUtf8, utf8 } from '@parley/bytes';
import { randomBytes } from './bytes.js';
import { isSignalProtocolError } from './errors.js';
import { RecordCache } from './indexeddb/record-cache.js';
import { processPreKeyBundle } from './session-cipher.js';
import { SessionRecord } from './session-state.js';
import type { SignalProtocolStore } from './store.js';
import { sessionPair, TestDevice } from './testing/devices.js';
import { typedRefusalsOfEachFlippedBit } from './testing/tamper.js';
import { CiphertextMessageType, type CiphertextMessage, decodePreKeySignalMessage } from './wire.js';


const pair = sessionPair;

const code = (c: string) => (e: unknown) => isSignalProtocolError(e) && e.code === c;

describe('sessions between two devices of this library', () => {
  it('starts with PreKeySignalMessages until the responder answers, then switches to SignalMessages', async () => {
    const { a, b } = await pair();
    const m1 = await a.encrypt(utf8('hello'));
    const m2 = await a.encrypt(utf8('again'));
    expect([m1.type, m2.type]).toEqual([CiphertextMessageType.PreKey, CiphertextMessageType.PreKey]);
    expect(m1.serialized[0]).toBe(0x44);
    expect(fromUtf8(await b.decrypt(m1))).toBe('hello');
    expect(fromUtf8(await b.decrypt(m2))).toBe('again');
    const r = await b.encrypt(utf8('hi'));
    expect(r.type).toBe(CiphertextMessageType.Whisper);
    expect(fromUtf8(await a.decrypt(r))).toBe('hi');
    const m3 = await a.encrypt(utf8('now whisper'));
    expect(m3.type).toBe(CiphertextMessageType.Whisper);
    expect(fromUtf8(await b.decrypt(m3))).toBe('now whisper');
  });

  it('hands the plaintext to onPlaintext while the session is being stored; decryption ends with the store, and a failed store fails it', async () => {
    const { a, b, bob } = await pair();
    const steps: string[] = [];
    const storeSession = bob.store.storeSession.bind(bob.store);
    let failStore = false;
    let releaseStore = (): void => {};
    bob.store.storeSession = async (address, record) => {
      steps.push('store started');
      await new Promise<void>((resolve) => (releaseStore = resolve));
      steps.push('store finished');
      if (failStore) throw new Error('disk full');
      return storeSession(address, record);
    };
    const onPlaintext = (plaintext: Uint8Array) => void steps.push(`plaintext ${fromUtf8(plaintext)}`);
    const decrypting = b.decrypt(await a.encrypt(utf8('offer')), { onPlaintext });
    let decrypted: string | undefined;
    void decrypting.then((plaintext) => (decrypted = fromUtf8(plaintext)));
    await vi.waitFor(() => expect(steps).toEqual(['store started', 'plaintext offer']));
    // The store is still writing: the decryption is not over until it is.
    await Promise.resolve();
    expect(decrypted).toBeUndefined();
    releaseStore();
    expect(fromUtf8(await decrypting)).toBe('offer');
    expect(steps).toEqual(['store started', 'plaintext offer', 'store finished']);

    bob.store.storeSession = storeSession;
    await a.decrypt(await b.encrypt(utf8('answer')));
    const whisper = await a.encrypt(utf8('candidate'));
    expect(whisper.type).toBe(CiphertextMessageType.Whisper);
    bob.store.storeSession = async (address, record) => {
      steps.push('store started');
      if (failStore) throw new Error('disk full');
      return storeSession(address, record);
    };
    steps.length = 0;
    failStore = true;
    await expect(b.decrypt(whisper, { onPlaintext })).rejects.toThrow('disk full');
    expect(steps).toEqual(['store started', 'plaintext candidate']);
    // Nothing was stored: the same message decrypts again (the relay brings it again).
    failStore = false;
    steps.length = 0;
    expect(fromUtf8(await b.decrypt(whisper, { onPlaintext }))).toBe('candidate');
    expect(steps).toEqual(['store started', 'plaintext candidate']);
    // An inauthentic message never reaches onPlaintext, nor the store.
    const forged = await a.encrypt(utf8('forged'));
    forged.serialized[forged.serialized.length - 1]! ^= 1;
    await expect(b.decrypt(forged, { onPlaintext })).rejects.toThrow();
    expect(steps).toEqual(['store started', 'plaintext candidate']);
  });

  it('encrypts the next message while a decryption\'s state is written; it lands only behind that write, never after it failed', async () => {
    const { a, b, bob } = await pair();
    await b.decrypt(await a.encrypt(utf8('hello')));
    await a.decrypt(await b.encrypt(utf8('hi')));
    const commits = writeBehindSessions(bob.store);

    // A call's offer arrives; its state is being written when the answer is encrypted.
    const decrypting = b.decrypt(await a.encrypt(utf8('offer')));
    const encrypting = b.encrypt(utf8('answer'));
    let encrypted = false;
    void encrypting.then(() => (encrypted = true));
    await vi.waitFor(() => expect(commits.started).toEqual(['write 1', 'write 2']));
    // The answer's write waits for the offer's to commit, and the answer for its own.
    expect(commits.committing).toHaveLength(1);
    commits.release(0);
    expect(fromUtf8(await decrypting)).toBe('offer');
    await vi.waitFor(() => expect(commits.committing).toHaveLength(2));
    expect(encrypted).toBe(false);
    commits.release(1);
    expect(fromUtf8(await a.decrypt(await encrypting))).toBe('answer');

    // The offer's write fails: the answer encrypted meanwhile never lands nor goes out, and the
    // offer, which the relay brings again, still decrypts.
    const text = await a.encrypt(utf8('text'));
    const failing = b.decrypt(text);
    const replying = b.encrypt(utf8('reply'));
    await vi.waitFor(() => expect(commits.started).toHaveLength(4));
    commits.fail(2, new Error('disk full'));
    await expect(failing).rejects.toThrow('disk full');
    await expect(replying).rejects.toThrow('disk full');
    expect(commits.committing).toHaveLength(3);
    commits.autoCommit = true;
    expect(fromUtf8(await b.decrypt(text))).toBe('text');
    expect(fromUtf8(await a.decrypt(await b.encrypt(utf8('reply again'))))).toBe('reply again');
  });

  it('alternates directions for many rounds (a DH ratchet step each time)', async () => {
    const { a, b } = await pair();
    await b.decrypt(await a.encrypt(utf8('start')));
    for (let i = 0; i < 30; i++) {
      expect(fromUtf8(await a.decrypt(await b.encrypt(utf8(`b${i}`))))).toBe(`b${i}`);
      expect(fromUtf8(await b.decrypt(await a.encrypt(utf8(`a${i}`))))).toBe(`a${i}`);
    }
  });

  it('delivers out of order across chains, and each message exactly once', async () => {
    const { a, b } = await pair();
    const first = await a.encrypt(utf8('0'));
    const chain1 = [first, ...(await Promise.all([1, 2, 3].map(async (i) => a.encrypt(utf8(`${i}`)))))];
    expect(fromUtf8(await b.decrypt(chain1[2]!))).toBe('2');
    await a.decrypt(await b.encrypt(utf8('reply')));
    const chain2 = [await a.encrypt(utf8('x')), await a.encrypt(utf8('y'))];
    expect(fromUtf8(await b.decrypt(chain2[1]!))).toBe('y');
    expect(fromUtf8(await b.decrypt(chain1[3]!))).toBe('3');
    expect(fromUtf8(await b.decrypt(chain1[0]!))).toBe('0');
    expect(fromUtf8(await b.decrypt(chain2[0]!))).toBe('x');
    expect(fromUtf8(await b.decrypt(chain1[1]!))).toBe('1');
    for (const m of [...chain1, ...chain2]) await expect(b.decrypt(m)).rejects.toSatisfy(code('duplicate-message'));
  });

  it('rejects a replayed message with a typed duplicate error naming the old counter', async () => {
    const { a, b } = await pair();
    await b.decrypt(await a.encrypt(utf8('hello')));
    await a.decrypt(await b.encrypt(utf8('hi')));
    const m = await a.encrypt(utf8('once'));
    await b.decrypt(m);
    await expect(b.decrypt(m)).rejects.toThrow(/message with old counter 0/);
    await expect(b.decrypt(m)).rejects.toSatisfy(code('duplicate-message'));
  });

  it('rejects a SignalMessage with any single flipped bit (typed error) and keeps the session usable', async () => {
    const { a, b } = await pair();
    await b.decrypt(await a.encrypt(utf8('hello')));
    await a.decrypt(await b.encrypt(utf8('hi')));
    const m = await a.encrypt(utf8('tamper me'));
    expect(m.type).toBe(CiphertextMessageType.Whisper);
    expect(await typedRefusalsOfEachFlippedBit(m, (bad) => b.decrypt(bad))).toBe(m.serialized.length * 8);
    const bad = Uint8Array.from(m.serialized);
    bad[bad.length - 1]! ^= 0x80;
    await expect(b.decrypt({ type: m.type, serialized: bad })).rejects.toSatisfy(code('invalid-mac'));
    expect(fromUtf8(await b.decrypt(m))).toBe('tamper me');
  });

  it('authenticates a PreKeySignalMessage through its inner message: a flipped inner bit is rejected', async () => {
    const { a, b } = await pair();
    const m = await a.encrypt(utf8('hello'));
    const inner = decodePreKeySignalMessage(m.serialized).message.serialized;
    const start = inner.byteOffset - m.serialized.byteOffset;
    for (const position of [start, start + 3, start + inner.length - 9, start + inner.length - 1]) {
      const bad = Uint8Array.from(m.serialized);
      bad[position]! ^= 0x01;
      await expect(b.decrypt({ type: m.type, serialized: bad })).rejects.toSatisfy((e) => isSignalProtocolError(e));
    }
    expect(fromUtf8(await b.decrypt(m))).toBe('hello');
  });

  it('limits forward jumps to 25,000 and keeps at most 2,000 skipped keys per chain', async () => {
    const { a, b } = await pair();
    await b.decrypt(await a.encrypt(utf8('hello')));
    await a.decrypt(await b.encrypt(utf8('hi')));
    const early: CiphertextMessage[] = [];
    for (let i = 0; i < 2005; i++) early.push(await a.encrypt(utf8(`${i}`)));
    expect(fromUtf8(await b.decrypt(early[2004]!))).toBe('2004');
    // counters 0..3 were pushed out of the 2,000 skipped keys: they now count as duplicates
    await expect(b.decrypt(early[3]!)).rejects.toSatisfy(code('duplicate-message'));
    expect(fromUtf8(await b.decrypt(early[4]!))).toBe('4');
  }, 60_000);

  it('rejects a message more than 25,000 ahead', async () => {
    const { alice, bob, a, b } = await pair();
    await b.decrypt(await a.encrypt(utf8('hello')));
    const record = (await alice.store.loadSession(bob.address))!;
    const sender = record.current!.senderChain!;
    sender.chainKey = { ...sender.chainKey, index: 25_002 };
    await alice.store.storeSession(bob.address, record);
    await expect(b.decrypt(await a.encrypt(utf8('far')))).rejects.toThrow(/too far into the future/);
  });

  it('keeps several sessions per address: a new session archives the old one, late messages of the old still decrypt', async () => {
    const { alice, bob, a, b } = await pair();
    await b.decrypt(await a.encrypt(utf8('first session')));
    await a.decrypt(await b.encrypt(utf8('ack')));
    const late = await a.encrypt(utf8('late from first session'));
    // Alice reinstalls her session from a fresh bundle (e.g. after a reset)
    await processPreKeyBundle(alice.store, bob.address, await bob.bundle());
    const fresh = await a.encrypt(utf8('second session'));
    expect(fresh.type).toBe(CiphertextMessageType.PreKey);
    expect(fromUtf8(await b.decrypt(fresh))).toBe('second session');
    const record = (await bob.store.loadSession(alice.address))!;
    expect(record.previous.length).toBe(1);
    expect(fromUtf8(await b.decrypt(late))).toBe('late from first session');
    // decrypting with the archived session promoted it back to current
    expect((await bob.store.loadSession(alice.address))!.previous.length).toBe(1);
  });

  it('archives on demand and reports no usable session afterwards', async () => {
    const { a, b } = await pair();
    await b.decrypt(await a.encrypt(utf8('hello')));
    expect(await b.hasUsableSession()).toBe(true);
    await b.archiveCurrentState();
    expect(await b.hasUsableSession()).toBe(false);
    await expect(b.encrypt(utf8('x'))).rejects.toSatisfy(code('session-not-found'));
  });

  it('refuses to send on an unacknowledged session older than 30 days (stale-session)', async () => {
    const alice = await TestDevice.create('alice');
    const bob = await TestDevice.create('bob');
    const t0 = Date.UTC(2026, 0, 1);
    await processPreKeyBundle(alice.store, bob.address, await bob.bundle(), () => t0);
    const a = alice.cipher(bob.address, () => t0 + 31 * 24 * 3600 * 1000);
    await expect(a.encrypt(utf8('x'))).rejects.toSatisfy(code('stale-session'));
    expect(await alice.cipher(bob.address, () => t0 + 29 * 24 * 3600 * 1000).hasUsableSession()).toBe(true);
  });

  it('refuses a changed identity (untrusted-identity) until the user accepts it', async () => {
    const { alice, bob, a, b } = await pair();
    await b.decrypt(await a.encrypt(utf8('the real alice')));
    const imposter = await TestDevice.create('alice');
    await processPreKeyBundle(imposter.store, bob.address, await bob.bundle());
    const m = await imposter.cipher(bob.address).encrypt(utf8('it is me'));
    await expect(b.decrypt(m)).rejects.toSatisfy(code('untrusted-identity'));
    bob.memoryStore().trustIdentity(alice.address, imposter.identity.publicKey);
    expect(fromUtf8(await b.decrypt(m))).toBe('it is me');
  });

  it('uses up one-time prekeys: a second session with the same one-time prekey fails with missing-prekey', async () => {
    const alice = await TestDevice.create('alice');
    const bob = await TestDevice.create('bob');
    const bundle = await bob.bundle();
    await processPreKeyBundle(alice.store, bob.address, bundle);
    await bob.cipher(alice.address).decrypt(await alice.cipher(bob.address).encrypt(utf8('1')));
    const carol = await TestDevice.create('carol');
    await processPreKeyBundle(carol.store, bob.address, bundle);
    await expect(bob.cipher(carol.address).decrypt(await carol.cipher(bob.address).encrypt(utf8('2')))).rejects.toSatisfy(code('missing-prekey'));
  });

  it('serves many sessions from a last-resort Kyber prekey, but one base key only once', async () => {
    const bob = await TestDevice.create('bob');
    const bundle = await bob.bundle({ oneTime: false, lastResortKyber: true });
    for (const name of ['carol', 'dave']) {
      const d = await TestDevice.create(name);
      await processPreKeyBundle(d.store, bob.address, bundle);
      expect(fromUtf8(await bob.cipher(d.address).decrypt(await d.cipher(bob.address).encrypt(utf8(name))))).toBe(name);
    }
  });

  it('refuses a bundle with a bad signature (invalid-signature) and a non-session message type', async () => {
    const alice = await TestDevice.create('alice');
    const bob = await TestDevice.create('bob');
    const bundle = await bob.bundle();
    const sig = Uint8Array.from(bundle.signedPreKeySignature);
    sig[0]! ^= 1;
    await expect(processPreKeyBundle(alice.store, bob.address, { ...bundle, signedPreKeySignature: sig })).rejects.toSatisfy(code('invalid-signature'));
    await expect(alice.cipher(bob.address).decrypt({ type: 7, serialized: randomBytes(80) })).rejects.toSatisfy(code('invalid-argument'));
    await expect(alice.cipher(bob.address).decryptSignalMessage(randomBytes(3))).rejects.toSatisfy(code('invalid-message'));
  });

  it('serializes concurrent use of one session: parallel encrypts get distinct counters', async () => {
    const { a, b } = await pair();
    await b.decrypt(await a.encrypt(utf8('hello')));
    await a.decrypt(await b.encrypt(utf8('hi')));
    const messages = await Promise.all(Array.from({ length: 20 }, (_, i) => a.encrypt(utf8(`${i}`))));
    const out = await Promise.all(messages.map((m) => b.decrypt(m)));
    expect(out.map((bytes) => fromUtf8(bytes)).sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: 20 }, (_, i) => `${i}`));
  });
});

/**
 * Puts `store`'s sessions behind a write-behind cache as the IndexedDB store keeps them (the
 * record being written is what a read answers; a write commits after the previous one of its
 * address), with commits the test releases or fails one by one unless `autoCommit`.
 */
function writeBehindSessions(store: SignalProtocolStore) {
  const cache = new RecordCache<Uint8Array>(true);
  const load = store.loadSession.bind(store);
  const save = store.storeSession.bind(store);
  const settle: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const commits = {
    /** Writes asked for, in order. */
    started: [] as string[],
    /** Writes whose commit has begun (a write waits for the previous one of its address). */
    committing: [] as number[],
    autoCommit: false,
    release: (i: number) => settle[i]!.resolve(),
    fail: (i: number, error: Error) => settle[i]!.reject(error),
  };
  store.loadSession = async (address) => {
    const bytes = await cache.read(`${address.name}.${address.deviceId}`, async () => (await load(address))?.serialize());
    return bytes === undefined ? undefined : SessionRecord.deserialize(bytes.slice());
  };
  store.storeSession = (address, record) => {
    const bytes = record.serialize();
    commits.started.push(`write ${commits.started.length + 1}`);
    return cache.write(`${address.name}.${address.deviceId}`, bytes, async () => {
      const i = commits.committing.length;
      commits.committing.push(i);
      if (!commits.autoCommit) await new Promise<void>((resolve, reject) => (settle[i] = { resolve, reject }));
      await save(address, SessionRecord.deserialize(bytes.slice()));
    });
  };
  return commits;
}
