import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '@parley/bytes';
import { isSignalProtocolError } from './errors.js';
import { EcKeyPair, EcPrivateKey, IdentityKeyPair } from './keys.js';
import { EcPublicKey } from './public-keys.js';
import { vectors } from './testing/vectors.js';
import { setWebCryptoX25519ForTesting } from './x25519.js';

const v = vectors.x25519_agreement;

describe.each([
  ['WebCrypto', undefined],
  ['@noble/curves', false],
] as const)('X25519 keys (%s)', (_name, webCrypto) => {
  afterEach(() => setWebCryptoX25519ForTesting(undefined));

  it('derives libsignal test_agreement public keys and shared secret', async () => {
    setWebCryptoX25519ForTesting(webCrypto);
    const alice = EcKeyPair.fromPrivateKey(EcPrivateKey.deserialize(fromHex(v.alice_private)));
    const bob = EcKeyPair.fromPrivateKey(EcPrivateKey.deserialize(fromHex(v.bob_private)));
    expect(toHex(alice.publicKey.publicKeyBytes())).toBe(v.alice_public);
    expect(toHex(bob.publicKey.publicKeyBytes())).toBe(v.bob_public);
    expect(toHex(await alice.agree(bob.publicKey))).toBe(v.shared);
    expect(toHex(await bob.agree(alice.publicKey))).toBe(v.shared);
  });

  it('agrees between freshly generated pairs', async () => {
    setWebCryptoX25519ForTesting(webCrypto);
    const a = await EcKeyPair.generate();
    const b = await EcKeyPair.generate();
    expect(toHex(await a.agree(b.publicKey))).toBe(toHex(await b.agree(a.publicKey)));
  });

  it('rejects a low-order peer key (all-zero shared secret) with invalid-key', async () => {
    setWebCryptoX25519ForTesting(webCrypto);
    const a = await EcKeyPair.generate();
    for (const u of [new Uint8Array(32), fromHex('0100000000000000000000000000000000000000000000000000000000000000')]) {
      await expect(a.agree(EcPublicKey.fromPublicKeyBytes(u))).rejects.toSatisfy((e) => isSignalProtocolError(e, 'invalid-key'));
    }
  });
});

describe('key serialization', () => {
  it('EC public keys are 0x05 ‖ 32 bytes and other type bytes are rejected', async () => {
    const { publicKey } = await EcKeyPair.generate();
    const serialized = publicKey.serialize();
    expect(serialized.length).toBe(33);
    expect(serialized[0]).toBe(0x05);
    expect(EcPublicKey.deserialize(serialized).equals(publicKey)).toBe(true);
    const wrongType = Uint8Array.from(serialized);
    wrongType[0] = 0x08;
    expect(() => EcPublicKey.deserialize(wrongType)).toThrow(expect.objectContaining({ code: 'bad-key-type' }));
    expect(() => EcPublicKey.deserialize(serialized.subarray(0, 32))).toThrow(expect.objectContaining({ code: 'bad-key-length' }));
    expect(() => EcPublicKey.deserialize(new Uint8Array())).toThrow(expect.objectContaining({ code: 'bad-key-type' }));
  });

  it('private keys are clamped on the way in, as libsignal does', () => {
    const raw = new Uint8Array(32).fill(0xff);
    const key = EcPrivateKey.deserialize(raw).serialize();
    expect(key[0]).toBe(0xf8);
    expect(key[31]).toBe(0x7f);
  });

  it('identity key pairs round-trip through the IdentityKeyPairStructure protobuf', async () => {
    const identity = await IdentityKeyPair.generate();
    const again = IdentityKeyPair.deserialize(identity.serialize());
    expect(again.keyPair.equals(identity.keyPair)).toBe(true);
  });

  it('never prints private key material', async () => {
    const { privateKey } = await EcKeyPair.generate();
    const hex = toHex(privateKey.serialize());
    expect(String(privateKey)).not.toContain(hex);
    expect(JSON.stringify({ privateKey })).not.toContain(hex);
    const { inspect } = await import('node:util');
    expect(inspect(privateKey)).not.toContain(hex);
    expect(inspect(await IdentityKeyPair.generate(), { depth: 5 })).toContain('redacted');
  });

  it('flags non-canonical keys as libsignal does', () => {
    expect(EcPublicKey.fromPublicKeyBytes(fromHex(v.alice_public)).isCanonical()).toBe(true);
    // high bit set, u ≥ p, and a small-order point
    expect(EcPublicKey.fromPublicKeyBytes(fromHex('1bb75966f2e93a3691dfff942bb2a466a1c08b8d78ca3f4d6df8b8bfa2e4eea8')).isCanonical()).toBe(false);
    expect(EcPublicKey.fromPublicKeyBytes(fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')).isCanonical()).toBe(false);
    expect(EcPublicKey.fromPublicKeyBytes(fromHex('0100000000000000000000000000000000000000000000000000000000000000')).isCanonical()).toBe(false);
  });
});
