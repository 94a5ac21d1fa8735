import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '@parley/bytes';
import { deriveMessageKeys, messageKeySeed, nextChainKey } from './ratchet.js';
import { vectors } from './testing/vectors.js';

const v = vectors.chain_key_derivation;

describe('Double Ratchet chain keys', () => {
  it('reproduces libsignal test_chain_key_derivation (message keys without SPQR salt, next chain key)', () => {
    const chainKey = { key: fromHex(v.chain_key), index: 0 };
    const keys = deriveMessageKeys(messageKeySeed(chainKey), chainKey.index);
    expect(toHex(keys.cipherKey)).toBe(v.cipher_key);
    expect(toHex(keys.macKey)).toBe(v.mac_key);
    expect(keys.counter).toBe(0);
    const next = nextChainKey(chainKey);
    expect(toHex(next.key)).toBe(v.next_chain_key);
    expect(next.index).toBe(1);
  });

  it('a post-quantum salt changes every derived key', () => {
    const seed = messageKeySeed({ key: fromHex(v.chain_key), index: 0 });
    const salted = deriveMessageKeys(seed, 0, new Uint8Array(32).fill(7));
    expect(toHex(salted.cipherKey)).not.toBe(v.cipher_key);
    expect(toHex(salted.macKey)).not.toBe(v.mac_key);
  });
});
