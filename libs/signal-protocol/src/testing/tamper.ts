import { isSignalProtocolError } from '../errors.js';
import type { CiphertextMessage } from '../wire.js';

/**
 * Flips each bit of `message` in turn, hands every altered copy to `decrypt` and returns how many
 * were refused with this library's typed error (a test expects all of them to be).
 */
export async function typedRefusalsOfEachFlippedBit(message: CiphertextMessage, decrypt: (altered: CiphertextMessage) => Promise<unknown>): Promise<number> {
  let rejected = 0;
  for (let bit = 0; bit < message.serialized.length * 8; bit++) {
    const bad = Uint8Array.from(message.serialized);
    bad[bit >> 3]! ^= 1 << (bit & 7);
    try {
      await decrypt({ type: message.type, serialized: bad });
    } catch (e) {
      if (isSignalProtocolError(e)) rejected++;
    }
  }
  return rejected;
}
