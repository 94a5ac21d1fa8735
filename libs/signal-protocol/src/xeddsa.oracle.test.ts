import { describe, expect, it } from 'vitest';
import { randomBytes, randomUint32 } from './bytes.js';
import { EcKeyPair } from './keys.js';
import { EcPublicKey } from './public-keys.js';
import { buf, libsignal } from './testing/libsignal-oracle.js';
import { verifySignature, verifySignatureAsync } from './xeddsa.js';
import { setWebCryptoEd25519ForTesting, verifyCanonicalSignatureAsync } from './xeddsa-verify.js';

// Oracle: libsignal-client 0.103's PrivateKey.sign / PublicKey.verify. Signatures are randomized
// on both sides, so the comparison is "each verifies the other's", not byte equality.

const N = 100;
const flipRandomBit = (signature: Uint8Array): Uint8Array => {
  const out = Uint8Array.from(signature);
  const bit = randomUint32() % 512;
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
};

/**
 * The same signature with ℓ added to s: below 2^253, so libsignal's range check passes, but not a
 * scalar honest XEdDSA produces (it reduces s mod ℓ) nor one strict Ed25519 accepts.
 */
function withScalarPlusOrder(signature: Uint8Array): Uint8Array {
  const s = signature.slice(32);
  let carry = 0;
  const l = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, ...new Array(15).fill(0), 0x10];
  const sign = s[31]! & 0x80;
  s[31]! &= 0x7f;
  for (let j = 0; j < 32; j++) {
    const v = s[j]! + l[j]! + carry;
    s[j] = v & 0xff;
    carry = v >> 8;
  }
  s[31]! |= sign;
  return Uint8Array.from([...signature.subarray(0, 32), ...s]);
}

describe('signatures against libsignal-client', () => {
  it(`libsignal verifies ours: ${N} random keys and messages; a flipped bit is rejected by both`, async () => {
    let accepted = 0;
    let flippedRejectedByBoth = 0;
    for (let i = 0; i < N; i++) {
      const keyPair = await EcKeyPair.generate();
      const message = randomBytes(1 + (randomUint32() % 200));
      const signature = keyPair.sign(message);
      const theirKey = libsignal.PublicKey.deserialize(buf(keyPair.publicKey.serialize()));
      if (theirKey.verify(buf(message), buf(signature))) accepted++;
      const flipped = flipRandomBit(signature);
      if (!theirKey.verify(buf(message), buf(flipped)) && !verifySignature(keyPair.publicKey, message, flipped)) flippedRejectedByBoth++;
    }
    expect([accepted, flippedRejectedByBoth]).toEqual([N, N]);
  });

  it(`we verify libsignal's: ${N} random keys and messages; a flipped bit is rejected by both`, () => {
    let accepted = 0;
    let flippedRejectedByBoth = 0;
    for (let i = 0; i < N; i++) {
      const privateKey = libsignal.PrivateKey.generate();
      const message = randomBytes(1 + (randomUint32() % 200));
      const signature = privateKey.sign(buf(message));
      const ourKey = EcPublicKey.deserialize(privateKey.getPublicKey().serialize());
      if (verifySignature(ourKey, message, signature)) accepted++;
      const flipped = flipRandomBit(signature);
      if (!verifySignature(ourKey, message, flipped) && !privateKey.getPublicKey().verify(buf(message), buf(flipped))) flippedRejectedByBoth++;
    }
    expect([accepted, flippedRejectedByBoth]).toEqual([N, N]);
  });

  it('every one of the 512 single-bit flips: rejected by libsignal for ours, by us for libsignal’s', async () => {
    const keyPair = await EcKeyPair.generate();
    const message = randomBytes(33);
    const ours = keyPair.sign(message);
    const theirKey = libsignal.PrivateKey.generate();
    const theirs = theirKey.sign(buf(message));
    const ourPublicInTheirs = libsignal.PublicKey.deserialize(buf(keyPair.publicKey.serialize()));
    const theirPublicInOurs = EcPublicKey.deserialize(theirKey.getPublicKey().serialize());
    let rejected = 0;
    for (let bit = 0; bit < 512; bit++) {
      const a = Uint8Array.from(ours);
      a[bit >> 3]! ^= 1 << (bit & 7);
      const b = Uint8Array.from(theirs);
      b[bit >> 3]! ^= 1 << (bit & 7);
      if (!ourPublicInTheirs.verify(buf(message), buf(a)) && !verifySignature(theirPublicInOurs, message, b)) rejected++;
    }
    expect(rejected).toBe(512);
  });

  it.each([
    ['WebCrypto Ed25519', undefined],
    ['pure JS', false],
  ] as const)('async verification (%s) agrees with libsignal on 100 valid, 100 flipped, 100 random and 100 high-s signatures', async (_name, webCrypto) => {
    setWebCryptoEd25519ForTesting(webCrypto);
    try {
      const privateKey = libsignal.PrivateKey.generate();
      const ourKey = EcPublicKey.deserialize(privateKey.getPublicKey().serialize());
      let agreed = 0;
      for (let i = 0; i < 100; i++) {
        const message = randomBytes(20 + i);
        const signature = privateKey.sign(buf(message));
        const highS = withScalarPlusOrder(signature);
        for (const candidate of [signature, flipRandomBit(signature), randomBytes(64), highS]) {
          const theirs = privateKey.getPublicKey().verify(buf(message), buf(candidate));
          if ((await verifySignatureAsync(ourKey, message, candidate)) === theirs && verifySignature(ourKey, message, candidate) === theirs) agreed++;
        }
      }
      expect(agreed).toBe(400);
    } finally {
      setWebCryptoEd25519ForTesting(undefined);
    }
  });

  it('the server\'s canonical check accepts every libsignal signature and refuses s ≥ ℓ, which the general verifier checks on its slow path', async () => {
    const privateKey = libsignal.PrivateKey.generate();
    const ourKey = EcPublicKey.deserialize(privateKey.getPublicKey().serialize());
    const outcomes = { honest: 0, highSByGeneral: 0, highSByCanonical: 0 };
    for (let i = 0; i < 50; i++) {
      const message = randomBytes(33 + i);
      const signature = privateKey.sign(buf(message));
      if (await verifyCanonicalSignatureAsync(ourKey, message, signature)) outcomes.honest++;
      const highS = withScalarPlusOrder(signature);
      if (await verifySignatureAsync(ourKey, message, highS)) outcomes.highSByGeneral++;
      if (await verifyCanonicalSignatureAsync(ourKey, message, highS)) outcomes.highSByCanonical++;
    }
    expect(outcomes).toEqual({ honest: 50, highSByGeneral: 50, highSByCanonical: 0 });
  });
});
