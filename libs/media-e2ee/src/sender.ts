import { MAX_UINT64 } from './bytes.js';
import { type SFrameResult, SFrameError, fail, succeed } from './errors.js';
import type { SFrameKey } from './key-schedule.js';
import { sframeEncrypt } from './sframe.js';

/**
 * Keys bound to some sender context in this realm. A key object drives at most one counter, so two
 * contexts can never both start at CTR 0 with it.
 */
const boundKeys = new WeakSet<SFrameKey>();

/** Options for an {@link SFrameSender}. */
export interface SFrameSenderOptions {
  /**
   * The last CTR a key may use; defaults to 2^64 − 1, the most the header can carry. Lower it to rotate
   * keys sooner (or, in tests, to reach exhaustion quickly).
   */
  readonly maxCounter?: bigint;
}

/**
 * The sending side of one media track (one RTCRtpSender): the current key and its counter.
 *
 * A (key, nonce) pair never repeats: the nonce is salt XOR CTR, the CTR is taken and advanced before
 * any `await` so concurrent encryptions get distinct values, it refuses to wrap past `maxCounter`,
 * and a KID once used here can never be installed again (that would restart its counter at 0).
 */
export class SFrameSender {
  readonly #maxCounter: bigint;
  readonly #usedKids = new Set<bigint>();
  #key: SFrameKey | undefined;
  #nextCounter = 0n;

  constructor(options: SFrameSenderOptions = {}) {
    const maxCounter = options.maxCounter ?? MAX_UINT64;
    if (maxCounter < 0n || maxCounter > MAX_UINT64) throw new SFrameError('invalid-argument', `maxCounter ${maxCounter} is outside [0, 2^64 − 1]`);
    this.#maxCounter = maxCounter;
  }

  /** The KID frames are currently sent under, if a key is installed. */
  get kid(): bigint | undefined {
    return this.#key?.kid;
  }

  /** The last CTR any key may use here. */
  get maxCounter(): bigint {
    return this.#maxCounter;
  }

  /** The CTR the next frame will use (for diagnostics and tests). */
  get nextCounter(): bigint {
    return this.#nextCounter;
  }

  /**
   * Switches to a new encryption key, whose counter starts at 0. Throws `wrong-key-usage` for a
   * decryption key and `key-already-used` for a KID or key object used before.
   */
  setKey(key: SFrameKey): void {
    if (key.usage !== 'encrypt') throw new SFrameError('wrong-key-usage', `KID ${key.kid} was imported for decryption, not sending`);
    if (this.#usedKids.has(key.kid)) throw new SFrameError('key-already-used', `KID ${key.kid} was already used by this sender; its counter cannot restart`);
    if (boundKeys.has(key)) throw new SFrameError('key-already-used', `the key for KID ${key.kid} already belongs to another sender`);
    boundKeys.add(key);
    this.#usedKids.add(key.kid);
    this.#key = key;
    this.#nextCounter = 0n;
  }

  /** Encrypts one plaintext with `metadata` authenticated alongside; returns header ‖ ciphertext ‖ tag. */
  async encrypt(metadata: Uint8Array, plaintext: Uint8Array): Promise<SFrameResult<Uint8Array<ArrayBuffer>>> {
    const key = this.#key;
    if (key === undefined) return fail('no-sending-key', 'no sending key installed');
    const ctr = this.#nextCounter;
    if (ctr > this.#maxCounter) {
      return fail('counter-exhausted', `KID ${key.kid} has used all ${this.#maxCounter + 1n} counter values; install a new key`, { kid: key.kid });
    }
    // Claimed synchronously: a second encrypt() started before this one resolves gets ctr + 1.
    this.#nextCounter = ctr + 1n;
    try {
      return succeed(await sframeEncrypt(key, ctr, metadata, plaintext));
    } catch (cause) {
      return fail('crypto-error', `encryption failed: ${cause instanceof Error ? cause.message : String(cause)}`, { kid: key.kid, ctr });
    }
  }
}
