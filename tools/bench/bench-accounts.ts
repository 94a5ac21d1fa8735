/**
 * Accounts for the relay benchmarks: one identity signs every account's keys (the server checks
 * signatures, not that identities differ), no one-time prekeys, created through the real API.
 */
import { toBase64 } from '@parley/bytes';
import { IdentityKeyPair, KEMKeyPair, PrivateKey } from '@signalapp/libsignal-client';
import { pool } from './relay-load.js';

/** The body of `POST /api/accounts` for bench account `i` (handle `<prefix>.<i>`). */
export function benchAccountBody(i: number, identity: IdentityKeyPair, prefix = 'bench') {
  const ec = PrivateKey.generate().getPublicKey().serialize();
  const kem = KEMKeyPair.generate().getPublicKey().serialize();
  const sign = (bytes: Uint8Array<ArrayBuffer>) => toBase64(identity.privateKey.sign(bytes));
  return {
    handle: `${prefix}.${i}`,
    displayName: `Bench ${i}`,
    identityKey: toBase64(identity.publicKey.serialize()),
    device: {
      registrationId: 1 + (i % 16_000),
      signedPreKey: { keyId: 1, publicKey: toBase64(ec), signature: sign(ec) },
      kyberLastResortPreKey: { keyId: 2, publicKey: toBase64(kem), signature: sign(kem) },
      oneTimePreKeys: [],
      kyberOneTimePreKeys: [],
    },
  };
}

/** Creates `count` accounts on the server at `api`; returns each one's user id and device token. */
export async function createBenchAccounts(api: string, count: number, prefix = 'bench'): Promise<Array<{ userId: string; token: string }>> {
  const identity = IdentityKeyPair.generate();
  const devices: Array<{ userId: string; token: string }> = [];
  await pool(count, 8, async (i) => {
    const response = await fetch(`${api}/api/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(benchAccountBody(i, identity, prefix)),
    });
    if (response.status !== 201) throw new Error(`account creation answered ${response.status}: ${await response.text()}`);
    devices[i] = (await response.json()) as { userId: string; token: string };
  });
  return devices;
}
