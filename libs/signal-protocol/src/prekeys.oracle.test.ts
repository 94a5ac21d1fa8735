import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { IdentityKeyPair } from './keys.js';
import { createPreKeyBundle, generateKyberPreKey, generatePreKeys, generateSignedPreKey, KyberPreKeyRecord, PreKeyRecord, SignedPreKeyRecord } from './prekeys.js';
import { EcPublicKey, KemPublicKey } from './public-keys.js';
import { buf, libsignal, OracleStores } from './testing/libsignal-oracle.js';
import { verifySignature } from './xeddsa-verify.js';

// Oracle: libsignal-client's record classes and its session builder (processPreKeyBundle), which
// checks both bundle signatures before it starts a session.

const toTheirs = {
  ec: (k: EcPublicKey) => libsignal.PublicKey.deserialize(buf(k.serialize())),
  kem: (k: KemPublicKey) => libsignal.KEMPublicKey.deserialize(buf(k.serialize())),
};

async function ourDevice() {
  const identity = await IdentityKeyPair.generate();
  const [preKey] = await generatePreKeys(31, 1);
  const signedPreKey = await generateSignedPreKey(identity, 7, 1_700_000_000_000);
  const kyberPreKey = await generateKyberPreKey(identity, 9, 1_700_000_000_000);
  return { identity, preKey: preKey!, signedPreKey, kyberPreKey };
}

function theirBundle(b: ReturnType<typeof createPreKeyBundle>, overrides: { signedPreKeySignature?: Uint8Array; kyberPreKeySignature?: Uint8Array } = {}) {
  return libsignal.PreKeyBundle.new(
    b.registrationId,
    b.deviceId,
    b.preKeyId ?? null,
    b.preKeyPublic ? toTheirs.ec(b.preKeyPublic) : null,
    b.signedPreKeyId,
    toTheirs.ec(b.signedPreKeyPublic),
    buf(overrides.signedPreKeySignature ?? b.signedPreKeySignature),
    toTheirs.ec(b.identityKey),
    b.kyberPreKeyId,
    toTheirs.kem(b.kyberPreKeyPublic),
    buf(overrides.kyberPreKeySignature ?? b.kyberPreKeySignature),
  );
}

const bob = libsignal.ProtocolAddress.new('bob', 1);
const alice = libsignal.ProtocolAddress.new('alice', 1);

describe('prekeys against libsignal-client', () => {
  it('20 bundles we build are accepted by libsignal’s processPreKeyBundle', async () => {
    let accepted = 0;
    for (let i = 0; i < 20; i++) {
      const d = await ourDevice();
      const bundle = createPreKeyBundle({ registrationId: 1000 + i, deviceId: 1, ...d });
      const stores = OracleStores.create(1);
      await libsignal.processPreKeyBundle(theirBundle(bundle), bob, alice, stores.session, stores.identity);
      if (stores.sessions.has(bob.toString())) accepted++;
    }
    expect(accepted).toBe(20);
  });

  it('libsignal rejects our bundle when either signature has a flipped bit, as we do', async () => {
    const d = await ourDevice();
    const bundle = createPreKeyBundle({ registrationId: 1, deviceId: 1, ...d });
    for (const field of ['signedPreKeySignature', 'kyberPreKeySignature'] as const) {
      const sig = Uint8Array.from(bundle[field]);
      sig[17]! ^= 0x10;
      const stores = OracleStores.create(1);
      await expect(libsignal.processPreKeyBundle(theirBundle(bundle, { [field]: sig }), bob, alice, stores.session, stores.identity)).rejects.toThrow(
        /signature/i,
      );
    }
  });

  it('we accept libsignal-made prekey signatures (EC and Kyber)', () => {
    const identity = libsignal.IdentityKeyPair.generate();
    const spk = libsignal.PrivateKey.generate();
    const kyber = libsignal.KEMKeyPair.generate();
    const ourIdentity = EcPublicKey.deserialize(identity.publicKey.serialize());
    expect(verifySignature(ourIdentity, spk.getPublicKey().serialize(), identity.privateKey.sign(spk.getPublicKey().serialize()))).toBe(true);
    expect(verifySignature(ourIdentity, kyber.getPublicKey().serialize(), identity.privateKey.sign(kyber.getPublicKey().serialize()))).toBe(true);
    expect(KemPublicKey.deserialize(kyber.getPublicKey().serialize()).serialize().length).toBe(1569);
  });

  it('our records are byte-identical to libsignal’s for the same keys, and each reads the other’s', async () => {
    const d = await ourDevice();
    const ecPub = (r: PreKeyRecord | SignedPreKeyRecord) => toTheirs.ec(r.keyPair.publicKey);
    const ecPriv = (r: PreKeyRecord | SignedPreKeyRecord) => libsignal.PrivateKey.deserialize(buf(r.keyPair.privateKey.serialize()));

    const pre = libsignal.PreKeyRecord.new(d.preKey.id, ecPub(d.preKey), ecPriv(d.preKey));
    expect(toHex(pre.serialize())).toBe(toHex(d.preKey.serialize()));
    expect(libsignal.PreKeyRecord.deserialize(buf(d.preKey.serialize())).id()).toBe(31);

    const spk = libsignal.SignedPreKeyRecord.new(d.signedPreKey.id, d.signedPreKey.timestamp, ecPub(d.signedPreKey), ecPriv(d.signedPreKey), buf(d.signedPreKey.signature));
    expect(toHex(spk.serialize())).toBe(toHex(d.signedPreKey.serialize()));

    const kemPair = libsignal.KyberPreKeyRecord.deserialize(buf(d.kyberPreKey.serialize()));
    expect([kemPair.id(), kemPair.timestamp(), toHex(kemPair.secretKey().serialize())]).toEqual([9, 1_700_000_000_000, toHex(d.kyberPreKey.keyPair.secretKey.serialize())]);
    const kpk = libsignal.KyberPreKeyRecord.new(9, 1_700_000_000_000, kemPair.keyPair(), buf(d.kyberPreKey.signature));
    expect(toHex(kpk.serialize())).toBe(toHex(d.kyberPreKey.serialize()));

    const theirs = libsignal.SignedPreKeyRecord.deserialize(spk.serialize());
    const back = SignedPreKeyRecord.deserialize(theirs.serialize());
    expect(back.keyPair.equals(d.signedPreKey.keyPair)).toBe(true);
    expect(KyberPreKeyRecord.deserialize(kpk.serialize()).keyPair.publicKey.equals(d.kyberPreKey.keyPair.publicKey)).toBe(true);
  });
});
