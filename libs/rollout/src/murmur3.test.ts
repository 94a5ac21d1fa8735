import { describe, expect, it } from 'vitest';
import { utf8 } from '@parley/bytes';
import { murmur3_x86_32 } from './murmur3.js';

// Published MurmurHash3_x86_32 answers (the reference SMHasher implementation), covering every tail
// length (0–3 bytes after the last block), seeds 0, 1 and 2^32−1, and a multi-byte UTF-8 input.
const KNOWN_ANSWERS: readonly [input: string, seed: number, hash: number][] = [
  ['', 0, 0x00000000],
  ['', 1, 0x514e28b7],
  ['', 0xffffffff, 0x81f16f39],
  ['\0\0\0\0', 0, 0x2362f9de],
  ['a', 0x9747b28c, 0x7fa09ea6],
  ['ab', 0x9747b28c, 0x74875592],
  ['abc', 0, 0xb3dd93fa],
  ['abcd', 0x9747b28c, 0xf0478627],
  ['aaaa', 0x9747b28c, 0x5a97808a],
  ['Hello, world!', 0x9747b28c, 0x24884cba],
  ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ['ππππππππ', 0x9747b28c, 0xd58063c1],
];

describe('murmur3_x86_32', () => {
  it.each(KNOWN_ANSWERS)('hashes %j with seed %i to the reference answer', (input, seed, hash) => {
    expect(murmur3_x86_32(input, seed)).toBe(hash);
  });

  it('hashes a string as its UTF-8 bytes', () => {
    for (const text of ['', 'AB12A:123', 'ππππππππ', 'user-Ω-😀']) {
      expect(murmur3_x86_32(text, 0)).toBe(murmur3_x86_32(utf8(text), 0));
    }
  });

  it('returns an unsigned 32-bit integer', () => {
    for (let i = 0; i < 1_000; i += 1) {
      const hash = murmur3_x86_32(`id-${i}`, 0);
      expect(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff).toBe(true);
    }
  });
});
