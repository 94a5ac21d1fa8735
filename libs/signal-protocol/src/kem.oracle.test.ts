import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, utf8 } from '@parley/bytes';
import { hkdfSha256 } from './kdf.js';
import { kemDecapsulate } from './kem.js';
import { IdentityKeyPair } from './keys.js';
import { ProtoReader } from './protobuf.js';
import { createPreKeyBundle, generateKyberPreKey, generatePreKeys, generateSignedPreKey } from './prekeys.js';
import { EcPublicKey } from './public-keys.js';
import { decodeOracleSessionRecord } from './testing/libsignal-records.js';
import { buf, libsignal, OracleStores } from './testing/libsignal-oracle.js';

// Oracle: libsignal-client has no KEM API in JS, so its encapsulation is reached through session
// setup. libsignal initiates to our bundle; we decapsulate the Kyber ciphertext of its
// PreKeySignalMessage and, from our primitives alone, derive the PQXDH secret. The derived chain
// and SPQR keys can only equal those in libsignal's session record if our Kyber1024 shared secret
// equals the one libsignal's encapsulation produced.

const N = 10;

describe('Kyber1024 decapsulation against libsignal-client', () => {
  it(`${N} sessions libsignal starts to our Kyber prekey: our decapsulated secret yields its keys`, async () => {
    let matched = 0;
    for (let i = 0; i < N; i++) {
      const identity = await IdentityKeyPair.generate();
      const [preKey] = await generatePreKeys(1, 1);
      const signedPreKey = await generateSignedPreKey(identity, 2, 0);
      const kyberPreKey = await generateKyberPreKey(identity, 3, 0);
      const b = createPreKeyBundle({ registrationId: 5, deviceId: 1, identity, signedPreKey, kyberPreKey, preKey });
      const alice = OracleStores.create(6);
      const bobAddress = libsignal.ProtocolAddress.new('bob', 1);
      await libsignal.processPreKeyBundle(
        libsignal.PreKeyBundle.new(5, 1, 1, libsignal.PublicKey.deserialize(buf(preKey!.keyPair.publicKey.serialize())), 2,
          libsignal.PublicKey.deserialize(buf(b.signedPreKeyPublic.serialize())), buf(b.signedPreKeySignature),
          libsignal.PublicKey.deserialize(buf(b.identityKey.serialize())), 3,
          libsignal.KEMPublicKey.deserialize(buf(b.kyberPreKeyPublic.serialize())), buf(b.kyberPreKeySignature)),
        bobAddress, libsignal.ProtocolAddress.new('alice', 1), alice.session, alice.identity);
      const message = await libsignal.signalEncrypt(buf(new Uint8Array([1])), bobAddress, libsignal.ProtocolAddress.new('alice', 1), alice.session, alice.identity);
      const fields = ProtoReader.decode(message.serialize().subarray(1));
      const baseKey = EcPublicKey.deserialize(fields.requiredBytes(2, 'base key'));
      const aliceIdentity = EcPublicKey.deserialize(fields.requiredBytes(3, 'identity'));
      const kyberSecret = await kemDecapsulate(kyberPreKey.keyPair.secretKey, fields.requiredBytes(8, 'kyber ciphertext'));
      const secret = concatBytes(
        new Uint8Array(32).fill(0xff),
        await signedPreKey.keyPair.agree(aliceIdentity),
        await identity.keyPair.agree(baseKey),
        await signedPreKey.keyPair.agree(baseKey),
        await preKey!.keyPair.agree(baseKey),
        kyberSecret,
      );
      const derived = hkdfSha256(secret, undefined, utf8('WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024'), 96);
      const record = decodeOracleSessionRecord(alice.sessions.get(bobAddress.toString())!);
      if (toHex(record.receiverChains[0]!.chainKey) === toHex(derived.subarray(32, 64)) && toHex(record.pqAuthKey!) === toHex(derived.subarray(64))) matched++;
    }
    expect(matched).toBe(N);
  });
});
