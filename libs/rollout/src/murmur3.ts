/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby, public domain), the hash every Unleash SDK uses
 * for sticky bucketing. Strings are hashed as their UTF-8 bytes so Node, browsers and the Go/Java
 * SDKs agree for any input, not only ASCII.
 */

import { utf8 } from '@parley/bytes';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** MurmurHash3 x86_32 of `input` (UTF-8 when a string) with a 32-bit seed; an unsigned 32-bit result. */
export function murmur3_x86_32(input: Uint8Array | string, seed: number): number {
  const bytes = typeof input === 'string' ? utf8(input) : input;
  const length = bytes.length;
  const blockEnd = length - (length & 3);
  let h = seed >>> 0;

  for (let i = 0; i < blockEnd; i += 4) {
    let k = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }

  // Tail: the 1–3 bytes after the last full block, mixed in without the h rotation.
  let k = 0;
  switch (length & 3) {
    case 3:
      k ^= bytes[blockEnd + 2]! << 16;
    // falls through
    case 2:
      k ^= bytes[blockEnd + 1]! << 8;
    // falls through
    case 1:
      k ^= bytes[blockEnd]!;
      k = Math.imul(k, C1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, C2);
      h ^= k;
  }

  // Finalization: length, then fmix32 so every input bit affects every output bit.
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
