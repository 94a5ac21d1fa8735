import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { randomBytes } from './bytes.js';
import { EcKeyPair, EcPrivateKey, IdentityKeyPair } from './keys.js';
import { EcPublicKey } from './public-keys.js';
import { buf, libsignal } from './testing/libsignal-oracle.js';
import { setWebCryptoX25519ForTesting } from './x25519.js';

// Oracle: libsignal-client's PrivateKey.agree, key (de)serialization and IdentityKeyPair format.

describe.each([
  ['WebCrypto', undefined],
  ['@noble/curves', false],
] as const)('X25519 agreement against libsignal-client (%s)', (_name, webCrypto) => {
  afterEach(() => setWebCryptoX25519ForTesting(undefined));

  it('50 random pairs: our agreement equals libsignal’s in both directions', async () => {
    setWebCryptoX25519ForTesting(webCrypto);
    let equal = 0;
    for (let i = 0; i < 50; i++) {
      const ours = await EcKeyPair.generate();
      const theirs = libsignal.PrivateKey.generate();
      const theirPublic = EcPublicKey.deserialize(theirs.getPublicKey().serialize());
      const a = await ours.agree(theirPublic);
      const b = theirs.agree(libsignal.PublicKey.deserialize(buf(ours.publicKey.serialize())));
      if (toHex(a) === toHex(b)) equal++;
    }
    expect(equal).toBe(50);
  });
});

describe('key formats against libsignal-client', () => {
  it('50 random (unclamped) private keys: both clamp alike and derive the same public key', () => {
    let equal = 0;
    for (let i = 0; i < 50; i++) {
      const raw = randomBytes(32);
      const ours = EcKeyPair.fromPrivateKey(EcPrivateKey.deserialize(raw));
      const theirs = libsignal.PrivateKey.deserialize(buf(raw));
      if (toHex(ours.privateKey.serialize()) === toHex(theirs.serialize()) && toHex(ours.publicKey.serialize()) === toHex(theirs.getPublicKey().serialize())) {
        equal++;
      }
    }
    expect(equal).toBe(50);
  });

  it('our serialized public keys are accepted by libsignal’s deserializer, and the reverse', async () => {
    const ours = await EcKeyPair.generate();
    const theirs = libsignal.PublicKey.deserialize(buf(ours.publicKey.serialize()));
    expect(toHex(theirs.getPublicKeyBytes())).toBe(toHex(ours.publicKey.publicKeyBytes()));
    const back = EcPublicKey.deserialize(libsignal.PrivateKey.generate().getPublicKey().serialize());
    expect(back.serialize()[0]).toBe(0x05);
  });

  it('IdentityKeyPair.serialize is byte-identical to libsignal’s and each reads the other’s', async () => {
    const ours = await IdentityKeyPair.generate();
    const theirs = new libsignal.IdentityKeyPair(
      libsignal.PublicKey.deserialize(buf(ours.publicKey.serialize())),
      libsignal.PrivateKey.deserialize(buf(ours.privateKey.serialize())),
    );
    expect(toHex(theirs.serialize())).toBe(toHex(ours.serialize()));
    const fromTheirs = IdentityKeyPair.deserialize(libsignal.IdentityKeyPair.generate().serialize());
    expect(fromTheirs.publicKey.serialize().length).toBe(33);
    expect(toHex(libsignal.IdentityKeyPair.deserialize(buf(ours.serialize())).serialize())).toBe(toHex(ours.serialize()));
  });

  it('both reject low-order peer keys in agreement', async () => {
    const zero = new Uint8Array(33);
    zero[0] = 5;
    expect(() => libsignal.PrivateKey.generate().agree(libsignal.PublicKey.deserialize(buf(zero)))).toThrow();
    await expect((await EcKeyPair.generate()).agree(EcPublicKey.deserialize(zero))).rejects.toThrow(/low-order/);
  });
});
