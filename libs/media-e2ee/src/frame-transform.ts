import { concatBytes } from '@parley/bytes';
import { type SFrameResult, fail, succeed } from './errors.js';
import type { SFrameKeyRing } from './key-ring.js';
import type { SFrameSender } from './sender.js';

// Per-frame SFrame for WebRTC encoded transforms, with no DOM types: the worker hands in
// `new Uint8Array(frame.data)` and puts `result.value.buffer` back into `frame.data`.
//
// VP8: Chromium's receive path and SFUs such as Janus read the start of the VP8 payload (bit 0 of the
// first byte tells key from delta frame; key frames carry the dimensions). Those bytes stay in clear
// and are authenticated as SFrame metadata, so changing them breaks decryption:
//
//   on the wire: clear prefix ‖ SFrame header ‖ AEAD(rest of frame) ‖ tag,  AAD = header ‖ clear prefix
//
// Opus: nothing downstream looks inside the frame, so it is encrypted whole (no metadata).

/** Codecs whose frames this module knows how to protect. */
export type MediaCodec = 'vp8' | 'opus';

/** Clear bytes at the start of a VP8 key frame: 3-byte frame tag, start code and dimensions (RFC 6386 §9.1). */
export const VP8_KEY_FRAME_CLEAR_BYTES = 10;
/** Clear bytes at the start of a VP8 delta (inter) frame: the 3-byte frame tag. */
export const VP8_DELTA_FRAME_CLEAR_BYTES = 3;

/** True when a VP8 frame is a key frame: bit 0 of the first byte (the inverse key-frame flag) is 0. */
export function isVp8KeyFrame(frame: Uint8Array): boolean {
  return frame.length > 0 && (frame[0]! & 0x01) === 0;
}

/** How many leading bytes of `frame` stay in clear for `codec`. Both ends compute it from the first byte. */
export function clearPrefixLength(codec: MediaCodec, frame: Uint8Array): number {
  switch (codec) {
    case 'vp8':
      return isVp8KeyFrame(frame) ? VP8_KEY_FRAME_CLEAR_BYTES : VP8_DELTA_FRAME_CLEAR_BYTES;
    case 'opus':
      return 0;
  }
}

/** A decrypted media frame, with the KID and CTR it was sent under. */
export interface DecryptedMediaFrame {
  /** The original encoded frame; owns its whole ArrayBuffer. */
  readonly data: Uint8Array<ArrayBuffer>;
  /** KID and CTR of the SFrame header; absent for an empty frame, which passes through. */
  readonly kid?: bigint;
  readonly ctr?: bigint;
}

/**
 * Encrypts one encoded frame with the track's sender. Never throws: no key, counter exhaustion or a
 * frame too short for its codec's clear prefix is a typed failure (drop the frame). An empty frame
 * passes through empty: it carries no media to protect.
 */
export async function encryptFrame(sender: SFrameSender, codec: MediaCodec, frame: Uint8Array): Promise<SFrameResult<Uint8Array<ArrayBuffer>>> {
  if (frame.length === 0) return succeed(new Uint8Array(0));
  const clear = clearPrefixLength(codec, frame);
  if (frame.length < clear) {
    return fail('malformed-frame', `${codec} frame of ${frame.length} bytes is shorter than its ${clear}-byte clear prefix`);
  }
  try {
    const prefix = frame.subarray(0, clear);
    const sealed = await sender.encrypt(prefix, frame.subarray(clear));
    if (!sealed.ok) return sealed;
    return succeed(clear === 0 ? sealed.value : concatBytes(prefix, sealed.value));
  } catch (cause) {
    return fail('crypto-error', `frame encryption failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * Decrypts one received frame with the ring of the sender's keys. Never throws: a frame that is too
 * short, has an unknown KID, is replayed or fails authentication comes back as a typed failure
 * (drop and count it). An empty frame passes through empty.
 */
export async function decryptFrame(ring: SFrameKeyRing, codec: MediaCodec, data: Uint8Array): Promise<SFrameResult<DecryptedMediaFrame>> {
  if (data.length === 0) return succeed({ data: new Uint8Array(0) });
  try {
    // Reading the first byte before authentication only prepares decryption (RFC 9605 §9.4): if an
    // attacker flips it, the prefix length changes, and so does the AAD, and authentication fails.
    const clear = clearPrefixLength(codec, data);
    if (data.length <= clear) {
      return fail('malformed-frame', `${codec} frame of ${data.length} bytes has no SFrame ciphertext after its ${clear}-byte clear prefix`);
    }
    const prefix = data.subarray(0, clear);
    const opened = await ring.decrypt(prefix, data.subarray(clear));
    if (!opened.ok) return opened;
    const { kid, ctr, plaintext } = opened.value;
    return succeed({ data: clear === 0 ? plaintext : concatBytes(prefix, plaintext), kid, ctr });
  } catch (cause) {
    return fail('crypto-error', `frame decryption failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
