import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { CipherSuite, type CipherSuiteId } from './cipher-suite.js';
import type { SFrameResult } from './errors.js';
import { type MediaCodec, VP8_DELTA_FRAME_CLEAR_BYTES, VP8_KEY_FRAME_CLEAR_BYTES, clearPrefixLength, decryptFrame, encryptFrame, isVp8KeyFrame } from './frame-transform.js';
import { decodeHeader } from './header.js';
import { TrackSlot, composeKeyId, deriveTrackKey, generateSenderSecret } from './key-id.js';
import { SFrameKeyRing } from './key-ring.js';
import { SFrameSender } from './sender.js';

// A VP8 key frame starts with a frame tag whose bit 0 is 0, then the start code 9d 01 2a and the
// 14-bit width and height (here 640x480); a delta frame's tag has bit 0 set.
const vp8KeyFrame = new Uint8Array([0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, ...Array.from({ length: 200 }, (_, i) => i & 0xff)]);
const vp8DeltaFrame = new Uint8Array([0x31, 0x0a, 0x00, ...Array.from({ length: 80 }, (_, i) => (i * 7) & 0xff)]);
const opusFrame = new Uint8Array([0xfc, 0xff, 0xfe, ...Array.from({ length: 60 }, (_, i) => (i * 13) & 0xff)]);

async function track(suite: CipherSuiteId = CipherSuite.AES_128_GCM_SHA256_128, slot: number = TrackSlot.camera) {
  const secret = generateSenderSecret();
  const id = { generation: 0n, sender: 0, track: slot };
  const sender = new SFrameSender();
  sender.setKey(await deriveTrackKey(suite, secret, id, 'encrypt'));
  const ring = new SFrameKeyRing();
  ring.add(await deriveTrackKey(suite, secret, id, 'decrypt'));
  return { sender, ring, secret, kid: composeKeyId(id) };
}

function unwrap<T>(result: SFrameResult<T>): T {
  if (!result.ok) throw new Error(`${result.failure.code}: ${result.failure.message}`);
  return result.value;
}

function flipped(bytes: Uint8Array, index: number, bit = 0x01): Uint8Array {
  const copy = bytes.slice();
  copy[index]! ^= bit;
  return copy;
}

describe('VP8 key and delta frame detection', () => {
  it('reads bit 0 of the first byte: 0 = key frame (10 clear bytes), 1 = delta frame (3)', () => {
    expect(isVp8KeyFrame(vp8KeyFrame)).toBe(true);
    expect(isVp8KeyFrame(vp8DeltaFrame)).toBe(false);
    expect(clearPrefixLength('vp8', vp8KeyFrame)).toBe(VP8_KEY_FRAME_CLEAR_BYTES);
    expect(clearPrefixLength('vp8', vp8DeltaFrame)).toBe(VP8_DELTA_FRAME_CLEAR_BYTES);
    expect(clearPrefixLength('opus', opusFrame)).toBe(0);
  });
});

