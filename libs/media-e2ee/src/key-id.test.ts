import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { MAX_UINT64 } from './bytes.js';
import { CipherSuite } from './cipher-suite.js';
import { encodeHeader } from './header.js';
import {
  MAX_KEY_GENERATION,
  MAX_SENDER_INDEX,
  MAX_TRACK_SLOT,
  TRACK_BASE_KEY_LABEL,
  TrackSlot,
  composeKeyId,
  deriveTrackBaseKey,
  deriveTrackKey,
  generateSenderSecret,
  parseKeyId,
} from './key-id.js';
import { SFrameKeyRing } from './key-ring.js';
import { SFrameSender } from './sender.js';

const gcm = CipherSuite.AES_128_GCM_SHA256_128;

describe('Parley KID scheme', () => {
  it('packs generation, sender and track, and unpacks them again', () => {
    const cases = [
      { generation: 0n, sender: 0, track: 0 },
      { generation: 0n, sender: 1, track: TrackSlot.camera },
      { generation: 3n, sender: 31, track: TrackSlot.screenAudio },
      { generation: MAX_KEY_GENERATION, sender: MAX_SENDER_INDEX, track: MAX_TRACK_SLOT },
    ];
    for (const id of cases) expect(parseKeyId(composeKeyId(id))).toEqual(id);
    expect(composeKeyId({ generation: MAX_KEY_GENERATION, sender: MAX_SENDER_INDEX, track: MAX_TRACK_SLOT })).toBe(MAX_UINT64);
  });

  it('gives every (sender, track, generation) its own KID', () => {
    const kids = new Set<bigint>();
    for (let generation = 0n; generation < 3n; generation++) {
      for (let sender = 0; sender < 32; sender++) {
        for (let track = 0; track < 3; track++) kids.add(composeKeyId({ generation, sender, track }));
      }
    }
    expect(kids.size).toBe(3 * 32 * 3);
  });

  it('keeps a 1:1 call’s first-generation header to at most three bytes', () => {
    const kid = composeKeyId({ generation: 0n, sender: 1, track: TrackSlot.screenAudio });
    expect(encodeHeader(kid, 200n)).toHaveLength(3);
  });

  it('rejects fields out of range', () => {
    for (const id of [
      { generation: 0n, sender: 0, track: MAX_TRACK_SLOT + 1 },
      { generation: 0n, sender: MAX_SENDER_INDEX + 1, track: 0 },
      { generation: MAX_KEY_GENERATION + 1n, sender: 0, track: 0 },
      { generation: -1n, sender: 0, track: 0 },
      { generation: 0n, sender: 0.5, track: 0 },
    ]) {
      expect(() => composeKeyId(id)).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
    }
  });
});

describe('Track keys from a sender secret', () => {
  it('derive a distinct base key per track and per generation, deterministically', async () => {
    const secret = new Uint8Array(32).fill(7);
    const audio = composeKeyId({ generation: 0n, sender: 0, track: TrackSlot.microphone });
    const video = composeKeyId({ generation: 0n, sender: 0, track: TrackSlot.camera });
    const nextAudio = composeKeyId({ generation: 1n, sender: 0, track: TrackSlot.microphone });
    const screen = composeKeyId({ generation: 0n, sender: 0, track: TrackSlot.screen });
    const keys = await Promise.all([audio, video, nextAudio, audio, screen].map((kid) => deriveTrackBaseKey(secret, kid)));
    expect(new Set(keys.map(toHex)).size).toBe(4);
    expect(toHex(keys[0]!)).toBe(toHex(keys[3]!));
    expect(keys[0]).toHaveLength(32);
  });

  it('let the receiver who got the secret over Signal decrypt, and nobody else', async () => {
    const secret = generateSenderSecret();
    const id = { generation: 0n, sender: 1, track: TrackSlot.camera };
    const sender = new SFrameSender();
    sender.setKey(await deriveTrackKey(gcm, secret, id, 'encrypt'));
    const frame = await sender.encrypt(new Uint8Array(0), new Uint8Array([1, 2, 3]));
    if (!frame.ok) throw new Error(frame.failure.message);

    const receiver = new SFrameKeyRing();
    receiver.add(await deriveTrackKey(gcm, secret, id, 'decrypt'));
    expect((await receiver.decrypt(new Uint8Array(0), frame.value)).ok).toBe(true);

    const outsider = new SFrameKeyRing();
    outsider.add(await deriveTrackKey(gcm, generateSenderSecret(), id, 'decrypt'));
    expect(await outsider.decrypt(new Uint8Array(0), frame.value)).toMatchObject({ ok: false, failure: { code: 'authentication-failed' } });
  });

  it('are HKDF-SHA256 of the secret with an empty salt and the label ‖ KID as info (Node crypto as the oracle)', async () => {
    const secret = generateSenderSecret();
    const kid = composeKeyId({ generation: 2n, sender: 5, track: TrackSlot.screenAudio });
    const info = Buffer.concat([Buffer.from(TRACK_BASE_KEY_LABEL), Buffer.from(kid.toString(16).padStart(16, '0'), 'hex')]);
    const expected = new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), info, 32));
    expect(toHex(await deriveTrackBaseKey(secret, kid))).toBe(toHex(expected));
  });

  it('refuse a short sender secret', async () => {
    await expect(deriveTrackBaseKey(new Uint8Array(16), 0n)).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
