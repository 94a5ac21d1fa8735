import { concatBytes } from '@parley/bytes';
import { aeadDecrypt, aeadEncrypt } from './aead.js';
import { bigintToBytes, isUint64 } from './bytes.js';
import { type SFrameResult, SFrameError, fail, succeed } from './errors.js';
import { type DecodedHeader, decodeHeader, encodeHeader } from './header.js';
import type { SFrameKey } from './key-schedule.js';

// RFC 9605 §4.4.3–4.4.4: one SFrame ciphertext = header ‖ AEAD(key, salt XOR CTR, header ‖ metadata, pt).

/** nonce = sframe_salt XOR CTR, the CTR as a big-endian integer as long as the salt (Nn bytes). */
export function sframeNonce(salt: Uint8Array, ctr: bigint): Uint8Array<ArrayBuffer> {
  const nonce = bigintToBytes(ctr, salt.length);
  for (let i = 0; i < nonce.length; i++) nonce[i]! ^= salt[i]!;
  return nonce;
}

/**
 * Encrypts one plaintext under `key` with counter `ctr` and returns header ‖ ciphertext ‖ tag.
 * This is the bare RFC operation: the caller owns CTR uniqueness ({@link SFrameSender} does).
 */
export async function sframeEncrypt(key: SFrameKey, ctr: bigint, metadata: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  if (key.usage !== 'encrypt') throw new SFrameError('wrong-key-usage', `KID ${key.kid} was imported for decryption only`);
  if (!isUint64(ctr)) throw new SFrameError('invalid-argument', `CTR ${String(ctr)} is outside [0, 2^64 − 1]`);
  const header = encodeHeader(key.kid, ctr);
  const sealed = await aeadEncrypt(key.aead, sframeNonce(key.salt, ctr), concatBytes(header, metadata), plaintext);
  return concatBytes(header, sealed);
}

/** Decrypts the body of an SFrame ciphertext whose header was already decoded and whose key was already chosen. */
export async function sframeOpen(
  key: SFrameKey,
  header: DecodedHeader,
  metadata: Uint8Array,
  ciphertext: Uint8Array,
): Promise<SFrameResult<Uint8Array<ArrayBuffer>>> {
  const where = { kid: header.kid, ctr: header.ctr };
  if (key.kid !== header.kid) return fail('unknown-key-id', `key for KID ${key.kid} offered for a frame with KID ${header.kid}`, where);
  if (key.usage !== 'decrypt') throw new SFrameError('wrong-key-usage', `KID ${key.kid} was imported for encryption only`);
  const aad = concatBytes(ciphertext.subarray(0, header.length), metadata);
  const plaintext = await aeadDecrypt(key.aead, sframeNonce(key.salt, header.ctr), aad, ciphertext.subarray(header.length));
  if (plaintext === null) return fail('authentication-failed', `frame KID ${header.kid} CTR ${header.ctr} failed authentication`, where);
  return succeed(plaintext);
}

/** A decrypted SFrame: the plaintext and the header values it was sent under. */
export interface DecryptedSFrame {
  readonly kid: bigint;
  readonly ctr: bigint;
  readonly plaintext: Uint8Array<ArrayBuffer>;
}

/** Decrypts a whole SFrame ciphertext, picking the key by the header's KID. No replay check: see {@link SFrameKeyRing}. */
export async function sframeDecrypt(
  keyFor: (kid: bigint) => SFrameKey | undefined,
  metadata: Uint8Array,
  ciphertext: Uint8Array,
): Promise<SFrameResult<DecryptedSFrame>> {
  const decoded = decodeHeader(ciphertext);
  if (!decoded.ok) return decoded;
  const header = decoded.value;
  const key = keyFor(header.kid);
  if (key === undefined) return fail('unknown-key-id', `no key for KID ${header.kid}`, { kid: header.kid, ctr: header.ctr });
  const opened = await sframeOpen(key, header, metadata, ciphertext);
  if (!opened.ok) return opened;
  return succeed({ kid: header.kid, ctr: header.ctr, plaintext: opened.value });
}
