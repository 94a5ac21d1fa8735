import { constantTimeEqual } from '@parley/bytes';
import { CipherSuite, type CipherSuiteId, cipherSuiteParams } from './cipher-suite.js';
import { type SFrameFailure, type SFrameFailureCode, type SFrameResult, SFrameError, succeed } from './errors.js';
import { type DecryptedMediaFrame, type MediaCodec, clearPrefixLength, decryptFrame } from './frame-transform.js';
import { decodeHeader } from './header.js';
import { MAX_KEY_GENERATION, MAX_SENDER_INDEX, SENDER_SECRET_LENGTH, composeKeyId, deriveTrackKey, parseKeyId } from './key-id.js';
import { SFrameKeyRing } from './key-ring.js';
import type { SFrameKey } from './key-schedule.js';
import { ratchetSenderSecret } from './sender-secret-ratchet.js';

// The receiving side of a group call: every other participant's sender secrets, by generation.
//
// A secret arrives explicitly (a `group-key` message over Signal: the initial one, one ratcheted
// for us when we joined, a fresh one after a leave) or is derived here: when a frame's KID names a
// generation ahead of what we hold, the sender ratcheted because someone joined, and we take the same
// one-way steps from the nearest lower generation we hold (at most MAX_RATCHET_AHEAD of them).
//
// Derived secrets are guesses until a frame authenticates under them: a fresh secret after a leave
// looks, to a receiver who has not got it yet, exactly like a ratchet step, and an SFU can put any
// generation in a KID. So a derived generation counts as "trusted" only once a frame decrypted with
// it; only explicit and trusted generations fill the per-sender window, and an explicit secret always
// replaces a derived one (never the reverse). Forged KIDs thus cost at most MAX_RATCHET_AHEAD HKDF
// steps, cached, and can never push a real generation out.
//
// Each (sender, track) has an SFrameKeyRing, so replay windows and the bridging of a rekey work as in
// 1:1 calls; this class only decides which keys those rings hold.

/** How many generations a receiver ratchets a sender's secret forward on its own. */
export const MAX_RATCHET_AHEAD = 16;
/** How many explicit or confirmed generations are kept per sender: enough to bridge a few quick rekeys. */
export const RECEIVE_GENERATION_WINDOW = 4;

// Every held generation of a sender may sit in a track's ring: the window, and up to MAX_RATCHET_AHEAD
// unconfirmed ones above each of them. Eviction here removes KIDs first; the ring's own limit is a backstop.
const RING_CAPACITY = (RECEIVE_GENERATION_WINDOW + 1) * (MAX_RATCHET_AHEAD + 1);

/** Where a held sender secret came from. */
export type SenderSecretOrigin = 'explicit' | 'derived';

/** Frame counts of one remote sender, for diagnostics and for naming a participant whose media fails. */
export interface SenderFrameStats {
  readonly decrypted: number;
  readonly dropped: number;
  /** Drops since the last frame that decrypted: keeps growing while this sender's frames all fail. */
  readonly consecutiveDropped: number;
  /** Why the last dropped frame failed. */
  readonly lastFailure?: SFrameFailureCode;
}

/** Options for {@link GroupReceiveKeys}. */
export interface GroupReceiveKeysOptions {
  /** Default AES_128_GCM_SHA256_128, Parley's suite. */
  readonly suite?: CipherSuiteId;
  /** Replay window per KID, in frames (see SFrameKeyRing). */
  readonly replayWindow?: number;
}

/** Options of one {@link GroupReceiveKeys.decrypt} call. */
export interface GroupFrameSource {
  /**
   * The participant whose stream the frame came on (known from the SFU's stream list). A KID naming
   * someone else is refused, so an SFU cannot pass one participant's media off as another's; failures
   * without a readable KID are counted for this participant.
   */
  readonly from?: number;
  /**
   * The track slot the stream carries (a camera, a shared screen…, from the SFU's stream list). A KID
   * naming another of the sender's tracks is refused, so an SFU cannot show a camera as a screen.
   */
  readonly track?: number;
}

