import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { aeadDecrypt, aeadEncrypt, deriveSubkeys, importAeadKey } from './aead.js';
import { CipherSuite, cipherSuiteParams } from './cipher-suite.js';
import { aesCtrHmacVectors } from './testing/vectors.js';

describe('AES-CTR + HMAC AEAD (RFC 9605 §4.5.1)', () => {
  it('has the three vectors, for suites 1–3', () => {
    expect(aesCtrHmacVectors.map((v) => v.suite)).toEqual([1, 2, 3]);
  });

  for (const v of aesCtrHmacVectors) {
    const params = cipherSuiteParams(v.suite);

    it(`${params.name}: splits the key into AES and HMAC subkeys`, () => {
      const { encKey, authKey } = deriveSubkeys(params, v.key);
      expect(toHex(encKey)).toBe(toHex(v.encKey));
      expect(toHex(authKey)).toBe(toHex(v.authKey));
    });

    it(`${params.name}: encrypts to the vector ciphertext and decrypts it back`, async () => {
      const sealing = await importAeadKey(params, v.key, 'encrypt');
      const opening = await importAeadKey(params, v.key, 'decrypt');
      expect(toHex(await aeadEncrypt(sealing, v.nonce, v.aad, v.pt))).toBe(toHex(v.ct));
      expect(toHex((await aeadDecrypt(opening, v.nonce, v.aad, v.ct))!)).toBe(toHex(v.pt));
    });

    it(`${params.name}: rejects a changed ciphertext, tag, nonce or AAD`, async () => {
      const opening = await importAeadKey(params, v.key, 'decrypt');
      const flip = (bytes: Uint8Array, index: number) => {
        const copy = bytes.slice();
        copy[index]! ^= 0x01;
        return copy;
      };
      expect(await aeadDecrypt(opening, v.nonce, v.aad, flip(v.ct, 0))).toBeNull();
      expect(await aeadDecrypt(opening, v.nonce, v.aad, flip(v.ct, v.ct.length - 1))).toBeNull();
      expect(await aeadDecrypt(opening, flip(v.nonce, 11), v.aad, v.ct)).toBeNull();
      expect(await aeadDecrypt(opening, v.nonce, flip(v.aad, 0), v.ct)).toBeNull();
      expect(await aeadDecrypt(opening, v.nonce, v.aad, v.ct.subarray(0, params.Nt - 1))).toBeNull();
    });
  }
});

describe('AEAD keys', () => {
  it('serve one direction only', async () => {
    const params = cipherSuiteParams(CipherSuite.AES_128_GCM_SHA256_128);
    const key = new Uint8Array(16);
    const sealing = await importAeadKey(params, key, 'encrypt');
    const opening = await importAeadKey(params, key, 'decrypt');
    const nonce = new Uint8Array(12);
    const ct = await aeadEncrypt(sealing, nonce, new Uint8Array(0), new Uint8Array([1, 2, 3]));
    await expect(aeadDecrypt(sealing, nonce, new Uint8Array(0), ct)).rejects.toMatchObject({ code: 'wrong-key-usage' });
    await expect(aeadEncrypt(opening, nonce, new Uint8Array(0), ct)).rejects.toMatchObject({ code: 'wrong-key-usage' });
  });

  it('refuse a key of the wrong size for the suite', async () => {
    await expect(importAeadKey(cipherSuiteParams(CipherSuite.AES_256_GCM_SHA512_128), new Uint8Array(16), 'encrypt')).rejects.toMatchObject({
      code: 'invalid-argument',
    });
  });

  it('GCM: a ciphertext shorter than the tag fails authentication', async () => {
    const opening = await importAeadKey(cipherSuiteParams(CipherSuite.AES_128_GCM_SHA256_128), new Uint8Array(16), 'decrypt');
    expect(await aeadDecrypt(opening, new Uint8Array(12), new Uint8Array(0), new Uint8Array(15))).toBeNull();
  });
});
