import { concatBytes, utf8 } from '@parley/bytes';
import { type AeadKey, type KeyUsage, importAeadKey } from './aead.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { bigintToBytes, isUint64 } from './bytes.js';
import { type CipherSuiteId, type CipherSuiteParams, cipherSuiteParams } from './cipher-suite.js';
import { SFrameError } from './errors.js';

// RFC 9605 §4.4.2. The labels end in a space, then the KID as 8 bytes and the suite as 2 bytes, both
// big-endian (not the compact header form).

/** HKDF-Expand label prefix for `sframe_key`. */
export const SFRAME_KEY_LABEL = 'SFrame 1.0 Secret key ';
/** HKDF-Expand label prefix for `sframe_salt`. */
export const SFRAME_SALT_LABEL = 'SFrame 1.0 Secret salt ';


/** The raw outputs of the key schedule; only tests and diagnostics should ever see these bytes. */
export interface SFrameKeyMaterial {
  readonly secret: Uint8Array;
  readonly key: Uint8Array;
  readonly salt: Uint8Array;
}

/** An SFrame key ready for one direction: the imported AEAD key and the nonce salt for one KID. */
export interface SFrameKey {
  readonly suite: CipherSuiteId;
  readonly kid: bigint;
  readonly usage: KeyUsage;
  /** `sframe_salt`, XORed with the CTR to form each nonce. */
  readonly salt: Uint8Array;
  readonly aead: AeadKey;
}

/** The full label: prefix ‖ KID (8 bytes BE) ‖ cipher suite (2 bytes BE). */
export function keyScheduleLabel(prefix: string, kid: bigint, suite: CipherSuiteId): Uint8Array<ArrayBuffer> {
  return concatBytes(utf8(prefix), bigintToBytes(kid, 8), bigintToBytes(BigInt(suite), 2));
}

// HMAC runs synchronously on @noble/hashes: for these 32–80-byte inputs a WebCrypto round trip (a
// key import, a promise and a hop to a crypto thread each) costs more than the hash, and a call's
// set-up derives several keys on each side while the machine is busiest.
const HASHES = { 'SHA-256': sha256, 'SHA-512': sha512 } as const;

function hmacOf(params: CipherSuiteParams, key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(HASHES[params.hash], key, data);
}

/** HKDF-Extract with an empty salt, which RFC 5869 defines as Nh zero bytes (what HMAC pads "" to). */
function hkdfExtract(params: CipherSuiteParams, ikm: Uint8Array): Uint8Array {
  return hmacOf(params, new Uint8Array(params.Nh), ikm);
}

/** HKDF-Expand (RFC 5869 §2.3). */
function hkdfExpand(params: CipherSuiteParams, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1, offset = 0; offset < length; i++) {
    previous = hmacOf(params, prk, concatBytes(previous, info, new Uint8Array([i])));
    out.set(previous.subarray(0, Math.min(previous.length, length - offset)), offset);
    offset += previous.length;
  }
  return out;
}

function checkKid(kid: bigint): void {
  if (!isUint64(kid)) throw new SFrameError('invalid-argument', `KID ${String(kid)} is outside [0, 2^64 − 1]`);
}

/** Runs the key schedule of §4.4.2 and returns the raw bytes (for test vectors; use {@link importSFrameKey} otherwise). */
export async function deriveKeyMaterial(suite: CipherSuiteId, kid: bigint, baseKey: Uint8Array): Promise<SFrameKeyMaterial> {
  const params = cipherSuiteParams(suite);
  checkKid(kid);
  if (baseKey.length === 0) throw new SFrameError('invalid-argument', 'base_key is empty');
  const secret = hkdfExtract(params, baseKey);
  const key = hkdfExpand(params, secret, keyScheduleLabel(SFRAME_KEY_LABEL, kid, suite), params.Nk);
  const salt = hkdfExpand(params, secret, keyScheduleLabel(SFRAME_SALT_LABEL, kid, suite), params.Nn);
  return { secret, key, salt };
}

/**
 * Derives the SFrame key and salt for `kid` from `base_key` and imports the key, non-extractable, for
 * one direction only. The intermediate raw bytes are overwritten once imported.
 */
export async function importSFrameKey(suite: CipherSuiteId, kid: bigint, baseKey: Uint8Array, usage: KeyUsage): Promise<SFrameKey> {
  const params = cipherSuiteParams(suite);
  const material = await deriveKeyMaterial(suite, kid, baseKey);
  try {
    const aead = await importAeadKey(params, material.key, usage);
    return Object.freeze({ suite, kid, usage, salt: material.salt, aead });
  } finally {
    material.secret.fill(0);
    material.key.fill(0);
  }
}