interface Generation {
  readonly secret: Promise<Uint8Array>;
  origin: SenderSecretOrigin;
  /** Explicit, or derived and confirmed by an authentic frame. */
  trusted: boolean;
  /** The secret once known, to recognise an explicit copy of a derived generation. */
  resolved?: Uint8Array;
  readonly trackKeys: Map<number, Promise<SFrameKey>>;
}

interface RemoteSender {
  readonly index: number;
  readonly generations: Map<bigint, Generation>;
  readonly rings: Map<number, SFrameKeyRing>;
}

interface MutableStats {
  decrypted: number;
  dropped: number;
  consecutiveDropped: number;
  lastFailure?: SFrameFailureCode;
}

/**
 * The other participants' media keys in a group call, and the decryption of their frames: one
 * instance per call on this device (in the receive worker), fed with every `group-key` message.
 */
export class GroupReceiveKeys {
  readonly #suite: CipherSuiteId;
  readonly #replayWindow: number | undefined;
  readonly #senders = new Map<number, RemoteSender>();
  readonly #stats = new Map<number, MutableStats>();
  #unattributedDropped = 0;

  constructor(options: GroupReceiveKeysOptions = {}) {
    this.#suite = options.suite ?? CipherSuite.AES_128_GCM_SHA256_128;
    cipherSuiteParams(this.#suite);
    this.#replayWindow = options.replayWindow;
    new SFrameKeyRing(this.#ringOptions()); // validates replayWindow now rather than on the first frame
  }

  /**
   * Stores a secret received from `sender` over Signal. It replaces a derived secret of the same
   * generation (keeping its keys if the bytes agree) and drops unconfirmed derived generations above
   * it, which may descend from an older secret. Generations older than the newest
   * {@link RECEIVE_GENERATION_WINDOW} explicit or confirmed ones are forgotten.
   */
  addKey(sender: number, generation: bigint, secret: Uint8Array): void {
    checkParticipant(sender);
    if (typeof generation !== 'bigint' || generation < 0n || generation > MAX_KEY_GENERATION) {
      throw new SFrameError('invalid-argument', `key generation ${String(generation)} is outside [0, ${MAX_KEY_GENERATION}]`);
    }
    if (secret.length !== SENDER_SECRET_LENGTH) throw new SFrameError('invalid-argument', `sender secret must be ${SENDER_SECRET_LENGTH} bytes, got ${secret.length}`);

    let state = this.#senders.get(sender);
    if (state === undefined) {
      state = { index: sender, generations: new Map(), rings: new Map() };
      this.#senders.set(sender, state);
    }
    const held = state.generations.get(generation);
    if (held?.resolved !== undefined && constantTimeEqual(held.resolved, secret)) {
      // The same secret again, or the one we derived: keep its keys and replay windows.
      held.origin = 'explicit';
      held.trusted = true;
    } else {
      if (held !== undefined) this.#drop(state, generation);
      const copy = secret.slice();
      state.generations.set(generation, { secret: Promise.resolve(copy), origin: 'explicit', trusted: true, resolved: copy, trackKeys: new Map() });
    }
    for (const [g, entry] of state.generations) {
      if (g > generation && !entry.trusted) this.#drop(state, g);
    }
    this.#evict(state);
  }

  /** Forgets everything about a participant who left: their keys, rings and counters. */
  forget(sender: number): void {
    this.#senders.delete(sender);
    this.#stats.delete(sender);
  }

  /** The participants whose keys are held. */
  get senders(): number[] {
    return [...this.#senders.keys()];
  }

  /** The generations held for `sender`, oldest first, with where each came from and whether a frame confirmed it. */
  generationsOf(sender: number): { generation: bigint; origin: SenderSecretOrigin; trusted: boolean }[] {
    const state = this.#senders.get(sender);
    if (state === undefined) return [];
    return [...state.generations]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([generation, e]) => ({ generation, origin: e.origin, trusted: e.trusted }));
  }

  /**
   * The decryption key for a frame's KID: derived from the held secret of that sender and generation,
   * or after ratcheting forward (≤ {@link MAX_RATCHET_AHEAD} steps) from the nearest lower one held.
   * `undefined` for an unknown sender, a generation already forgotten, or one too far ahead.
   */
  async keyFor(kid: bigint): Promise<SFrameKey | undefined> {
    const { sender, track, generation } = parseKeyId(kid);
    const state = this.#senders.get(sender);
    const entry = state && this.#generation(state, generation);
    if (entry === undefined) return undefined;
    try {
      return await this.#trackKey(entry, { sender, track, generation });
    } catch {
      return undefined;
    }
  }

  /**
   * Decrypts one received frame of any participant: reads the KID, makes sure the (sender, track)
   * ring holds its key, and decrypts as {@link decryptFrame} does. Never throws; every result is
   * counted for the sender the KID names (or `source.from`).
   */
  async decrypt(codec: MediaCodec, data: Uint8Array, source: GroupFrameSource = {}): Promise<SFrameResult<DecryptedMediaFrame>> {
    const { from, track } = source;
    if (data.length === 0) return succeed({ data: new Uint8Array(0) });
    const clear = clearPrefixLength(codec, data);
    if (data.length <= clear) {
      return this.#dropped(from, { code: 'malformed-frame', message: `${codec} frame of ${data.length} bytes has no SFrame ciphertext after its ${clear}-byte clear prefix` });
    }
    const header = decodeHeader(data.subarray(clear));
    if (!header.ok) return this.#dropped(from, header.failure);
    const { kid, ctr } = header.value;
    const where = { kid, ctr };
    const id = parseKeyId(kid);
    if (from !== undefined && id.sender !== from) {
      return this.#dropped(from, { code: 'unknown-key-id', message: `KID ${kid} names sender ${id.sender}, but the frame came on participant ${from}'s stream`, ...where });
    }
    if (track !== undefined && id.track !== track) {
      return this.#dropped(from, { code: 'unknown-key-id', message: `KID ${kid} names track ${id.track}, but the frame came on a stream of track ${track}`, ...where });
    }
    const attributed = from ?? (this.#senders.has(id.sender) ? id.sender : undefined);

    // Keys can change while a derivation is awaited (a key message, a leave): look again once.
    for (let attempt = 0; attempt < 2; attempt++) {
      const state = this.#senders.get(id.sender);
      if (state === undefined) return this.#dropped(attributed, { code: 'unknown-key-id', message: `no keys for sender ${id.sender} (KID ${kid})`, ...where });
      const entry = this.#generation(state, id.generation);
      if (entry === undefined) {
        return this.#dropped(attributed, { code: 'unknown-key-id', message: `no key for generation ${id.generation} of sender ${id.sender} (KID ${kid}): forgotten, or more than ${MAX_RATCHET_AHEAD} ahead`, ...where });
      }
      let key: SFrameKey;
      try {
        key = await this.#trackKey(entry, id);
      } catch (cause) {
        return this.#dropped(attributed, { code: 'crypto-error', message: `key derivation failed: ${cause instanceof Error ? cause.message : String(cause)}`, ...where });
      }
      if (this.#senders.get(id.sender) !== state || state.generations.get(id.generation) !== entry) continue;

      const ring = this.#ring(state, id.track);
      if (!ring.has(kid)) ring.add(key);
      const result = await decryptFrame(ring, codec, data);
      // A participant forgotten meanwhile gets no counters back.
      const current = this.#senders.get(id.sender) === state;
      // The sender's byte-identical retransmission of a frame it already delivered is no failure of theirs.
      if (!result.ok && result.failure.code === 'retransmitted-frame') return result;
      if (!result.ok) return this.#dropped(current ? attributed : from, result.failure);
      if (!current) return result;
      if (!entry.trusted && state.generations.get(id.generation) === entry) {
        entry.trusted = true;
        this.#evict(state);
      }
      const stats = this.#count(id.sender);
      stats.decrypted++;
      stats.consecutiveDropped = 0;
      return result;
    }
    return this.#dropped(attributed, { code: 'unknown-key-id', message: `the keys of sender ${id.sender} changed while KID ${kid} was being derived`, ...where });
  }

  /** Frame counts of one participant, if any frame was attributed to them since they were last forgotten. */
  statsOf(sender: number): SenderFrameStats | undefined {
    const stats = this.#stats.get(sender);
    return stats && { ...stats };
  }

  /** Dropped frames that named no known sender and came with no `from`: forged, or from before any key. */
  get unattributedDropped(): number {
    return this.#unattributedDropped;
  }

  #generation(state: RemoteSender, generation: bigint): Generation | undefined {
    const held = state.generations.get(generation);
    if (held !== undefined) return held;
    let base: bigint | undefined;
    let newestTrusted: bigint | undefined;
    for (const [g, entry] of state.generations) {
      if (g < generation && (base === undefined || g > base)) base = g;
      if (entry.trusted && (newestTrusted === undefined || g > newestTrusted)) newestTrusted = g;
    }
    if (base === undefined || newestTrusted === undefined) return undefined;
    if (generation - base > BigInt(MAX_RATCHET_AHEAD) || generation - newestTrusted > BigInt(MAX_RATCHET_AHEAD)) return undefined;

    // Entries for every step go in now, so concurrent frames share one chain of derivations.
    let entry = state.generations.get(base)!;
    for (let g = base + 1n; g <= generation; g++) {
      const derived: Generation = { secret: entry.secret.then(ratchetSenderSecret), origin: 'derived', trusted: false, trackKeys: new Map() };
      derived.secret.then(
        (bytes) => (derived.resolved = bytes),
        () => undefined,
      );
      state.generations.set(g, derived);
      entry = derived;
    }
    return entry;
  }

  #trackKey(entry: Generation, id: { sender: number; track: number; generation: bigint }): Promise<SFrameKey> {
    let key = entry.trackKeys.get(id.track);
    if (key === undefined) {
      key = entry.secret.then((secret) => deriveTrackKey(this.#suite, secret, id, 'decrypt'));
      key.catch(() => undefined);
      entry.trackKeys.set(id.track, key);
    }
    return key;
  }

  #ring(state: RemoteSender, track: number): SFrameKeyRing {
    let ring = state.rings.get(track);
    if (ring === undefined) {
      ring = new SFrameKeyRing(this.#ringOptions());
      state.rings.set(track, ring);
    }
    return ring;
  }

  #ringOptions() {
    return { capacity: RING_CAPACITY, ...(this.#replayWindow !== undefined && { replayWindow: this.#replayWindow }) };
  }

  /** Keeps the newest RECEIVE_GENERATION_WINDOW trusted generations and anything newer than the oldest of them. */
  #evict(state: RemoteSender): void {
    const trusted = [...state.generations].filter(([, e]) => e.trusted).map(([g]) => g).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
    const cutoff = trusted[Math.min(trusted.length, RECEIVE_GENERATION_WINDOW) - 1];
    if (cutoff === undefined) return;
    for (const g of [...state.generations.keys()]) if (g < cutoff) this.#drop(state, g);
  }

  #drop(state: RemoteSender, generation: bigint): void {
    state.generations.delete(generation);
    for (const [track, ring] of state.rings) ring.remove(composeKeyId({ generation, sender: state.index, track }));
  }

  #count(sender: number): MutableStats {
    let stats = this.#stats.get(sender);
    if (stats === undefined) {
      stats = { decrypted: 0, dropped: 0, consecutiveDropped: 0 };
      this.#stats.set(sender, stats);
    }
    return stats;
  }

  #dropped<T>(sender: number | undefined, failure: SFrameFailure): SFrameResult<T> {
    if (sender === undefined) {
      this.#unattributedDropped++;
    } else {
      const stats = this.#count(sender);
      stats.dropped++;
      stats.consecutiveDropped++;
      stats.lastFailure = failure.code;
    }
    return { ok: false, failure };
  }
}

/** Decrypts one frame of a group call with `keys` (see {@link GroupReceiveKeys.decrypt}); never throws. */
export function decryptGroupFrame(keys: GroupReceiveKeys, codec: MediaCodec, data: Uint8Array, source?: GroupFrameSource): Promise<SFrameResult<DecryptedMediaFrame>> {
  return keys.decrypt(codec, data, source);
}

function checkParticipant(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index > MAX_SENDER_INDEX) {
    throw new SFrameError('invalid-argument', `participant index ${index} is outside [0, ${MAX_SENDER_INDEX}]`);
  }
}
