import { describe, expect, it } from 'vitest';
import { fromHex } from '@parley/bytes';
import { randomBytes } from './bytes.js';
import { EcKeyPair } from './keys.js';
import { EcPublicKey } from './public-keys.js';
import { vectors } from './testing/vectors.js';
import { calculateSignature, verifySignature } from './xeddsa.js';

const v = vectors.xeddsa_signature;
const vectorKey = EcPublicKey.fromPublicKeyBytes(fromHex(v.alice_identity_public));
const vectorMessage = fromHex(v.message_alice_ephemeral_public);
const vectorSignature = fromHex(v.signature);

const flip = (bytes: Uint8Array, bit: number): Uint8Array => {
  const out = Uint8Array.from(bytes);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
};

describe('libsignal Curve25519 signatures', () => {
  it('verifies the test_signature vector', () => {
    expect(verifySignature(vectorKey, vectorMessage, vectorSignature)).toBe(true);
  });

  it('rejects every single-bit flip of the vector signature (512 of 512)', () => {
    let rejected = 0;
    for (let bit = 0; bit < 512; bit++) if (!verifySignature(vectorKey, vectorMessage, flip(vectorSignature, bit))) rejected++;
    expect(rejected).toBe(512);
  });

  it('rejects a flipped message bit, a wrong key and wrong lengths', async () => {
    expect(verifySignature(vectorKey, flip(vectorMessage, 9), vectorSignature)).toBe(false);
    expect(verifySignature((await EcKeyPair.generate()).publicKey, vectorMessage, vectorSignature)).toBe(false);
    expect(verifySignature(vectorKey, vectorMessage, vectorSignature.subarray(0, 63))).toBe(false);
  });

  it('signs with the vector private key so that the signature verifies', async () => {
    const keyPair = EcKeyPair.fromPrivateKey((await import('./keys.js')).EcPrivateKey.deserialize(fromHex(v.alice_identity_private)));
    expect(keyPair.publicKey.equals(vectorKey)).toBe(true);
    const signature = calculateSignature(keyPair.privateKey, vectorMessage);
    expect(verifySignature(vectorKey, vectorMessage, signature)).toBe(true);
    // randomized: two signatures of one message differ
    expect(signature).not.toEqual(calculateSignature(keyPair.privateKey, vectorMessage));
  });

  it('round-trips for random keys and messages, and every bit flip of one of our signatures fails', async () => {
    const keyPair = await EcKeyPair.generate();
    for (let i = 0; i < 20; i++) {
      const message = randomBytes(i * 7);
      expect(verifySignature(keyPair.publicKey, message, keyPair.sign(message))).toBe(true);
    }
    const message = randomBytes(33);
    const signature = keyPair.sign(message);
    let rejected = 0;
    for (let bit = 0; bit < 512; bit++) if (!verifySignature(keyPair.publicKey, message, flip(signature, bit))) rejected++;
    expect(rejected).toBe(512);
  });
});