describe('encryptFrame / decryptFrame', () => {
  const cases: [string, MediaCodec, Uint8Array, number][] = [
    ['VP8 key frame', 'vp8', vp8KeyFrame, 10],
    ['VP8 delta frame', 'vp8', vp8DeltaFrame, 3],
    ['Opus frame', 'opus', opusFrame, 0],
  ];

  for (const [name, codec, frame, clear] of cases) {
    for (const suite of [CipherSuite.AES_128_GCM_SHA256_128, CipherSuite.AES_256_GCM_SHA512_128, CipherSuite.AES_128_CTR_HMAC_SHA256_80]) {
      it(`${name}, suite ${suite}: round-trips, with exactly ${clear} bytes in clear`, async () => {
        const { sender, ring, kid } = await track(suite);
        const wire = unwrap(await encryptFrame(sender, codec, frame));
        expect(toHex(wire.subarray(0, clear))).toBe(toHex(frame.subarray(0, clear)));
        const header = unwrap(decodeHeader(wire.subarray(clear)));
        expect(header).toMatchObject({ kid, ctr: 0n });
        // The rest is ciphertext: the plaintext does not appear after the header.
        expect(toHex(wire.subarray(clear + header.length))).not.toContain(toHex(frame.subarray(clear, clear + 16)));
        const back = unwrap(await decryptFrame(ring, codec, wire));
        expect(toHex(back.data)).toBe(toHex(frame));
        expect(back).toMatchObject({ kid, ctr: 0n });
        expect(back.data.byteOffset).toBe(0);
        expect(back.data.buffer.byteLength).toBe(frame.length);
      });
    }
  }

  it('keeps a delta frame recognisable as delta, and a key frame as key, after encryption', async () => {
    const { sender } = await track();
    expect(isVp8KeyFrame(unwrap(await encryptFrame(sender, 'vp8', vp8KeyFrame)))).toBe(true);
    expect(isVp8KeyFrame(unwrap(await encryptFrame(sender, 'vp8', vp8DeltaFrame)))).toBe(false);
  });

  it('rejects a changed ciphertext, SFrame header or clear VP8 byte', async () => {
    const { sender, ring } = await track();
    for (const frame of [vp8KeyFrame, vp8DeltaFrame]) {
      const clear = clearPrefixLength('vp8', frame);
      const wire = unwrap(await encryptFrame(sender, 'vp8', frame));
      const tampered = [
        flipped(wire, wire.length - 1), // tag
        flipped(wire, wire.length - 20), // ciphertext
        flipped(wire, clear, 0x02), // SFrame config byte: CTR 0 → 2, 1 → 3
        ...Array.from({ length: clear }, (_, i) => flipped(wire, i, 0x04)), // every clear byte
        flipped(wire, 0, 0x01), // key/delta bit: the clear prefix changes length
      ];
      for (const bad of tampered) {
        const result = await decryptFrame(ring, 'vp8', bad);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(['authentication-failed', 'malformed-header', 'unknown-key-id']).toContain(result.failure.code);
      }
      // The untouched frame still decrypts: the forgeries above did not poison the replay window.
      expect(unwrap(await decryptFrame(ring, 'vp8', wire)).data).toEqual(frame);
    }
  });

  it('rejects a changed Opus ciphertext', async () => {
    const { sender, ring } = await track();
    const wire = unwrap(await encryptFrame(sender, 'opus', opusFrame));
    expect(await decryptFrame(ring, 'opus', flipped(wire, 5))).toMatchObject({ ok: false, failure: { code: 'authentication-failed' } });
  });

  it('returns a typed failure for a frame from a key it does not hold', async () => {
    const alice = await track();
    const bob = await track(CipherSuite.AES_128_GCM_SHA256_128, TrackSlot.microphone);
    const wire = unwrap(await encryptFrame(alice.sender, 'opus', opusFrame));
    expect(await decryptFrame(bob.ring, 'opus', wire)).toMatchObject({ ok: false, failure: { code: 'unknown-key-id', kid: alice.kid } });
  });

  it('decrypts a frame received twice once: the byte-identical copy is retransmitted-frame', async () => {
    const { sender, ring } = await track();
    const wire = unwrap(await encryptFrame(sender, 'vp8', vp8DeltaFrame));
    expect((await decryptFrame(ring, 'vp8', wire)).ok).toBe(true);
    expect(await decryptFrame(ring, 'vp8', wire)).toMatchObject({ ok: false, failure: { code: 'retransmitted-frame', ctr: 0n } });
  });

  it('refuses VP8 frames shorter than their clear prefix, both ways', async () => {
    const { sender, ring } = await track();
    expect(await encryptFrame(sender, 'vp8', vp8KeyFrame.subarray(0, 9))).toMatchObject({ ok: false, failure: { code: 'malformed-frame' } });
    expect(await decryptFrame(ring, 'vp8', vp8KeyFrame.subarray(0, 10))).toMatchObject({ ok: false, failure: { code: 'malformed-frame' } });
    expect(await decryptFrame(ring, 'vp8', vp8DeltaFrame.subarray(0, 2))).toMatchObject({ ok: false, failure: { code: 'malformed-frame' } });
  });

  it('passes empty frames through empty', async () => {
    const { sender, ring } = await track();
    expect(unwrap(await encryptFrame(sender, 'vp8', new Uint8Array(0)))).toHaveLength(0);
    expect(unwrap(await decryptFrame(ring, 'opus', new Uint8Array(0))).data).toHaveLength(0);
    expect(sender.nextCounter).toBe(0n);
  });

  it('fails, never throws, without a sending key or on random bytes', async () => {
    expect(await encryptFrame(new SFrameSender(), 'opus', opusFrame)).toMatchObject({ ok: false, failure: { code: 'no-sending-key' } });
    const { ring } = await track();
    for (let i = 0; i < 200; i++) {
      const junk = globalThis.crypto.getRandomValues(new Uint8Array(1 + (i % 40)));
      for (const codec of ['vp8', 'opus'] as const) {
        const result = await decryptFrame(ring, codec, junk);
        expect(result.ok).toBe(false);
      }
    }
  });

  it('decrypts a stream with a mid-call rekey and late frames of the old key', async () => {
    const secretA = generateSenderSecret();
    const secretB = generateSenderSecret();
    const gen0 = { generation: 0n, sender: 0, track: TrackSlot.microphone };
    const gen1 = { ...gen0, generation: 1n };
    const suite = CipherSuite.AES_128_GCM_SHA256_128;
    const sender = new SFrameSender();
    const ring = new SFrameKeyRing();
    sender.setKey(await deriveTrackKey(suite, secretA, gen0, 'encrypt'));
    ring.add(await deriveTrackKey(suite, secretA, gen0, 'decrypt'));
    const before = await Promise.all([1, 2, 3].map(() => encryptFrame(sender, 'opus', opusFrame)));
    ring.add(await deriveTrackKey(suite, secretB, gen1, 'decrypt'));
    sender.setKey(await deriveTrackKey(suite, secretB, gen1, 'encrypt'));
    const after = await Promise.all([1, 2].map(() => encryptFrame(sender, 'opus', opusFrame)));
    // After the rekey, late frames of generation 0 arrive interleaved with new ones.
    const arrival = [after[0]!, before[1]!, after[1]!, before[0]!, before[2]!].map(unwrap);
    for (const wire of arrival) expect(unwrap(await decryptFrame(ring, 'opus', wire)).data).toEqual(opusFrame);
  });
});
