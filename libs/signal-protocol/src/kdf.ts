import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

// HMAC and HKDF run synchronously on @noble/hashes: for the 32–96-byte inputs of the ratchet a
// WebCrypto round trip (promise + key import) costs more than the hash itself.

/** HMAC-SHA256. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(sha256, key, data);
}

/** HKDF-SHA256 (RFC 5869). An absent salt means a zero-filled one, as in the RFC. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number): Uint8Array {
  return hkdf(sha256, ikm, salt, info, length);
}
