import { arrayBufferBacked, constantTimeEqual, copyBytes } from '@parley/bytes';
import { randomBytes } from './bytes.js';

// Signal's attachment encryption (as Signal-Desktop and the Android/iOS apps do it; libsignal-client
// 0.103 has no attachment cipher, only the incremental MAC for streaming): a fresh 64-byte key per
// attachment, split into an AES-256 key and an HMAC-SHA256 key;
//   ciphertext = IV(16) ‖ AES-256-CBC(PKCS#7(padded plaintext)) ‖ HMAC-SHA256(macKey, IV ‖ CBC)
// and the digest SHA-256(ciphertext) travels with the key inside the Signal message, so the
// receiver checks that the blob it fetched is the one the sender uploaded before decrypting a byte.
// The plaintext is zero-padded to a size bucket first (paddedAttachmentSize), so the server learns
// a bucket rather than the exact size; the real size travels in the message too.
//
// Everything goes through WebCrypto: attachments are up to 100 MB, where the platform's AES and
// SHA-2 beat JavaScript by far (Node 20 and every browser have crypto.subtle).

/** Bytes of an attachment key: 32 for AES-256, then 32 for HMAC-SHA256. */
export const ATTACHMENT_KEY_LENGTH = 64;
/** Bytes of the CBC IV at the start of the ciphertext. */
export const ATTACHMENT_IV_LENGTH = 16;
/** Bytes of the HMAC-SHA256 at the end of the ciphertext (the full tag). */
export const ATTACHMENT_MAC_LENGTH = 32;
/** Smallest padded size: Signal's floor, so tiny files all look alike. */
export const ATTACHMENT_MIN_PADDED_SIZE = 541;

/** Why an attachment was refused: its digest, MAC or shape is not what the message promised. */
export type AttachmentErrorCode = 'digest-mismatch' | 'mac-mismatch' | 'truncated' | 'bad-padding' | 'bad-key' | 'size-mismatch';

/** A refused attachment, as a typed value. */
export class AttachmentError extends Error {
  constructor(
    readonly code: AttachmentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AttachmentError';
  }
}

/** Whether `error` is an AttachmentError (with `code`, when given). */
export function isAttachmentError(error: unknown, code?: AttachmentErrorCode): error is AttachmentError {
  return error instanceof AttachmentError && (code === undefined || error.code === code);
}

/**
 * Signal's padding bucket for a plaintext of `size` bytes: max(541, ⌊1.05^⌈log₁.₀₅(size)⌉⌋), so
 * sizes are rounded up by at most 5 % and the server sees one of few sizes.
 */
export function paddedAttachmentSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`an attachment size is a non-negative integer, got ${size}`);
  const bucket = Math.floor(1.05 ** Math.ceil(Math.log(size) / Math.log(1.05)));
  // The floor of a float power can land a byte below `size`; the bucket never truncates.
  return Math.max(ATTACHMENT_MIN_PADDED_SIZE, bucket, size);
}

/** Bytes the server stores for a plaintext of `size` bytes: IV, padded and PKCS#7-padded body, MAC. */
export function attachmentCiphertextSize(size: number): number {
  const padded = paddedAttachmentSize(size);
  return ATTACHMENT_IV_LENGTH + (Math.floor(padded / 16) + 1) * 16 + ATTACHMENT_MAC_LENGTH;
}

/** An encrypted attachment: the blob to upload and what the message must carry to open it. */
export interface EncryptedAttachment {
  ciphertext: Uint8Array<ArrayBuffer>;
  /** 64 bytes: AES-256 key ‖ HMAC-SHA256 key. */
  key: Uint8Array<ArrayBuffer>;
  /** SHA-256 of `ciphertext`. */
  digest: Uint8Array<ArrayBuffer>;
  /** The plaintext's size, before padding. */
  size: number;
}

