/**
 * SFrame-specific byte helpers (64-bit integers, WebCrypto views, randomness). Concat, constant-time
 * compare and hex come from @parley/bytes. Nothing here logs or keeps what it is given.
 */

/** The largest value a KID or CTR can take: both are carried in at most 8 bytes (RFC 9605 §4.3). */
export const MAX_UINT64 = (1n << 64n) - 1n;

/** True when `value` is an integer in [0, 2^64 − 1]. */
export function isUint64(value: bigint): boolean {
  return typeof value === 'bigint' && value >= 0n && value <= MAX_UINT64;
}

/** Big-endian encoding of a non-negative bigint in exactly `length` bytes (the caller checks the range). */
export function bigintToBytes(value: bigint, length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** Big-endian decoding of an unsigned integer. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** Number of bytes a non-negative bigint needs in big-endian form (at least 1). */
export function byteLength(value: bigint): number {
  let length = 1;
  for (let rest = value >> 8n; rest > 0n; rest >>= 8n) length++;
  return length;
}

/**
 * A view WebCrypto accepts. Frames from an encoded transform already sit on a plain ArrayBuffer, so
 * the common case costs nothing; a view on a SharedArrayBuffer is copied, as WebCrypto refuses it.
 */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.buffer instanceof ArrayBuffer) return bytes as Uint8Array<ArrayBuffer>;
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/** The platform's WebCrypto (pages, workers and Node alike). */
export function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}

/** Cryptographically secure random bytes from the platform. */
export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let offset = 0; offset < length; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
}
