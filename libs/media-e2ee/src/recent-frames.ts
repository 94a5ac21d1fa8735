/**
 * What the last few accepted frames of one KID looked like, to tell a retransmission from a replay.
 *
 * Firefox sends some key frames twice, byte for byte, under the same CTR. RFC 9605 asks a receiver
 * never to accept a CTR twice, and that still holds: the copy is dropped, never decrypted. But it
 * is the sender's own retransmission, not an attack or a broken key, so it must not count as a
 * failure. A frame under an accepted CTR with different bytes stays a replay.
 *
 * A fingerprint is the length and two 32-bit hashes of metadata and ciphertext; it only decides how
 * a dropped frame is counted, never whether a frame is decrypted, so it needs no cryptographic strength.
 */

/** How many accepted CTRs per KID are remembered: a retransmission follows its original closely. */
export const RECENT_FRAMES = 8;

/** Fingerprints of the last {@link RECENT_FRAMES} accepted frames of one KID, by CTR. */
export class RecentFrames {
  readonly #byCtr = new Map<bigint, string>();

  /** Remembers the frame accepted under `ctr`, forgetting the oldest beyond {@link RECENT_FRAMES}. */
  remember(ctr: bigint, metadata: Uint8Array, ciphertext: Uint8Array): void {
    this.#byCtr.set(ctr, fingerprint(metadata, ciphertext));
    for (const old of this.#byCtr.keys()) {
      if (this.#byCtr.size <= RECENT_FRAMES) break;
      this.#byCtr.delete(old);
    }
  }

  /** True when the frame accepted under `ctr` had exactly these bytes (as far as remembered). */
  isCopy(ctr: bigint, metadata: Uint8Array, ciphertext: Uint8Array): boolean {
    const seen = this.#byCtr.get(ctr);
    return seen !== undefined && seen === fingerprint(metadata, ciphertext);
  }
}

function fingerprint(metadata: Uint8Array, ciphertext: Uint8Array): string {
  let fnv = 0x811c9dc5;
  let mix = 0x9e3779b9;
  for (const part of [metadata, ciphertext]) {
    for (let i = 0; i < part.length; i++) {
      const byte = part[i]!;
      fnv = Math.imul(fnv ^ byte, 0x01000193);
      mix = Math.imul(mix ^ byte, 0x85ebca6b) ^ (mix >>> 13);
    }
    fnv = Math.imul(fnv ^ 0xff, 0x01000193); // the boundary between metadata and ciphertext counts
  }
  return `${metadata.length}:${ciphertext.length}:${(fnv >>> 0).toString(16)}:${(mix >>> 0).toString(16)}`;
}
