import { concatBytes, utf8 } from '@parley/bytes';
import { wipe } from './bytes.js';
import { SignalProtocolError } from './errors.js';
import { hkdfSha256 } from './kdf.js';
import { kemDecapsulate, kemEncapsulate, type KemKeyPair } from './kem.js';
import type { EcKeyPair, IdentityKeyPair } from './keys.js';
import type { EcPublicKey, KemPublicKey } from './public-keys.js';
import type { ChainKey } from './ratchet.js';

// PQXDH (Signal's spec, rev. 3) as libsignal runs it: 32 bytes of 0xFF, then DH1..DH4 and the
// Kyber1024 secret, through HKDF-SHA256 with libsignal's label into root key, first chain key and
// the key that seeds the post-quantum ratchet.

const PQXDH_INFO = utf8('WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024');
const DISCONTINUITY = new Uint8Array(32).fill(0xff);

/** What both sides derive from the handshake. */
export interface HandshakeKeys {
  readonly rootKey: Uint8Array;
  readonly chainKey: ChainKey;
  /** Seeds SPQR (libsignal's post-quantum ratchet), see spqr.ts. */
  readonly pqrKey: Uint8Array;
}

function deriveHandshakeKeys(secrets: Uint8Array[]): HandshakeKeys {
  const input = concatBytes(DISCONTINUITY, ...secrets);
  const okm = hkdfSha256(input, undefined, PQXDH_INFO, 96);
  wipe(input);
  for (const s of secrets) wipe(s);
  return { rootKey: okm.slice(0, 32), chainKey: { key: okm.slice(32, 64), index: 0 }, pqrKey: okm.slice(64, 96) };
}

/** The initiator's side (Alice), from a fetched bundle. */
export async function pqxdhInitiate(params: {
  ourIdentity: IdentityKeyPair;
  ourBaseKey: EcKeyPair;
  theirIdentity: EcPublicKey;
  theirSignedPreKey: EcPublicKey;
  theirOneTimePreKey?: EcPublicKey | undefined;
  theirKyberPreKey: KemPublicKey;
}): Promise<HandshakeKeys & { kyberCiphertext: Uint8Array }> {
  // The agreements run on the platform's threads while Kyber runs here.
  const agreements = Promise.all([
    params.ourIdentity.keyPair.agree(params.theirSignedPreKey),
    params.ourBaseKey.agree(params.theirIdentity),
    params.ourBaseKey.agree(params.theirSignedPreKey),
    ...(params.theirOneTimePreKey === undefined ? [] : [params.ourBaseKey.agree(params.theirOneTimePreKey)]),
  ]);
  agreements.catch(() => undefined);
  let encapsulation;
  try {
    encapsulation = await kemEncapsulate(params.theirKyberPreKey);
  } catch (error) {
    await agreements.catch(() => undefined);
    throw error;
  }
  const secrets = await agreements;
  secrets.push(encapsulation.sharedSecret);
  return { ...deriveHandshakeKeys(secrets), kyberCiphertext: encapsulation.ciphertext };
}

/** The responder's side (Bob), from a PreKeySignalMessage and its own prekeys. */
export async function pqxdhRespond(params: {
  ourIdentity: IdentityKeyPair;
  ourSignedPreKey: EcKeyPair;
  ourOneTimePreKey?: EcKeyPair | undefined;
  ourKyberPreKey: KemKeyPair;
  theirIdentity: EcPublicKey;
  theirBaseKey: EcPublicKey;
  kyberCiphertext: Uint8Array;
}): Promise<HandshakeKeys> {
  if (!params.theirBaseKey.isCanonical()) throw new SignalProtocolError('invalid-message', 'incoming base key is invalid');
  const agreements = Promise.all([
    params.ourSignedPreKey.agree(params.theirIdentity),
    params.ourIdentity.keyPair.agree(params.theirBaseKey),
    params.ourSignedPreKey.agree(params.theirBaseKey),
    ...(params.ourOneTimePreKey === undefined ? [] : [params.ourOneTimePreKey.agree(params.theirBaseKey)]),
  ]);
  agreements.catch(() => undefined);
  let kyberSecret;
  try {
    kyberSecret = await kemDecapsulate(params.ourKyberPreKey.secretKey, params.kyberCiphertext);
  } catch (error) {
    await agreements.catch(() => undefined);
    throw error;
  }
  const secrets = await agreements;
  secrets.push(kyberSecret);
  return deriveHandshakeKeys(secrets);
}
