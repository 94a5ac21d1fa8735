import { SFrameError } from './errors.js';

/** How a CTR relates to what a {@link ReplayWindow} has accepted. */
export type ReplayVerdict = 'fresh' | 'replayed' | 'stale';

/** Default window: 128 frames, about 2.5 s of Opus at 20 ms or 4 s of 30 fps video. */
export const DEFAULT_REPLAY_WINDOW = 128;

/** Throws `invalid-argument` unless `size` is a whole number of frames in [1, 4096]. */
export function checkReplayWindowSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 1 || size > 4096) throw new SFrameError('invalid-argument', `replay window size ${size} is outside [1, 4096]`);
}

/**
 * Anti-replay for one KID, after RFC 3711 §3.3.2 with the SFrame CTR as the index: remembers the
 * highest CTR accepted and which of the `size` CTRs below it were accepted. A CTR above the highest
 * is fresh; one inside the window is fresh unless already seen; one below the window is stale.
 *
 * Media wants this rather than strict ordering: encoded frames reach the receive transform nearly in
 * order, but gaps are normal (an SFU drops a simulcast layer, packets are lost), and a frame that
 * arrives seconds late is useless to the decoder anyway.
 */
export class ReplayWindow {
  readonly #size: bigint;
  readonly #mask: bigint;
  #highest = -1n;
  /** Bit i set: CTR `highest − i` was accepted. */
  #seen = 0n;

  constructor(size: number = DEFAULT_REPLAY_WINDOW) {
    checkReplayWindowSize(size);
    this.#size = BigInt(size);
    this.#mask = (1n << this.#size) - 1n;
  }

  /** Classifies `ctr` without recording it (cheap pre-check before decrypting). */
  check(ctr: bigint): ReplayVerdict {
    if (ctr > this.#highest) return 'fresh';
    const age = this.#highest - ctr;
    if (age >= this.#size) return 'stale';
    return (this.#seen >> age) & 1n ? 'replayed' : 'fresh';
  }

  /**
   * Records `ctr` as accepted, re-checking first: decryptions run concurrently, so two copies of one
   * frame can both pass {@link check}; only the first to commit wins. Call only after authentication,
   * so forged frames cannot move the window.
   */
  commit(ctr: bigint): ReplayVerdict {
    const verdict = this.check(ctr);
    if (verdict !== 'fresh') return verdict;
    if (ctr > this.#highest) {
      const shift = ctr - this.#highest;
      this.#seen = shift >= this.#size ? 1n : ((this.#seen << shift) | 1n) & this.#mask;
      this.#highest = ctr;
    } else {
      this.#seen |= 1n << (this.#highest - ctr);
    }
    return 'fresh';
  }
}
