import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes, numberToBytesLE } from '@noble/curves/utils.js';
import { describe, expect, it, vi } from 'vitest';
import { ed25519Verifier, hasCanonicalScalar, isAcceptablePublicKey } from './ed25519-verify.js';

// The oracle is @noble/curves in strict RFC 8032 mode (what the manifest check used before), and
// RFC 8032 §7.1's vectors. Each case runs on Node's WebCrypto and on the fallback path.
const oracle = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
};

const notSupported = () => Promise.reject(new DOMException('Ed25519 is not supported', 'NotSupportedError'));
const paths = {
  webCrypto: () => ed25519Verifier(globalThis.crypto.subtle),
  'no WebCrypto (noble fallback)': () => ed25519Verifier(null),
  'WebCrypto without Ed25519 (noble fallback)': () => ed25519Verifier({ importKey: notSupported } as unknown as SubtleCrypto),
};

const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

// RFC 8032 §7.1, tests 1–3.
const RFC8032 = [
  {
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
].map((vector) => ({ publicKey: hexToBytes(vector.publicKey), message: hexToBytes(vector.message), signature: hexToBytes(vector.signature) }));

/** Every encoding of a point of order 1, 2, 4 or 8 with y < p: both signs of x for each y. */
const SMALL_ORDER_KEYS = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
].map(hexToBytes);

function signed(seed: number, length = 40) {
  const secret = new Uint8Array(32).fill(seed);
  const message = Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
  return { publicKey: ed25519.getPublicKey(secret), message, signature: ed25519.sign(message, secret) };
}

describe.each(Object.entries(paths))('verifyEd25519 on %s', (_name, makeVerifier) => {
  it('verifies RFC 8032 §7.1 tests 1–3, and refuses each with a changed message', async () => {
    const verify = makeVerifier();
    for (const { publicKey, message, signature } of RFC8032) {
      expect(oracle(signature, message, publicKey)).toBe(true);
      expect(await verify(signature, message, publicKey)).toBe(true);
      const other = Uint8Array.from([...message, 0]);
      expect(await verify(signature, other, publicKey)).toBe(false);
    }
  });

  it('agrees with the oracle on every one-bit change of signature, message and key', async () => {
    const verify = makeVerifier();
    const { publicKey, message, signature } = signed(7, 12);
    for (const [name, bytes] of [['signature', signature], ['message', message], ['key', publicKey]] as const) {
      for (let bit = 0; bit < bytes.length * 8; bit += 1) {
        const changed = Uint8Array.from(bytes);
        changed[bit >> 3]! ^= 1 << (bit & 7);
        const args = { signature, message, publicKey, [name === 'key' ? 'publicKey' : name]: changed };
        const expected = oracle(args.signature, args.message, args.publicKey);
        expect(await verify(args.signature, args.message, args.publicKey), `${name} bit ${bit}`).toBe(expected);
        expect(expected).toBe(false);
      }
    }
    // ~900 verifications each side: pure-JS ones take a few ms each on a slow CI machine.
  }, 60_000);

  it('refuses the malleated signature S + L that some implementations accept', async () => {
    const verify = makeVerifier();
    const { publicKey, message, signature } = signed(3);
    const s = BigInt(`0x${bytesToHex(signature.slice(32).reverse())}`);
    const malleated = Uint8Array.from([...signature.subarray(0, 32), ...numberToBytesLE(s + L, 32)]);
    expect(await verify(signature, message, publicKey)).toBe(true);
    expect(oracle(malleated, message, publicKey)).toBe(false);
    expect(await verify(malleated, message, publicKey)).toBe(false);
  });

  it('refuses every small-order key, even with the trivial signature that "verifies" any message under a cofactored check', async () => {
    const verify = makeVerifier();
    const message = new TextEncoder().encode('{"remotes":{}}');
    for (const key of SMALL_ORDER_KEYS) {
      // The list is exactly the small-order points: the oracle decodes each and agrees.
      expect(ed25519.Point.fromBytes(key).isSmallOrder(), bytesToHex(key)).toBe(true);
      const trivial = Uint8Array.from([...key, ...new Uint8Array(32)]);
      expect(await verify(trivial, message, key), bytesToHex(key)).toBe(false);
    }
  });

  it('refuses keys that are not a canonical encoding of a curve point, and signatures of the wrong length', async () => {
    const verify = makeVerifier();
    const { publicKey, message, signature } = signed(5);
    // y = p + 1 encodes the identity's y non-canonically; y = 2^255 − 1 is past p altogether.
    for (const y of [P + 1n, (1n << 255n) - 1n]) expect(await verify(signature, message, numberToBytesLE(y, 32))).toBe(false);
    // A y with no x on the curve.
    let y = 2n;
    while (isOnCurve(y)) y += 1n;
    expect(await verify(signature, message, numberToBytesLE(y, 32))).toBe(false);
    expect(await verify(signature.subarray(0, 63), message, publicKey)).toBe(false);
    expect(await verify(signature, message, publicKey.subarray(0, 31))).toBe(false);
  });
});

function isOnCurve(y: bigint): boolean {
  try {
    ed25519.Point.fromBytes(numberToBytesLE(y, 32));
    return true;
  } catch {
    return false;
  }
}

describe('the strict checks made before any platform code runs', () => {
  it('match the oracle on which keys and scalars are acceptable', () => {
    const { publicKey, signature } = signed(9);
    expect(isAcceptablePublicKey(publicKey)).toBe(true);
    for (const key of SMALL_ORDER_KEYS) expect(isAcceptablePublicKey(key)).toBe(false);
    expect(hasCanonicalScalar(signature)).toBe(true);
    expect(hasCanonicalScalar(Uint8Array.from([...signature.subarray(0, 32), ...numberToBytesLE(L, 32)]))).toBe(false);
    expect(hasCanonicalScalar(Uint8Array.from([...signature.subarray(0, 32), ...numberToBytesLE(L - 1n, 32)]))).toBe(true);
  });

  it('asks a platform without Ed25519 once, then goes straight to the fallback', async () => {
    const importKey = vi.fn(notSupported);
    const verify = ed25519Verifier({ importKey } as unknown as SubtleCrypto);
    const { publicKey, message, signature } = signed(11);
    expect(await verify(signature, message, publicKey)).toBe(true);
    expect(await verify(signature, message, publicKey)).toBe(true);
    expect(importKey).toHaveBeenCalledTimes(1);
  });
});
