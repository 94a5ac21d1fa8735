import { concatBytes, constantTimeEqual } from '@parley/bytes';
import { bigintToBytes, bufferSource, subtle } from './bytes.js';
import type { CipherSuiteParams } from './cipher-suite.js';
import { SFrameError } from './errors.js';

// The AEADs of RFC 9605 §4.5 on WebCrypto: AES-GCM as is (Nt = 16 is its full tag), and the compound
// AES-CTR + truncated HMAC of §4.5.1 (encrypt-then-MAC, as in SRTP) for short tags.

/** Which way a key may be used: RFC 9605 §4.4.1 has each key serve encryption or decryption, never both. */
export type KeyUsage = 'encrypt' | 'decrypt';

/** An imported AEAD key: non-extractable CryptoKeys, limited to one direction. */
export type AeadKey =
  | { readonly kind: 'AES-GCM'; readonly usage: KeyUsage; readonly key: CryptoKey }
  | {
      readonly kind: 'AES-CTR-HMAC';
      readonly usage: KeyUsage;
      readonly encKey: CryptoKey;
      readonly authKey: CryptoKey;
      readonly Nt: number;
    };

/** Splits a compound CTR-HMAC key into its AES (first Nka bytes) and HMAC (the rest) subkeys, §4.5.1. */
export function deriveSubkeys(params: CipherSuiteParams, key: Uint8Array): { encKey: Uint8Array; authKey: Uint8Array } {
  return { encKey: key.subarray(0, params.Nka), authKey: key.subarray(params.Nka) };
}

/** Imports `Nk` raw key bytes for the suite's AEAD, usable in one direction only. */
export async function importAeadKey(params: CipherSuiteParams, key: Uint8Array, usage: KeyUsage): Promise<AeadKey> {
  if (key.length !== params.Nk) {
    throw new SFrameError('invalid-argument', `${params.name} needs a ${params.Nk}-byte key, got ${key.length}`);
  }
  if (params.aead === 'AES-GCM') {
    const cryptoKey = await subtle().importKey('raw', bufferSource(key), 'AES-GCM', false, [usage]);
    return { kind: 'AES-GCM', usage, key: cryptoKey };
  }
  const { encKey, authKey } = deriveSubkeys(params, key);
  // AES-CTR decryption is the same keystream XOR, but WebCrypto still wants the matching usage.
  const aes = await subtle().importKey('raw', bufferSource(encKey), 'AES-CTR', false, [usage]);
  // The tag is truncated, so it is recomputed and compared, never `verify`ed: `sign` both ways.
  const hmac = await subtle().importKey('raw', bufferSource(authKey), { name: 'HMAC', hash: params.hash }, false, ['sign']);
  return { kind: 'AES-CTR-HMAC', usage, encKey: aes, authKey: hmac, Nt: params.Nt };
}

/** AEAD.Encrypt: returns ciphertext ‖ tag. */
export async function aeadEncrypt(key: AeadKey, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  if (key.usage !== 'encrypt') throw new SFrameError('wrong-key-usage', 'this key was imported for decryption only');
  if (key.kind === 'AES-GCM') {
    const sealed = await subtle().encrypt(
      { name: 'AES-GCM', iv: bufferSource(nonce), additionalData: bufferSource(aad), tagLength: 128 },
      key.key,
      bufferSource(plaintext),
    );
    return new Uint8Array(sealed);
  }
  const ct = new Uint8Array(await subtle().encrypt(ctrParams(nonce), key.encKey, bufferSource(plaintext)));
  const tag = await computeTag(key, nonce, aad, ct);
  return concatBytes(ct, tag);
}

/** AEAD.Decrypt: returns the plaintext, or `null` when authentication fails. */
export async function aeadDecrypt(key: AeadKey, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array<ArrayBuffer> | null> {
  if (key.usage !== 'decrypt') throw new SFrameError('wrong-key-usage', 'this key was imported for encryption only');
  if (key.kind === 'AES-GCM') {
    if (ciphertext.length < 16) return null;
    try {
      const opened = await subtle().decrypt(
        { name: 'AES-GCM', iv: bufferSource(nonce), additionalData: bufferSource(aad), tagLength: 128 },
        key.key,
        bufferSource(ciphertext),
      );
      return new Uint8Array(opened);
    } catch (cause) {
      // WebCrypto reports a bad tag as OperationError; anything else is a real fault.
      if (cause instanceof Error && cause.name === 'OperationError') return null;
      throw cause;
    }
  }
  if (ciphertext.length < key.Nt) return null;
  const inner = ciphertext.subarray(0, ciphertext.length - key.Nt);
  const tag = ciphertext.subarray(ciphertext.length - key.Nt);
  const expected = await computeTag(key, nonce, aad, inner);
  if (!constantTimeEqual(tag, expected)) return null;
  return new Uint8Array(await subtle().decrypt(ctrParams(nonce), key.encKey, bufferSource(inner)));
}

/** AES-CTR with the 96-bit nonce followed by a 32-bit block counter starting at zero (§4.5.1). */
function ctrParams(nonce: Uint8Array): AesCtrParams {
  const counter = new Uint8Array(16);
  counter.set(nonce);
  return { name: 'AES-CTR', counter, length: 32 };
}

/** HMAC(auth_key, len(aad) ‖ len(ct) ‖ Nt ‖ nonce ‖ aad ‖ ct), each length 8 bytes big-endian, truncated to Nt. */
async function computeTag(key: Extract<AeadKey, { kind: 'AES-CTR-HMAC' }>, nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array): Promise<Uint8Array> {
  const authData = concatBytes(bigintToBytes(BigInt(aad.length), 8), bigintToBytes(BigInt(ct.length), 8), bigintToBytes(BigInt(key.Nt), 8), nonce, aad, ct);
  const mac = new Uint8Array(await subtle().sign('HMAC', key.authKey, authData));
  return mac.subarray(0, key.Nt);
}
