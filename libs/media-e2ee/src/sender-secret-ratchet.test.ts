import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '@parley/bytes';
import { isSFrameError } from './errors.js';
import { TRACK_BASE_KEY_LABEL, composeKeyId, deriveTrackBaseKey } from './key-id.js';
import { SENDER_RATCHET_LABEL, ratchetSenderSecret } from './sender-secret-ratchet.js';

// Node's own HKDF is the oracle: it shares no code with the WebCrypto path under test.
function oracle(secret: Uint8Array): string {
  return toHex(new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), SENDER_RATCHET_LABEL, 32)));
}

const fixed = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');

describe('ratchetSenderSecret', () => {
  it('is HKDF-SHA256 with no salt and the label "Parley SFrame sender ratchet 1.0": a fixed input gives a fixed output', async () => {
    const next = await ratchetSenderSecret(fixed);
    expect(toHex(next)).toBe(oracle(fixed));
    // Pinned (computed once with the oracle), so a change of label, hash or length shows as a wire-format change.
    expect(toHex(next)).toBe('0d9a57327d3fcda0a2d568352dfffb329ce3e8e7f60afa9293bdada56eb93f61');
    expect(next.length).toBe(32);
    expect(toHex(await ratchetSenderSecret(fixed))).toBe(toHex(next));
  });

  it('agrees with the oracle on random secrets too', async () => {
    for (let i = 0; i < 8; i++) {
      const secret = crypto.getRandomValues(new Uint8Array(32));
      expect(toHex(await ratchetSenderSecret(secret))).toBe(oracle(secret));
    }
  });

  it('moves: the output differs from the input', async () => {
    expect(toHex(await ratchetSenderSecret(fixed))).not.toBe(toHex(fixed));
  });

  it('composes: two steps in a chain equal the oracle applied twice', async () => {
    const twice = await ratchetSenderSecret(await ratchetSenderSecret(fixed));
    expect(toHex(twice)).toBe(oracle(fromHex(oracle(fixed))));
    expect(toHex(twice)).not.toBe(toHex(await ratchetSenderSecret(fixed)));
  });

  it('never yields a track base key of the secret it came from (separate HKDF labels)', async () => {
    expect(SENDER_RATCHET_LABEL).not.toBe(TRACK_BASE_KEY_LABEL.trimEnd());
    const next = toHex(await ratchetSenderSecret(fixed));
    for (const track of [0, 1, 2]) {
      for (const generation of [0n, 1n]) {
        expect(toHex(await deriveTrackBaseKey(fixed, composeKeyId({ generation, sender: 0, track })))).not.toBe(next);
      }
    }
  });

  it('does not touch its input', async () => {
    const copy = fixed.slice();
    await ratchetSenderSecret(copy);
    expect(toHex(copy)).toBe(toHex(fixed));
  });

  it('refuses a secret that is not 32 bytes', async () => {
    await expect(ratchetSenderSecret(new Uint8Array(16))).rejects.toSatisfy((e: unknown) => isSFrameError(e, 'invalid-argument'));
  });
});
