import { type SFrameResult, SFrameError, fail, succeed } from './errors.js';
import { decodeHeader } from './header.js';
import type { SFrameKey } from './key-schedule.js';
import { RecentFrames } from './recent-frames.js';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow, checkReplayWindowSize } from './replay-window.js';
import { type DecryptedSFrame, sframeOpen } from './sframe.js';

/** Options for an {@link SFrameKeyRing}. */
export interface SFrameKeyRingOptions {
  /** How many KIDs are held at once; adding one more drops the oldest. Default 4. */
  readonly capacity?: number;
  /** Replay window per KID, in frames. Default {@link DEFAULT_REPLAY_WINDOW}. */
  readonly replayWindow?: number;
}

interface RingEntry {
  readonly key: SFrameKey;
  readonly window: ReplayWindow;
  /** The last accepted frames, to know a byte-identical retransmission from a replay. */
  readonly recent: RecentFrames;
}

/**
 * The receiving side: a few decryption keys by KID, each with its own replay window.
 *
 * Holding several KIDs bridges a rekey: frames sent under the old key that are still in flight keep
 * decrypting after the new key arrives, until the old KID is removed or pushed out by newer ones.
 * Use one ring per remote sender (or per RTCRtpReceiver), so that a KID belonging to someone else is
 * an `unknown-key-id` rather than a silent success.
 */
export class SFrameKeyRing {
  readonly #capacity: number;
  readonly #replayWindow: number;
  /** Insertion order = age: the first entry is the oldest. */
  readonly #entries = new Map<bigint, RingEntry>();

  constructor(options: SFrameKeyRingOptions = {}) {
    const capacity = options.capacity ?? 4;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new SFrameError('invalid-argument', `key ring capacity ${capacity} must be a positive integer`);
    this.#capacity = capacity;
    this.#replayWindow = options.replayWindow ?? DEFAULT_REPLAY_WINDOW;
    checkReplayWindowSize(this.#replayWindow);
  }

  /** The KIDs held, oldest first. */
  get kids(): bigint[] {
    return [...this.#entries.keys()];
  }

  /** True when a key for `kid` is held. */
  has(kid: bigint): boolean {
    return this.#entries.has(kid);
  }

  /**
   * Adds a decryption key; returns the KIDs pushed out to stay within capacity (oldest first).
   * Adding the same key object again is a no-op; a different key for a held KID throws
   * `duplicate-key-id` (replacing it would reset its replay window).
   */
  add(key: SFrameKey): bigint[] {
    if (key.usage !== 'decrypt') throw new SFrameError('wrong-key-usage', `KID ${key.kid} was imported for sending, not receiving`);
    const held = this.#entries.get(key.kid);
    if (held !== undefined) {
      if (held.key === key) return [];
      throw new SFrameError('duplicate-key-id', `a different key for KID ${key.kid} is already held`);
    }
    this.#entries.set(key.kid, { key, window: new ReplayWindow(this.#replayWindow), recent: new RecentFrames() });
    const evicted: bigint[] = [];
    for (const kid of this.#entries.keys()) {
      if (this.#entries.size <= this.#capacity) break;
      this.#entries.delete(kid);
      evicted.push(kid);
    }
    return evicted;
  }

  /** Drops the key for `kid` (e.g. once a rekey has settled); true if it was held. */
  remove(kid: bigint): boolean {
    return this.#entries.delete(kid);
  }

  /**
   * Decrypts one SFrame ciphertext with `metadata` as extra associated data. Never throws: a bad
   * header, unknown KID, replay or forgery comes back as a typed failure carrying KID and CTR when known.
   * A byte-identical copy of a recently accepted frame is `retransmitted-frame`: dropped, not decrypted.
   */
  async decrypt(metadata: Uint8Array, ciphertext: Uint8Array): Promise<SFrameResult<DecryptedSFrame>> {
    const decoded = decodeHeader(ciphertext);
    if (!decoded.ok) return decoded;
    const header = decoded.value;
    const where = { kid: header.kid, ctr: header.ctr };
    const entry = this.#entries.get(header.kid);
    if (entry === undefined) return fail('unknown-key-id', `no key for KID ${header.kid}`, where);

    const before = entry.window.check(header.ctr);
    if (before === 'replayed' && entry.recent.isCopy(header.ctr, metadata, ciphertext)) return retransmitted(where);
    if (before !== 'fresh') return replayFailure(before, where);

    let opened: SFrameResult<Uint8Array<ArrayBuffer>>;
    try {
      opened = await sframeOpen(entry.key, header, metadata, ciphertext);
    } catch (cause) {
      return fail('crypto-error', `decryption failed: ${cause instanceof Error ? cause.message : String(cause)}`, where);
    }
    if (!opened.ok) return opened;

    // Only authentic frames move the window, and only the first copy of a frame is accepted.
    const after = entry.window.commit(header.ctr);
    if (after === 'replayed' && entry.recent.isCopy(header.ctr, metadata, ciphertext)) return retransmitted(where);
    if (after !== 'fresh') return replayFailure(after, where);
    entry.recent.remember(header.ctr, metadata, ciphertext);
    return succeed({ kid: header.kid, ctr: header.ctr, plaintext: opened.value });
  }
}

function retransmitted<T>(where: { kid: bigint; ctr: bigint }): SFrameResult<T> {
  return fail('retransmitted-frame', `frame KID ${where.kid} CTR ${where.ctr} is a copy of one already received`, where);
}

function replayFailure<T>(verdict: 'replayed' | 'stale', where: { kid: bigint; ctr: bigint }): SFrameResult<T> {
  return verdict === 'replayed'
    ? fail('replayed-frame', `frame KID ${where.kid} CTR ${where.ctr} was already received`, where)
    : fail('stale-frame', `frame KID ${where.kid} CTR ${where.ctr} is older than the replay window`, where);
}
