import { cbc } from '@noble/ciphers/aes.js';
import { copyBytes } from '@parley/bytes';
import { SignalProtocolError } from './errors.js';

// AES-256-CBC with PKCS#7 padding. Chat-sized bodies go through @noble/ciphers synchronously: a
// WebCrypto call costs a key import and a thread hop (~60 µs in Node, similar in Chromium), more
// than JS AES needs for a few KiB. Larger bodies (attachments, pasted text) go to WebCrypto.

const WEBCRYPTO_THRESHOLD = 8 * 1024;
const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

function checkKey(key: Uint8Array, iv: Uint8Array): void {
  if (key.length !== 32) throw new SignalProtocolError('invalid-state', `AES-256 key must be 32 bytes, got ${key.length}`);
  if (iv.length !== 16) throw new SignalProtocolError('invalid-state', `AES-CBC IV must be 16 bytes, got ${iv.length}`);
}

/** AES-256-CBC encryption with PKCS#7 padding. */
export async function aes256CbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  checkKey(key, iv);
  if (plaintext.length < WEBCRYPTO_THRESHOLD) return cbc(key, iv).encrypt(plaintext);
  const cryptoKey = await subtle().importKey('raw', copyBytes(key), 'AES-CBC', false, ['encrypt']);
  return new Uint8Array(await subtle().encrypt({ name: 'AES-CBC', iv: copyBytes(iv) }, cryptoKey, copyBytes(plaintext)));
}

/** AES-256-CBC decryption; a wrong length or bad padding is an `invalid-message`. */
export async function aes256CbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array> {
  checkKey(key, iv);
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new SignalProtocolError('invalid-message', `failed to decrypt: ciphertext length ${ciphertext.length} is not a positive multiple of 16`);
  }
  try {
    if (ciphertext.length < WEBCRYPTO_THRESHOLD) return cbc(key, iv).decrypt(ciphertext);
    const cryptoKey = await subtle().importKey('raw', copyBytes(key), 'AES-CBC', false, ['decrypt']);
    return new Uint8Array(await subtle().decrypt({ name: 'AES-CBC', iv: copyBytes(iv) }, cryptoKey, copyBytes(ciphertext)));
  } catch (cause) {
    throw new SignalProtocolError('invalid-message', 'failed to decrypt: bad padding', { cause });
  }
}
