import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '@parley/bytes';
import { KemKeyPair } from './kem.js';
import { EcKeyPair, IdentityKeyPair } from './keys.js';
import { pqxdhInitiate, pqxdhRespond } from './pqxdh.js';
import { EcPublicKey } from './public-keys.js';

describe('PQXDH', async () => {
  const alice = await IdentityKeyPair.generate();
  const bob = await IdentityKeyPair.generate();
  const signed = await EcKeyPair.generate();
  const oneTime = await EcKeyPair.generate();
  const kyber = await KemKeyPair.generate();

  for (const withOneTime of [true, false]) {
    it(`both sides derive the same root, chain and SPQR keys (${withOneTime ? 'with' : 'without'} a one-time prekey)`, async () => {
      const base = await EcKeyPair.generate();
      const a = await pqxdhInitiate({ ourIdentity: alice, ourBaseKey: base, theirIdentity: bob.publicKey, theirSignedPreKey: signed.publicKey, theirOneTimePreKey: withOneTime ? oneTime.publicKey : undefined, theirKyberPreKey: kyber.publicKey });
      const b = await pqxdhRespond({ ourIdentity: bob, ourSignedPreKey: signed, ourOneTimePreKey: withOneTime ? oneTime : undefined, ourKyberPreKey: kyber, theirIdentity: alice.publicKey, theirBaseKey: base.publicKey, kyberCiphertext: a.kyberCiphertext });
      expect([toHex(b.rootKey), toHex(b.chainKey.key), toHex(b.pqrKey)]).toEqual([toHex(a.rootKey), toHex(a.chainKey.key), toHex(a.pqrKey)]);
      expect(new Set([toHex(a.rootKey), toHex(a.chainKey.key), toHex(a.pqrKey)]).size).toBe(3);
    });
  }

  it('responder refuses a non-canonical base key (small-order point) as libsignal does', async () => {
    const base = await EcKeyPair.generate();
    const a = await pqxdhInitiate({ ourIdentity: alice, ourBaseKey: base, theirIdentity: bob.publicKey, theirSignedPreKey: signed.publicKey, theirKyberPreKey: kyber.publicKey });
    const smallOrder = EcPublicKey.fromPublicKeyBytes(fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'));
    await expect(
      pqxdhRespond({ ourIdentity: bob, ourSignedPreKey: signed, ourKyberPreKey: kyber, theirIdentity: alice.publicKey, theirBaseKey: smallOrder, kyberCiphertext: a.kyberCiphertext }),
    ).rejects.toThrow(/incoming base key is invalid/);
  });
});
