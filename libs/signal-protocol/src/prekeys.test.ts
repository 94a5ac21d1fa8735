import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { parsePreKeyBundle, serializePreKeyBundle, verifyPreKeyBundle } from './bundle.js';
import { IdentityKeyPair } from './keys.js';
import {
  createPreKeyBundle,
  generateKyberPreKey,
  generatePreKeys,
  generateSignedPreKey,
  KyberPreKeyRecord,
  PreKeyRecord,
  SignedPreKeyRecord,
} from './prekeys.js';
import { verifySignature } from './xeddsa-verify.js';

describe('prekeys and bundles', async () => {
  const identity = await IdentityKeyPair.generate();
  const [preKey] = await generatePreKeys(100, 1);
  const signedPreKey = await generateSignedPreKey(identity, 7, 1_700_000_000_000);
  const kyberPreKey = await generateKyberPreKey(identity, 9, 1_700_000_000_001);
  const bundle = createPreKeyBundle({ registrationId: 4242, deviceId: 2, identity, signedPreKey, kyberPreKey, preKey });

  it('signs the serialized public keys with the identity key', () => {
    expect(verifySignature(identity.publicKey, signedPreKey.keyPair.publicKey.serialize(), signedPreKey.signature)).toBe(true);
    expect(verifySignature(identity.publicKey, kyberPreKey.keyPair.publicKey.serialize(), kyberPreKey.signature)).toBe(true);
  });

  it('round-trips every record type through its libsignal storage protobuf', () => {
    expect(toHex(PreKeyRecord.deserialize(preKey!.serialize()).serialize())).toBe(toHex(preKey!.serialize()));
    const spk = SignedPreKeyRecord.deserialize(signedPreKey.serialize());
    expect([spk.id, spk.timestamp, toHex(spk.signature)]).toEqual([7, 1_700_000_000_000, toHex(signedPreKey.signature)]);
    const kpk = KyberPreKeyRecord.deserialize(kyberPreKey.serialize());
    expect([kpk.id, kpk.timestamp]).toEqual([9, 1_700_000_000_001]);
    expect(toHex(kpk.serialize())).toBe(toHex(kyberPreKey.serialize()));
  });

  it('accepts its own bundle and the same bundle after a wire round trip', async () => {
    await expect(verifyPreKeyBundle(bundle)).resolves.toBeUndefined();
    const again = await parsePreKeyBundle(serializePreKeyBundle(bundle));
    expect(again.identityKey.equals(identity.publicKey)).toBe(true);
    expect(again.preKeyId).toBe(100);
  });

  it('rejects a bundle whose signatures do not match (any flipped signature bit, swapped keys)', async () => {
    const serialized = serializePreKeyBundle(bundle);
    for (const field of ['signedPreKeySignature', 'kyberPreKeySignature'] as const) {
      for (let bit = 0; bit < 512; bit += 37) {
        const sig = Uint8Array.from(serialized[field]);
        sig[bit >> 3]! ^= 1 << (bit & 7);
        await expect(parsePreKeyBundle({ ...serialized, [field]: sig })).rejects.toThrow(expect.objectContaining({ code: 'invalid-signature' }));
      }
    }
    await expect(verifyPreKeyBundle({ ...bundle, signedPreKeySignature: kyberPreKey.signature })).rejects.toThrow(
      expect.objectContaining({ code: 'invalid-signature' }),
    );
  });

  it('rejects malformed ids and half a one-time prekey', async () => {
    await expect(verifyPreKeyBundle({ ...bundle, registrationId: -1 })).rejects.toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    await expect(verifyPreKeyBundle({ ...bundle, preKeyPublic: undefined })).rejects.toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