/** What decryption needs from the message. */
export interface AttachmentSecrets {
  key: Uint8Array;
  digest: Uint8Array;
  size: number;
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

function splitKey(key: Uint8Array): { aesKey: Uint8Array<ArrayBuffer>; macKey: Uint8Array<ArrayBuffer> } {
  if (key.length !== ATTACHMENT_KEY_LENGTH) throw new AttachmentError('bad-key', `an attachment key is ${ATTACHMENT_KEY_LENGTH} bytes, got ${key.length}`);
  return { aesKey: copyBytes(key.subarray(0, 32)), macKey: copyBytes(key.subarray(32)) };
}

async function hmac(macKey: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const cryptoKey = await subtle().importKey('raw', macKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', cryptoKey, data));
}

/** SHA-256 of `bytes`: an attachment's digest. */
export async function attachmentDigest(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle().digest('SHA-256', arrayBufferBacked(bytes)));
}

/**
 * Pads and encrypts `plaintext` under a fresh random key and IV. `fixed` sets both, for tests
 * against an oracle only: a key or IV used twice would break the scheme.
 */
export async function encryptAttachment(plaintext: Uint8Array, fixed: { key?: Uint8Array; iv?: Uint8Array } = {}): Promise<EncryptedAttachment> {
  const key = copyBytes(fixed.key ?? randomBytes(ATTACHMENT_KEY_LENGTH));
  const iv = copyBytes(fixed.iv ?? randomBytes(ATTACHMENT_IV_LENGTH));
  if (iv.length !== ATTACHMENT_IV_LENGTH) throw new AttachmentError('bad-key', `an attachment IV is ${ATTACHMENT_IV_LENGTH} bytes, got ${iv.length}`);
  const { aesKey, macKey } = splitKey(key);
  const padded = new Uint8Array(paddedAttachmentSize(plaintext.length));
  padded.set(plaintext);
  const cbcKey = await subtle().importKey('raw', aesKey, 'AES-CBC', false, ['encrypt']);
  // WebCrypto's AES-CBC adds the PKCS#7 padding itself.
  const body = new Uint8Array(await subtle().encrypt({ name: 'AES-CBC', iv }, cbcKey, padded));
  // One allocation for IV ‖ body ‖ MAC, the MAC computed over a view of it: whole-size copies are
  // what a 100 MB attachment cannot afford (padded and body are the other two, WebCrypto's own).
  const macOffset = ATTACHMENT_IV_LENGTH + body.length;
  const ciphertext = new Uint8Array(macOffset + ATTACHMENT_MAC_LENGTH);
  ciphertext.set(iv);
  ciphertext.set(body, ATTACHMENT_IV_LENGTH);
  ciphertext.set(await hmac(macKey, ciphertext.subarray(0, macOffset)), macOffset);
  return { ciphertext, key, digest: await attachmentDigest(ciphertext), size: plaintext.length };
}

/**
 * Checks `ciphertext` against the digest and the MAC (both in constant time) before decrypting,
 * then strips the padding to the promised size. Any mismatch is an AttachmentError, never bytes.
 */
export async function decryptAttachment(ciphertext: Uint8Array, secrets: AttachmentSecrets): Promise<Uint8Array<ArrayBuffer>> {
  const { aesKey, macKey } = splitKey(secrets.key);
  const bodyLength = ciphertext.length - ATTACHMENT_IV_LENGTH - ATTACHMENT_MAC_LENGTH;
  if (bodyLength < 16 || bodyLength % 16 !== 0) {
    throw new AttachmentError('truncated', `an attachment ciphertext of ${ciphertext.length} bytes cannot be IV ‖ CBC blocks ‖ MAC`);
  }
  // The digest first: it is what the sender vouched for in the message, and it covers every byte.
  if (!constantTimeEqual(await attachmentDigest(ciphertext), secrets.digest)) {
    throw new AttachmentError('digest-mismatch', 'the attachment is not the one the sender uploaded (its digest differs)');
  }
  // Views, not copies, of the fetched blob (it may be 100 MB).
  const ivAndBody = arrayBufferBacked(ciphertext).subarray(0, ciphertext.length - ATTACHMENT_MAC_LENGTH);
  if (!constantTimeEqual(await hmac(macKey, ivAndBody), ciphertext.subarray(ciphertext.length - ATTACHMENT_MAC_LENGTH))) {
    throw new AttachmentError('mac-mismatch', 'the attachment failed its MAC check');
  }
  const cbcKey = await subtle().importKey('raw', aesKey, 'AES-CBC', false, ['decrypt']);
  let padded: Uint8Array<ArrayBuffer>;
  try {
    padded = new Uint8Array(await subtle().decrypt({ name: 'AES-CBC', iv: ivAndBody.subarray(0, ATTACHMENT_IV_LENGTH) }, cbcKey, ivAndBody.subarray(ATTACHMENT_IV_LENGTH)));
  } catch {
    throw new AttachmentError('bad-padding', 'the attachment decrypted to bad PKCS#7 padding');
  }
  if (!Number.isSafeInteger(secrets.size) || secrets.size < 0 || secrets.size > padded.length) {
    throw new AttachmentError('size-mismatch', `the message promised ${secrets.size} bytes; the attachment holds ${padded.length}`);
  }
  return padded.slice(0, secrets.size);
}
