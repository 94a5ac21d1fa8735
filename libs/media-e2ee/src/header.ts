import { bigintToBytes, byteLength, bytesToBigint, isUint64 } from './bytes.js';
import { type SFrameResult, SFrameError, fail, succeed } from './errors.js';

// RFC 9605 §4.3. Config byte: |X|K K K|Y|C C C|. X = 0: K holds the KID (0–7); X = 1: K holds the
// KID's length minus one and the KID follows. Likewise Y/C for the CTR, which follows the KID.

/** The largest header: config byte, 8-byte KID, 8-byte CTR. */
export const MAX_HEADER_LENGTH = 17;

/** Values below this fit in the config byte itself. */
const INLINE_LIMIT = 8n;

/** The two values an SFrame header carries. */
export interface SFrameHeader {
  /** Key ID: which key encrypted the frame. */
  readonly kid: bigint;
  /** Counter: forms the nonce together with the key's salt. */
  readonly ctr: bigint;
}

/** A decoded header and how many bytes it took at the start of the ciphertext. */
export interface DecodedHeader extends SFrameHeader {
  readonly length: number;
}

/** Encodes KID and CTR, each in [0, 2^64 − 1], with the minimum number of bytes (§4.3). */
export function encodeHeader(kid: bigint, ctr: bigint): Uint8Array<ArrayBuffer> {
  if (!isUint64(kid)) throw new SFrameError('invalid-argument', `KID ${String(kid)} is outside [0, 2^64 − 1]`);
  if (!isUint64(ctr)) throw new SFrameError('invalid-argument', `CTR ${String(ctr)} is outside [0, 2^64 − 1]`);
  const kidLength = kid < INLINE_LIMIT ? 0 : byteLength(kid);
  const ctrLength = ctr < INLINE_LIMIT ? 0 : byteLength(ctr);
  const out = new Uint8Array(1 + kidLength + ctrLength);
  const k = kidLength === 0 ? Number(kid) : 0x8 | (kidLength - 1);
  const c = ctrLength === 0 ? Number(ctr) : 0x8 | (ctrLength - 1);
  out[0] = (k << 4) | c;
  if (kidLength > 0) out.set(bigintToBytes(kid, kidLength), 1);
  if (ctrLength > 0) out.set(bigintToBytes(ctr, ctrLength), 1 + kidLength);
  return out;
}

/**
 * Reads the header at the start of `bytes`. A truncated header, or one that is not minimally
 * encoded (which RFC 9605 §4.3 forbids, so no conforming sender writes it), is `malformed-header`.
 */
export function decodeHeader(bytes: Uint8Array): SFrameResult<DecodedHeader> {
  if (bytes.length === 0) return fail('malformed-header', 'empty SFrame ciphertext: no config byte');
  const config = bytes[0]!;
  let offset = 1;

  const readField = (nibble: number, field: 'KID' | 'CTR'): SFrameResult<bigint> => {
    if ((nibble & 0x8) === 0) return succeed(BigInt(nibble & 0x7));
    const length = (nibble & 0x7) + 1;
    if (bytes.length < offset + length) {
      return fail('malformed-header', `SFrame header truncated: ${field} needs ${length} bytes, ${bytes.length - offset} left`);
    }
    const value = bytesToBigint(bytes.subarray(offset, offset + length));
    offset += length;
    if (value < INLINE_LIMIT || byteLength(value) !== length) {
      return fail('malformed-header', `SFrame header ${field} ${value} is not minimally encoded in ${length} bytes`);
    }
    return succeed(value);
  };

  const kid = readField(config >> 4, 'KID');
  if (!kid.ok) return kid;
  const ctr = readField(config & 0xf, 'CTR');
  if (!ctr.ok) return ctr;
  return succeed({ kid: kid.value, ctr: ctr.value, length: offset });
}
