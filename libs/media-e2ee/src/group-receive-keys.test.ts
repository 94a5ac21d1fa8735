import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '@parley/bytes';
import { CipherSuite } from './cipher-suite.js';
import type { SFrameResult } from './errors.js';
import { type MediaCodec, encryptFrame } from './frame-transform.js';
import { GroupReceiveKeys, MAX_RATCHET_AHEAD, RECEIVE_GENERATION_WINDOW, decryptGroupFrame } from './group-receive-keys.js';
import { encodeHeader } from './header.js';
import { TrackSlot, composeKeyId, deriveTrackKey, generateSenderSecret } from './key-id.js';
import { SFrameSender } from './sender.js';
import { ratchetSenderSecret } from './sender-secret-ratchet.js';

const A = 0;
const B = 1;
const opusFrame = new Uint8Array([0xfc, 0xff, 0xfe, ...Array.from({ length: 60 }, (_, i) => (i * 13) & 0xff)]);
const vp8DeltaFrame = new Uint8Array([0x31, 0x0a, 0x00, ...Array.from({ length: 80 }, (_, i) => (i * 7) & 0xff)]);

/** Encrypts `count` frames as `sender` would with `secret` at `generation` on `track`. */
async function framesOf(secret: Uint8Array, generation: bigint, { sender = A, track = TrackSlot.microphone as number, codec = 'opus' as MediaCodec, count = 1 } = {}) {
  const out = new SFrameSender();
  out.setKey(await deriveTrackKey(CipherSuite.AES_128_GCM_SHA256_128, secret, { generation, sender, track }, 'encrypt'));
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) frames.push(unwrap(await encryptFrame(out, codec, codec === 'opus' ? opusFrame : vp8DeltaFrame)));
  return frames;
}

async function frameOf(secret: Uint8Array, generation: bigint, options: Parameters<typeof framesOf>[2] = {}) {
  return (await framesOf(secret, generation, options))[0]!;
}

/** A frame with a well-formed header for `kid` and random bytes where the ciphertext goes: a forgery. */
function forged(kid: bigint, ctr = 0n): Uint8Array {
  return concatBytes(encodeHeader(kid, ctr), crypto.getRandomValues(new Uint8Array(40)));
}

function unwrap<T>(result: SFrameResult<T>): T {
  if (!result.ok) throw new Error(`${result.failure.code}: ${result.failure.message}`);
  return result.value;
}

async function ratchet(secret: Uint8Array, steps: number): Promise<Uint8Array> {
  let s = secret;
  for (let i = 0; i < steps; i++) s = await ratchetSenderSecret(s);
  return s;
}

