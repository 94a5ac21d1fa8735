import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '@parley/bytes';
import { CipherSuite, cipherSuiteParams, isCipherSuiteId } from './cipher-suite.js';
import { encodeHeader } from './header.js';
import { SFRAME_KEY_LABEL, SFRAME_SALT_LABEL, deriveKeyMaterial, importSFrameKey, keyScheduleLabel } from './key-schedule.js';
import { sframeDecrypt, sframeEncrypt, sframeNonce } from './sframe.js';
import { sframeVectors } from './testing/vectors.js';

describe('SFrame encryption (RFC 9605 §4.4, Appendix C.3 vectors)', () => {
  it('has one vector per suite 1–5, all implemented', () => {
    expect(sframeVectors.map((v) => v.suite)).toEqual([1, 2, 3, 4, 5]);
    expect(sframeVectors.every((v) => isCipherSuiteId(v.suite))).toBe(true);
  });

  for (const v of sframeVectors) {
    const name = cipherSuiteParams(v.suite).name;

    it(`${name}: builds the key and salt labels from KID and suite`, () => {
      expect(toHex(keyScheduleLabel(SFRAME_KEY_LABEL, v.kid, v.suite))).toBe(toHex(v.keyLabel));
      expect(toHex(keyScheduleLabel(SFRAME_SALT_LABEL, v.kid, v.suite))).toBe(toHex(v.saltLabel));
    });

    it(`${name}: derives sframe_secret, sframe_key and sframe_salt`, async () => {
      const material = await deriveKeyMaterial(v.suite, v.kid, v.baseKey);
      expect(toHex(material.secret)).toBe(toHex(v.secret));
      expect(toHex(material.key)).toBe(toHex(v.key));
      expect(toHex(material.salt)).toBe(toHex(v.salt));
    });

    it(`${name}: forms the nonce as salt XOR CTR and the AAD as header ‖ metadata`, () => {
      expect(toHex(sframeNonce(v.salt, v.ctr))).toBe(toHex(v.nonce));
      expect(toHex(concatBytes(encodeHeader(v.kid, v.ctr), v.metadata))).toBe(toHex(v.aad));
    });

    it(`${name}: encrypts to the vector ciphertext`, async () => {
      const key = await importSFrameKey(v.suite, v.kid, v.baseKey, 'encrypt');
      expect(toHex(await sframeEncrypt(key, v.ctr, v.metadata, v.pt))).toBe(toHex(v.ct));
    });

    it(`${name}: decrypts the vector ciphertext`, async () => {
      const key = await importSFrameKey(v.suite, v.kid, v.baseKey, 'decrypt');
      const result = await sframeDecrypt((kid) => (kid === v.kid ? key : undefined), v.metadata, v.ct);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value.kid).toBe(v.kid);
      expect(result.value.ctr).toBe(v.ctr);
      expect(toHex(result.value.plaintext)).toBe(toHex(v.pt));
    });

    it(`${name}: rejects a changed ciphertext, header or metadata`, async () => {
      const key = await importSFrameKey(v.suite, v.kid, v.baseKey, 'decrypt');
      const keyFor = (kid: bigint) => (kid === v.kid ? key : undefined);
      const body = v.ct.slice();
      body[body.length - 1]! ^= 0x80;
      expect(await sframeDecrypt(keyFor, v.metadata, body)).toMatchObject({ ok: false, failure: { code: 'authentication-failed', kid: v.kid } });
      // Same KID, CTR one higher: the header is authenticated (and the nonce changes).
      const header = encodeHeader(v.kid, v.ctr + 1n);
      const reheaded = concatBytes(header, v.ct.subarray(encodeHeader(v.kid, v.ctr).length));
      expect(await sframeDecrypt(keyFor, v.metadata, reheaded)).toMatchObject({ ok: false, failure: { code: 'authentication-failed' } });
      const metadata = v.metadata.slice();
      metadata[0]! ^= 0x01;
      expect(await sframeDecrypt(keyFor, metadata, v.ct)).toMatchObject({ ok: false, failure: { code: 'authentication-failed' } });
    });
  }

  it('an unknown KID is a typed failure naming it', async () => {
    const v = sframeVectors[3]!;
    expect(await sframeDecrypt(() => undefined, v.metadata, v.ct)).toMatchObject({ ok: false, failure: { code: 'unknown-key-id', kid: v.kid, ctr: v.ctr } });
  });

  it('refuses to encrypt with a decryption key or an out-of-range CTR', async () => {
    const v = sframeVectors[3]!;
    const opening = await importSFrameKey(v.suite, v.kid, v.baseKey, 'decrypt');
    await expect(sframeEncrypt(opening, 0n, v.metadata, v.pt)).rejects.toMatchObject({ code: 'wrong-key-usage' });
    const sealing = await importSFrameKey(v.suite, v.kid, v.baseKey, 'encrypt');
    await expect(sframeEncrypt(sealing, 1n << 64n, v.metadata, v.pt)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(sframeEncrypt(sealing, (1n << 64n) - 1n, v.metadata, v.pt)).resolves.toBeInstanceOf(Uint8Array);
  });

  it('refuses cipher suites it does not implement', async () => {
    expect(() => cipherSuiteParams(0x0006)).toThrowError(expect.objectContaining({ code: 'unsupported-cipher-suite' }));
    await expect(deriveKeyMaterial(0 as never, 0n, new Uint8Array(16))).rejects.toMatchObject({ code: 'unsupported-cipher-suite' });
    expect(CipherSuite.AES_128_GCM_SHA256_128).toBe(4);
  });
});
