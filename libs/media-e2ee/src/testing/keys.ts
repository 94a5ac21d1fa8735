// Test-only helpers: a matching encrypt/decrypt key pair from one base key.
import { CipherSuite, type CipherSuiteId } from '../cipher-suite.js';
import { type SFrameKey, importSFrameKey } from '../key-schedule.js';

/** The sending and receiving halves of one KID, derived from a base key made of `seed`. */
export async function keyPair(kid: bigint, seed = Number(kid & 0xffn), suite: CipherSuiteId = CipherSuite.AES_128_GCM_SHA256_128): Promise<{ send: SFrameKey; receive: SFrameKey }> {
  const baseKey = new Uint8Array(32).fill(seed);
  return { send: await importSFrameKey(suite, kid, baseKey, 'encrypt'), receive: await importSFrameKey(suite, kid, baseKey, 'decrypt') };
}
