import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '@parley/bytes';
import { randomBytes } from './bytes.js';
import { compareScannableFingerprints, createFingerprint } from './fingerprint.js';
import { EcKeyPair } from './keys.js';
import { EcPublicKey } from './public-keys.js';
import { vectors } from './testing/vectors.js';

const v = vectors.fingerprint;
const alice = { id: utf8(v.alice_stable_id), key: EcPublicKey.deserialize(fromHex(v.alice_identity)) };
const bob = { id: utf8(v.bob_stable_id), key: EcPublicKey.deserialize(fromHex(v.bob_identity)) };

describe('safety numbers', () => {
  for (const version of [1, 2] as const) {
    it(`reproduce libsignal fingerprint_test_v${version} (displayable and scannable, both sides)`, () => {
      const a = createFingerprint({ version, iterations: v.iterations, localIdentifier: alice.id, localKey: alice.key, remoteIdentifier: bob.id, remoteKey: bob.key });
      const b = createFingerprint({ version, iterations: v.iterations, localIdentifier: bob.id, localKey: bob.key, remoteIdentifier: alice.id, remoteKey: alice.key });
      expect(a.displayable).toBe(v.displayable);
      expect(b.displayable).toBe(v.displayable);
      expect(toHex(a.scannable)).toBe(version === 1 ? v.alice_scannable_v1 : v.alice_scannable_v2);
      expect(toHex(b.scannable)).toBe(version === 1 ? v.bob_scannable_v1 : v.bob_scannable_v2);
      expect(compareScannableFingerprints(a.scannable, b.scannable)).toBe(true);
    });
  }

  it('a different identity key gives a different number and fails the scan comparison', async () => {
    const mallory = (await EcKeyPair.generate()).publicKey;
    const a = createFingerprint({ localIdentifier: alice.id, localKey: alice.key, remoteIdentifier: bob.id, remoteKey: bob.key });
    const b = createFingerprint({ localIdentifier: bob.id, localKey: mallory, remoteIdentifier: alice.id, remoteKey: alice.key });
    expect(a.displayable).not.toBe(b.displayable);
    expect(compareScannableFingerprints(a.scannable, b.scannable)).toBe(false);
  });

  it('rejects a version mismatch and bad iteration counts', () => {
    const a = createFingerprint({ version: 1, localIdentifier: alice.id, localKey: alice.key, remoteIdentifier: bob.id, remoteKey: bob.key });
    const b = createFingerprint({ version: 2, localIdentifier: bob.id, localKey: bob.key, remoteIdentifier: alice.id, remoteKey: alice.key });
    expect(() => compareScannableFingerprints(a.scannable, b.scannable)).toThrow(/version mismatch/);
    expect(() => createFingerprint({ iterations: 1, localIdentifier: randomBytes(16), localKey: alice.key, remoteIdentifier: randomBytes(16), remoteKey: bob.key })).toThrow();
  });
});