describe('GroupReceiveKeys', () => {
  it('decrypts a frame whose sender and generation it was given, on any track and codec', async () => {
    const keys = new GroupReceiveKeys();
    const secret = generateSenderSecret();
    keys.addKey(A, 0n, secret);
    expect(toHex(unwrap(await keys.decrypt('opus', await frameOf(secret, 0n))).data)).toBe(toHex(opusFrame));
    const video = await frameOf(secret, 0n, { track: TrackSlot.camera, codec: 'vp8' });
    expect(unwrap(await decryptGroupFrame(keys, 'vp8', video))).toMatchObject({ kid: composeKeyId({ generation: 0n, sender: A, track: TrackSlot.camera }), ctr: 0n });
    expect(keys.statsOf(A)).toEqual({ decrypted: 2, dropped: 0, consecutiveDropped: 0 });
  });

  it('keyFor gives the decryption key of a KID, and undefined for a sender it has no keys of', async () => {
    const keys = new GroupReceiveKeys();
    keys.addKey(A, 0n, generateSenderSecret());
    const kid = composeKeyId({ generation: 0n, sender: A, track: TrackSlot.camera });
    expect(await keys.keyFor(kid)).toMatchObject({ kid, usage: 'decrypt', suite: CipherSuite.AES_128_GCM_SHA256_128 });
    expect(await keys.keyFor(composeKeyId({ generation: 0n, sender: B, track: 0 }))).toBeUndefined();
  });

  it('ratchets forward by itself when a frame names a later generation (someone joined), and keeps the generation once a frame confirms it', async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    const g3 = await ratchet(g0, 3);
    expect(unwrap(await keys.decrypt('opus', await frameOf(g3, 3n))).kid).toBe(composeKeyId({ generation: 3n, sender: A, track: 0 }));
    expect(keys.generationsOf(A)).toEqual([
      { generation: 0n, origin: 'explicit', trusted: true },
      { generation: 1n, origin: 'derived', trusted: false },
      { generation: 2n, origin: 'derived', trusted: false },
      { generation: 3n, origin: 'derived', trusted: true },
    ]);
  });

  it(`ratchets at most ${MAX_RATCHET_AHEAD} generations ahead of the newest confirmed one`, async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    const tooFar = BigInt(MAX_RATCHET_AHEAD + 1);
    const far = await keys.decrypt('opus', await frameOf(await ratchet(g0, MAX_RATCHET_AHEAD + 1), tooFar));
    expect(far).toMatchObject({ ok: false, failure: { code: 'unknown-key-id' } });
    expect(await keys.keyFor(composeKeyId({ generation: tooFar, sender: A, track: 0 }))).toBeUndefined();
    const limit = BigInt(MAX_RATCHET_AHEAD);
    expect((await keys.decrypt('opus', await frameOf(await ratchet(g0, MAX_RATCHET_AHEAD), limit))).ok).toBe(true);
  });

  it('never lets forged KIDs of later generations push out the real ones', async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    const [early, late] = await framesOf(g0, 0n, { count: 2 });
    expect((await keys.decrypt('opus', early!)).ok).toBe(true);
    for (let g = 1n; g <= BigInt(MAX_RATCHET_AHEAD); g++) {
      expect(await keys.decrypt('opus', forged(composeKeyId({ generation: g, sender: A, track: 0 })))).toMatchObject({ ok: false, failure: { code: 'authentication-failed' } });
    }
    expect(keys.generationsOf(A).filter((g) => g.trusted)).toEqual([{ generation: 0n, origin: 'explicit', trusted: true }]);
    // A real ratchet step confirms generation 1; generation 0 stays, so its late frames still decrypt.
    expect((await keys.decrypt('opus', await frameOf(await ratchetSenderSecret(g0), 1n))).ok).toBe(true);
    expect(keys.generationsOf(A).filter((g) => g.trusted).map((g) => g.generation)).toEqual([0n, 1n]);
    expect((await keys.decrypt('opus', late!)).ok).toBe(true);
  });

  it('lets an explicit secret replace a derived one (a fresh key that arrived after its first frames), never the reverse', async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    const fresh = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    const [first, second] = await framesOf(fresh, 1n, { count: 2 });
    // The fresh key message is late: the receiver guesses a ratchet step, which is wrong.
    expect(await keys.decrypt('opus', first!)).toMatchObject({ ok: false, failure: { code: 'authentication-failed' } });
    expect(keys.generationsOf(A)[1]).toEqual({ generation: 1n, origin: 'derived', trusted: false });
    keys.addKey(A, 1n, fresh);
    expect(keys.generationsOf(A)[1]).toEqual({ generation: 1n, origin: 'explicit', trusted: true });
    expect((await keys.decrypt('opus', second!)).ok).toBe(true);
    expect((await keys.decrypt('opus', first!)).ok).toBe(true);
  });

  it('an explicit copy of a secret it derived already keeps the derived keys and their replay windows', async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    const g1 = await ratchetSenderSecret(g0);
    const frame = await frameOf(g1, 1n);
    expect((await keys.decrypt('opus', frame)).ok).toBe(true);
    keys.addKey(A, 1n, g1);
    expect(await keys.decrypt('opus', frame)).toMatchObject({ ok: false, failure: { code: 'retransmitted-frame' } });
  });

  it('drops unconfirmed derived generations above a newly received secret: they may descend from the old one', async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    await keys.decrypt('opus', forged(composeKeyId({ generation: 3n, sender: A, track: 0 }))); // derives 1–3 from g0
    const fresh1 = generateSenderSecret();
    keys.addKey(A, 1n, fresh1);
    expect(keys.generationsOf(A).map((g) => g.generation)).toEqual([0n, 1n]);
    // Generation 2 is then a ratchet of the fresh secret, as the sender computes it.
    expect((await keys.decrypt('opus', await frameOf(await ratchetSenderSecret(fresh1), 2n))).ok).toBe(true);
  });

  it(`keeps the newest ${RECEIVE_GENERATION_WINDOW} generations per sender and forgets older ones`, async () => {
    const keys = new GroupReceiveKeys();
    const secrets = Array.from({ length: RECEIVE_GENERATION_WINDOW + 1 }, () => generateSenderSecret());
    const frames = await Promise.all(secrets.map((s, g) => frameOf(s, BigInt(g))));
    secrets.forEach((s, g) => keys.addKey(A, BigInt(g), s));
    expect(keys.generationsOf(A).map((g) => g.generation)).toEqual([1n, 2n, 3n, 4n]);
    expect(await keys.decrypt('opus', frames[0]!)).toMatchObject({ ok: false, failure: { code: 'unknown-key-id' } });
    for (const frame of frames.slice(1)) expect((await keys.decrypt('opus', frame)).ok).toBe(true);
  });

  it('keeps a replay window per KID: a frame is accepted once', async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    const frame = await frameOf(g0, 0n);
    expect((await keys.decrypt('opus', frame)).ok).toBe(true);
    expect(await keys.decrypt('opus', frame)).toMatchObject({ ok: false, failure: { code: 'retransmitted-frame' } });
  });

  it("does not count a sender's byte-identical retransmission as a dropped frame, but does count a replay with other bytes", async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    const frame = await frameOf(g0, 0n);
    expect((await keys.decrypt('opus', frame)).ok).toBe(true);
    expect(await keys.decrypt('opus', frame.slice())).toMatchObject({ ok: false, failure: { code: 'retransmitted-frame' } });
    expect(keys.statsOf(A)).toEqual({ decrypted: 1, dropped: 0, consecutiveDropped: 0 });
    const tampered = frame.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(await keys.decrypt('opus', tampered)).toMatchObject({ ok: false, failure: { code: 'replayed-frame' } });
    expect(keys.statsOf(A)).toMatchObject({ dropped: 1, lastFailure: 'replayed-frame' });
  });

  it('counts per sender, so a participant whose frames keep failing can be named', async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    keys.addKey(B, 0n, generateSenderSecret());
    const [ok1, ok2] = await framesOf(g0, 0n, { count: 2 });
    await keys.decrypt('opus', ok1!);
    // B's frames come with a key B never sent us (say B's key message was lost).
    for (const frame of await framesOf(generateSenderSecret(), 0n, { sender: B, count: 3 })) await keys.decrypt('opus', frame);
    expect(keys.statsOf(A)).toEqual({ decrypted: 1, dropped: 0, consecutiveDropped: 0 });
    expect(keys.statsOf(B)).toEqual({ decrypted: 0, dropped: 3, consecutiveDropped: 3, lastFailure: 'authentication-failed' });
    await keys.decrypt('opus', forged(composeKeyId({ generation: 0n, sender: A, track: 0 }), 9n));
    await keys.decrypt('opus', ok2!);
    expect(keys.statsOf(A)).toEqual({ decrypted: 2, dropped: 1, consecutiveDropped: 0, lastFailure: 'authentication-failed' });
  });

  it('counts frames naming a sender it has no keys of as unattributed, unless the stream they came on is given', async () => {
    const keys = new GroupReceiveKeys();
    const frame = await frameOf(generateSenderSecret(), 0n, { sender: 7 });
    expect(await keys.decrypt('opus', frame)).toMatchObject({ ok: false, failure: { code: 'unknown-key-id' } });
    expect(keys.unattributedDropped).toBe(1);
    expect(keys.statsOf(7)).toBeUndefined();
    await keys.decrypt('opus', frame, { from: 7 });
    expect(keys.statsOf(7)).toMatchObject({ dropped: 1, lastFailure: 'unknown-key-id' });
    await keys.decrypt('opus', new Uint8Array([0x90]), { from: 7 }); // header truncated
    expect(keys.statsOf(7)).toMatchObject({ dropped: 2, lastFailure: 'malformed-header' });
  });

  it("refuses a frame whose KID names another participant than the stream it came on (an SFU swapping people's media)", async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    const frame = await frameOf(g0, 0n);
    expect(await keys.decrypt('opus', frame, { from: B })).toMatchObject({ ok: false, failure: { code: 'unknown-key-id' } });
    expect(keys.statsOf(B)).toMatchObject({ dropped: 1 });
    expect((await keys.decrypt('opus', frame, { from: A })).ok).toBe(true);
  });

  it("refuses a frame whose KID names another of the sender's tracks than the stream carries (a camera shown as a shared screen)", async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    const [camera, alsoCamera] = await framesOf(g0, 0n, { track: TrackSlot.camera, codec: 'vp8', count: 2 });
    expect(await keys.decrypt('vp8', camera!, { from: A, track: TrackSlot.screen })).toMatchObject({ ok: false, failure: { code: 'unknown-key-id' } });
    expect(keys.statsOf(A)).toMatchObject({ dropped: 1 });
    expect((await keys.decrypt('vp8', alsoCamera!, { from: A, track: TrackSlot.camera })).ok).toBe(true);
    // The shared screen's own KID and key: a different slot of the same sender secret.
    const screen = await frameOf(g0, 0n, { track: TrackSlot.screen, codec: 'vp8' });
    expect(unwrap(await keys.decrypt('vp8', screen, { from: A, track: TrackSlot.screen }))).toMatchObject({ kid: composeKeyId({ generation: 0n, sender: A, track: TrackSlot.screen }) });
  });

  it('forgets a participant who left: keys, rings and counters', async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    const [before, after] = await framesOf(g0, 0n, { count: 2 });
    await keys.decrypt('opus', before!);
    keys.forget(A);
    expect(keys.senders).toEqual([]);
    expect(keys.statsOf(A)).toBeUndefined();
    expect(await keys.decrypt('opus', after!)).toMatchObject({ ok: false, failure: { code: 'unknown-key-id' } });
  });

  it('passes an empty frame through and reports a frame shorter than its clear prefix', async () => {
    const keys = new GroupReceiveKeys();
    expect(unwrap(await keys.decrypt('vp8', new Uint8Array(0))).data.length).toBe(0);
    expect(await keys.decrypt('vp8', new Uint8Array([0x31, 0x00]))).toMatchObject({ ok: false, failure: { code: 'malformed-frame' } });
  });

  it('decrypts concurrent frames of a new generation with one chain of derivations', async () => {
    const keys = new GroupReceiveKeys();
    const g0 = generateSenderSecret();
    keys.addKey(A, 0n, g0);
    const frames = await framesOf(await ratchet(g0, 2), 2n, { count: 20 });
    const results = await Promise.all(frames.map((f) => keys.decrypt('opus', f)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(keys.statsOf(A)).toMatchObject({ decrypted: 20, dropped: 0 });
  });

  it('refuses secrets that are not 32 bytes and indices the KID cannot carry', () => {
    const keys = new GroupReceiveKeys();
    expect(() => keys.addKey(A, 0n, new Uint8Array(31))).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => keys.addKey(65_536, 0n, generateSenderSecret())).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => keys.addKey(A, -1n, generateSenderSecret())).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
