import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { KemKeyPair, KemSecretKey, kemDecapsulate, kemEncapsulate } from './kem.js';
import { KemPublicKey } from './public-keys.js';

describe('Kyber1024 KEM', async () => {
  const keyPair = await KemKeyPair.generate();

  it('serializes keys with libsignal type byte 0x08 and exact lengths', () => {
    const pub = keyPair.publicKey.serialize();
    const sec = keyPair.secretKey.serialize();
    expect([pub[0], pub.length, sec[0], sec.length]).toEqual([0x08, 1569, 0x08, 3169]);
    expect(KemPublicKey.deserialize(pub).equals(keyPair.publicKey)).toBe(true);
    expect(toHex(KemSecretKey.deserialize(sec).serialize())).toBe(toHex(sec));
  });

  it('rejects ML-KEM (0x0a) and unknown key types, and wrong lengths', () => {
    const pub = keyPair.publicKey.serialize();
    for (const type of [0x0a, 0x07, 0x05]) {
      const other = Uint8Array.from(pub);
      other[0] = type;
      expect(() => KemPublicKey.deserialize(other)).toThrow(expect.objectContaining({ code: 'bad-key-type' }));
    }
    expect(() => KemPublicKey.deserialize(pub.subarray(0, 1000))).toThrow(expect.objectContaining({ code: 'bad-key-length' }));
  });

  it('encapsulates and decapsulates to the same 32-byte secret', async () => {
    const { sharedSecret, ciphertext } = await kemEncapsulate(keyPair.publicKey);
    expect([ciphertext[0], ciphertext.length, sharedSecret.length]).toEqual([0x08, 1569, 32]);
    expect(toHex(await kemDecapsulate(keyPair.secretKey, ciphertext))).toBe(toHex(sharedSecret));
  });

  it('a tampered ciphertext yields an unrelated secret (implicit rejection), a bad length an error', async () => {
    const { sharedSecret, ciphertext } = await kemEncapsulate(keyPair.publicKey);
    const tampered = Uint8Array.from(ciphertext);
    tampered[100]! ^= 1;
    expect(toHex(await kemDecapsulate(keyPair.secretKey, tampered))).not.toBe(toHex(sharedSecret));
    await expect(kemDecapsulate(keyPair.secretKey, ciphertext.subarray(0, 1568))).rejects.toThrow(expect.objectContaining({ code: 'invalid-message' }));
  });
});
