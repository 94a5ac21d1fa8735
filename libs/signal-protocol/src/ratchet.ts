import { utf8 } from '@parley/bytes';
import { hkdfSha256, hmacSha256 } from './kdf.js';
import type { EcKeyPair } from './keys.js';
import type { EcPublicKey } from './public-keys.js';

// Double Ratchet key derivations, with libsignal's constants and labels.

/** Most messages a receiving chain may skip ahead in one go (libsignal `MAX_FORWARD_JUMPS`). */
export const MAX_FORWARD_JUMPS = 25_000;
/** Skipped message keys kept per receiving chain (libsignal `MAX_MESSAGE_KEYS`). */
export const MAX_MESSAGE_KEYS = 2_000;
/** Receiving chains kept per session (libsignal `MAX_RECEIVER_CHAINS`). */
export const MAX_RECEIVER_CHAINS = 5;

const MESSAGE_KEY_SEED = new Uint8Array([0x01]);
const CHAIN_KEY_SEED = new Uint8Array([0x02]);
const WHISPER_MESSAGE_KEYS = utf8('WhisperMessageKeys');
const WHISPER_RATCHET = utf8('WhisperRatchet');

/** A symmetric chain key and its position in the chain. */
export interface ChainKey {
  readonly key: Uint8Array;
  readonly index: number;
}

/** The keys of one message. */
export interface MessageKeys {
  readonly cipherKey: Uint8Array;
  readonly macKey: Uint8Array;
  readonly iv: Uint8Array;
  readonly counter: number;
}

/** CK' = HMAC-SHA256(CK, 0x02). */
export function nextChainKey(chainKey: ChainKey): ChainKey {
  return { key: hmacSha256(chainKey.key, CHAIN_KEY_SEED), index: chainKey.index + 1 };
}

/** The message key seed HMAC-SHA256(CK, 0x01), what libsignal stores for skipped messages. */
export function messageKeySeed(chainKey: ChainKey): Uint8Array {
  return hmacSha256(chainKey.key, MESSAGE_KEY_SEED);
}

/**
 * HKDF(salt, seed, "WhisperMessageKeys", 80) → cipher key ‖ MAC key ‖ IV. libsignal ≥ 0.92 salts
 * with the post-quantum ratchet's message key; without one the salt is absent.
 */
export function deriveMessageKeys(seed: Uint8Array, counter: number, pqKey?: Uint8Array): MessageKeys {
  const okm = hkdfSha256(seed, pqKey, WHISPER_MESSAGE_KEYS, 80);
  return { cipherKey: okm.subarray(0, 32), macKey: okm.subarray(32, 64), iv: okm.subarray(64, 80), counter };
}

/** One DH ratchet step: HKDF(root, DH(ours, theirs), "WhisperRatchet", 64) → new root ‖ chain key. */
export async function createChain(
  rootKey: Uint8Array,
  theirRatchetKey: EcPublicKey,
  ourRatchetKey: EcKeyPair,
): Promise<{ rootKey: Uint8Array; chainKey: ChainKey }> {
  const shared = await ourRatchetKey.agree(theirRatchetKey);
  const okm = hkdfSha256(shared, rootKey, WHISPER_RATCHET, 64);
  return { rootKey: okm.subarray(0, 32), chainKey: { key: okm.subarray(32, 64), index: 0 } };
}
