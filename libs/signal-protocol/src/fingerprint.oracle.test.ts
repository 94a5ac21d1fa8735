import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { randomBytes } from './bytes.js';
import { createFingerprint } from './fingerprint.js';
import { EcKeyPair } from './keys.js';
import { buf, libsignal } from './testing/libsignal-oracle.js';

// Oracle: libsignal-client's Fingerprint.new with random identities and identifiers.

describe('safety numbers against libsignal-client', () => {
  it('10 random identity pairs: displayable and scannable forms equal libsignal’s', async () => {
    let equal = 0;
    for (let i = 0; i < 10; i++) {
      const [a, b] = [await EcKeyPair.generate(), await EcKeyPair.generate()];
      const [ida, idb] = [randomBytes(16), randomBytes(16)];
      const ours = createFingerprint({ version: 2, iterations: 5200, localIdentifier: ida, localKey: a.publicKey, remoteIdentifier: idb, remoteKey: b.publicKey });
      const theirs = libsignal.Fingerprint.new(
        5200,
        2,
        buf(ida),
        libsignal.PublicKey.deserialize(buf(a.publicKey.serialize())),
        buf(idb),
        libsignal.PublicKey.deserialize(buf(b.publicKey.serialize())),
      );
      if (ours.displayable === theirs.displayableFingerprint().toString() && toHex(ours.scannable) === toHex(theirs.scannableFingerprint().toBuffer())) equal++;
    }
    expect(equal).toBe(10);
  });
});
