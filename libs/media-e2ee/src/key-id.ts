import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from '@parley/bytes';
import type { KeyUsage } from './aead.js';
import { bigintToBytes, randomBytes } from './bytes.js';
import { type CipherSuiteId, cipherSuiteParams } from './cipher-suite.js';
import { SFrameError } from './errors.js';
import { type SFrameKey, importSFrameKey } from './key-schedule.js';

// Parley's KID scheme: every (sender, track, key generation) has its own KID and its own base_key.
//
//   KID = generation << 20 | sender << 4 | track      (a 64-bit unsigned integer)
//
//   track       bits 0–3    which RTCRtpSender of that participant (see TrackSlot), 16 slots
//   sender      bits 4–19   the participant's index in the call, 65,536 indices
//   generation  bits 20–63  how many times that sender has rekeyed, 2^44 generations
//
// The low bits vary most, so the KIDs of a 1:1 call's first generation fit in the config byte or one
// extra header byte. The KID is visible to relays and SFUs (RFC 9605 §7.1): it reveals who sends which
// track and how often they rekeyed, which an SFU knows anyway.
//
// Each sender draws a fresh random sender secret per generation and sends it only inside the
// Signal-encrypted offer/answer (or a later Signal message). Each track's base_key is derived from
// that secret and the track's KID, so no two tracks, senders or generations share a base_key, and a
// KID names exactly one base_key within a call: together with SFrameSender's counter, no
// (key, nonce) pair repeats.

const TRACK_BITS = 4n;
const SENDER_BITS = 16n;
const GENERATION_BITS = 64n - SENDER_BITS - TRACK_BITS;

/** Largest track slot, sender index and generation the KID layout can carry. */
export const MAX_TRACK_SLOT = Number((1n << TRACK_BITS) - 1n);
export const MAX_SENDER_INDEX = Number((1n << SENDER_BITS) - 1n);
export const MAX_KEY_GENERATION = (1n << GENERATION_BITS) - 1n;

/**
 * The track slots Parley's call app uses, one per RTCRtpSender. A 1:1 call sends a shared screen in
 * place of the camera (slot 1); a group call sends it beside the camera, as its own stream (slot 3).
 */
export const TrackSlot = {
  microphone: 0,
  camera: 1,
  screenAudio: 2,
  screen: 3,
} as const;

/** What a Parley KID says: whose key, for which track, which generation. */
export interface MediaKeyId {
  /** Key generation of this sender: 0 at call start, +1 on each rekey. */
  readonly generation: bigint;
  /** The participant's index in the call (1:1: caller 0, callee 1). */
  readonly sender: number;
  /** Which of that participant's senders (tracks): 0–15. */
  readonly track: number;
}

/** Packs sender, track and generation into a KID; throws `invalid-argument` for values out of range. */
export function composeKeyId(id: MediaKeyId): bigint {
  if (!Number.isSafeInteger(id.track) || id.track < 0 || id.track > MAX_TRACK_SLOT) throw new SFrameError('invalid-argument', `track slot ${id.track} is outside [0, ${MAX_TRACK_SLOT}]`);
  if (!Number.isSafeInteger(id.sender) || id.sender < 0 || id.sender > MAX_SENDER_INDEX) throw new SFrameError('invalid-argument', `sender index ${id.sender} is outside [0, ${MAX_SENDER_INDEX}]`);
  if (typeof id.generation !== 'bigint' || id.generation < 0n || id.generation > MAX_KEY_GENERATION) {
    throw new SFrameError('invalid-argument', `key generation ${String(id.generation)} is outside [0, 2^${GENERATION_BITS} − 1]`);
  }
  return (id.generation << (SENDER_BITS + TRACK_BITS)) | (BigInt(id.sender) << TRACK_BITS) | BigInt(id.track);
}

/** Unpacks a KID made by {@link composeKeyId} (any 64-bit value parses; the caller checks it is expected). */
export function parseKeyId(kid: bigint): MediaKeyId {
  return {
    generation: kid >> (SENDER_BITS + TRACK_BITS),
    sender: Number((kid >> TRACK_BITS) & ((1n << SENDER_BITS) - 1n)),
    track: Number(kid & ((1n << TRACK_BITS) - 1n)),
  };
}

/** Length of a sender secret in bytes. */
export const SENDER_SECRET_LENGTH = 32;

/** HKDF info prefix for a track's base_key; the KID (8 bytes big-endian) follows. */
export const TRACK_BASE_KEY_LABEL = 'Parley SFrame track base key 1.0 ';

/** A fresh random sender secret, to be sent to the other participants only over Signal. */
export function generateSenderSecret(): Uint8Array<ArrayBuffer> {
  return randomBytes(SENDER_SECRET_LENGTH);
}

/** base_key for one track: HKDF-SHA256(salt = "", IKM = sender secret, info = label ‖ KID), 32 bytes. */
export async function deriveTrackBaseKey(senderSecret: Uint8Array, kid: bigint): Promise<Uint8Array<ArrayBuffer>> {
  if (senderSecret.length < SENDER_SECRET_LENGTH) {
    throw new SFrameError('invalid-argument', `sender secret must be at least ${SENDER_SECRET_LENGTH} bytes, got ${senderSecret.length}`);
  }
  const info = concatBytes(utf8(TRACK_BASE_KEY_LABEL), bigintToBytes(kid, 8));
  // Synchronous, as the key schedule (key-schedule.ts says why); an empty salt as WebCrypto's HKDF.
  return Uint8Array.from(hkdf(sha256, senderSecret, new Uint8Array(0), info, 32));
}

/**
 * The SFrame key for one track of one sender: composes the KID, derives the track's base_key from the
 * sender secret, runs the RFC 9605 key schedule and imports the result for `usage` only.
 */
export async function deriveTrackKey(
  suite: CipherSuiteId,
  senderSecret: Uint8Array,
  id: MediaKeyId,
  usage: KeyUsage,
): Promise<SFrameKey> {
  cipherSuiteParams(suite);
  const kid = composeKeyId(id);
  const baseKey = await deriveTrackBaseKey(senderSecret, kid);
  try {
    return await importSFrameKey(suite, kid, baseKey, usage);
  } finally {
    baseKey.fill(0);
  }
}
