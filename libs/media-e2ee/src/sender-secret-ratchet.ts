import { utf8 } from '@parley/bytes';
import { bufferSource, subtle } from './bytes.js';
import { SFrameError } from './errors.js';
import { SENDER_SECRET_LENGTH } from './key-id.js';

// The join ratchet of a group call's sender secret (ARCHITECTURE "Calls"):
//
//   secret(g + 1) = HKDF-SHA256(salt = "", IKM = secret(g), info = "Parley SFrame sender ratchet 1.0"), 32 bytes
//
// When someone joins, every sender moves one step forward and gives the newcomer only secret(g + 1).
// The step is one-way: HKDF is a PRF keyed by its input, so secret(g + 1) reveals nothing that would
// compute secret(g) (that would invert HMAC-SHA256). The newcomer can therefore decrypt what is sent
// after the join and nothing before it, while everyone already in the call derives secret(g + 1)
// from secret(g) themselves, with no message.
//
// The info string differs from the track base key label ("Parley SFrame track base key 1.0 " ‖ KID),
// so a ratcheted secret is never equal to any base_key derived from the secret it came from.

/** HKDF info of the sender-secret ratchet step. */
export const SENDER_RATCHET_LABEL = 'Parley SFrame sender ratchet 1.0';

const ratchetInfo = utf8(SENDER_RATCHET_LABEL);

/** The next generation's sender secret: one one-way HKDF-SHA256 step (no salt, info {@link SENDER_RATCHET_LABEL}). */
export async function ratchetSenderSecret(secret: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  if (secret.length !== SENDER_SECRET_LENGTH) {
    throw new SFrameError('invalid-argument', `sender secret must be ${SENDER_SECRET_LENGTH} bytes, got ${secret.length}`);
  }
  const ikm = await subtle().importKey('raw', bufferSource(secret), 'HKDF', false, ['deriveBits']);
  const bits = await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: ratchetInfo }, ikm, SENDER_SECRET_LENGTH * 8);
  return new Uint8Array(bits);
}
