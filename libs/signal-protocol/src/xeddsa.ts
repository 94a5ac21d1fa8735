import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, toHex } from '@parley/bytes';
import { randomBytes } from './bytes.js';
import { Edwards, GROUP_ORDER, leToNumber, numberToLe32 } from './curve25519.js';
import type { EcPrivateKey } from './keys.js';

export { SIGNATURE_LENGTH, verifySignature, verifySignatureAsync } from './xeddsa-verify.js';

// The nonce hash starts with 0xFE followed by 31 × 0xFF, as XEdDSA's hash_1 domain separator.
const NONCE_PREFIX = new Uint8Array(32).fill(0xff);
NONCE_PREFIX[0] = 0xfe;

// Signing keys sign many times (a group sender signs every message): remember each key's Edwards
// public point A = aB, looked up by a SHA-256 of the private scalar (the key itself is not kept).
const EDWARDS_CACHE_SIZE = 64;
const edwardsPublic = new Map<string, Uint8Array>();

function edwardsPublicKey(keyBytes: Uint8Array, a: bigint): Uint8Array {
  const id = toHex(sha256(keyBytes));
  let point = edwardsPublic.get(id);
  if (point === undefined) {
    point = Edwards.BASE.multiply(a).toBytes();
    edwardsPublic.set(id, point);
    if (edwardsPublic.size > EDWARDS_CACHE_SIZE) edwardsPublic.delete(edwardsPublic.keys().next().value!);
  }
  return point;
}

/**
 * libsignal's Curve25519 signature: Ed25519 with the X25519 private scalar a (no key negation), a
 * nonce r = SHA-512(prefix ‖ a ‖ M ‖ Z) with 64 random bytes Z, and the sign of A's x in bit 7 of
 * the last byte.
 */
export function calculateSignature(privateKey: EcPrivateKey, message: Uint8Array): Uint8Array {
  const keyBytes = privateKey._bytes;
  const a = leToNumber(keyBytes) % GROUP_ORDER;
  const publicPoint = edwardsPublicKey(keyBytes, a);
  const signBit = publicPoint[31]! & 0x80;
  const r = leToNumber(sha512(concatBytes(NONCE_PREFIX, keyBytes, message, randomBytes(64)))) % GROUP_ORDER;
  const rEncoded = Edwards.BASE.multiply(r === 0n ? 1n : r).toBytes();
  const h = leToNumber(sha512(concatBytes(rEncoded, publicPoint, message))) % GROUP_ORDER;
  const s = numberToLe32((h * a + (r === 0n ? 1n : r)) % GROUP_ORDER);
  s[31] = (s[31]! & 0x7f) | signBit;
  return concatBytes(rEncoded, s);
}
