import { SignalProtocolError } from './errors.js';
import { EcPublicKey, KemPublicKey } from './public-keys.js';
import { verifyCanonicalSignatureAsync, verifySignatureAsync } from './xeddsa-verify.js';

// Bundle checks only use public keys: this file is part of the server's verify-only entry point.

/** What a sender fetches to start a session with one device of an account. */
export interface PreKeyBundle {
  readonly registrationId: number;
  readonly deviceId: number;
  /** One-time EC prekey, when the server still had one. */
  readonly preKeyId?: number | undefined;
  readonly preKeyPublic?: EcPublicKey | undefined;
  readonly signedPreKeyId: number;
  readonly signedPreKeyPublic: EcPublicKey;
  readonly signedPreKeySignature: Uint8Array;
  readonly identityKey: EcPublicKey;
  /** Kyber1024 prekey (one-time, or the device's last-resort key). Mandatory, as in libsignal. */
  readonly kyberPreKeyId: number;
  readonly kyberPreKeyPublic: KemPublicKey;
  readonly kyberPreKeySignature: Uint8Array;
}

/** A key's serialized form: its bytes; every other field of a bundle stays as it is. */
type Serialized<T> = T extends EcPublicKey | KemPublicKey ? Uint8Array : T;

/** A bundle as bytes, the way it crosses the network (keys in their serialized, typed forms). */
export type SerializedPreKeyBundle = { readonly [K in keyof PreKeyBundle]: Serialized<PreKeyBundle[K]> };

const isUint32 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

/**
 * Whether `signature` is the identity key's signature over a serialized public prekey (EC 33 bytes
 * or Kyber 1569 bytes) — the check a server runs on every upload.
 */
export function verifySignedPublicPreKey(identityKey: EcPublicKey, serializedPublicKey: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return verifySignatureAsync(identityKey, serializedPublicKey, signature);
}

/**
 * The server's upload check: {@link verifySignedPublicPreKey}, refusing non-canonical signatures
 * (s ≥ ℓ) that libsignal would accept but no honest signer makes, so a stranger's body cannot
 * push checks onto the slow path (see verifyCanonicalSignatureAsync).
 */
export function verifyUploadedPreKeySignature(identityKey: EcPublicKey, serializedPublicKey: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return verifyCanonicalSignatureAsync(identityKey, serializedPublicKey, signature);
}

/** Checks both prekey signatures (EC and Kyber) and the ids; rejects with `invalid-signature` or `invalid-argument`. */
export async function verifyPreKeyBundle(bundle: PreKeyBundle): Promise<void> {
  for (const [name, value] of [
    ['registration id', bundle.registrationId],
    ['device id', bundle.deviceId],
    ['signed prekey id', bundle.signedPreKeyId],
    ['Kyber prekey id', bundle.kyberPreKeyId],
  ] as const) {
    if (!isUint32(value)) throw new SignalProtocolError('invalid-argument', `${name} is not a uint32: ${value}`);
  }
  if ((bundle.preKeyId === undefined) !== (bundle.preKeyPublic === undefined)) {
    throw new SignalProtocolError('invalid-argument', 'one-time prekey id and key must come together');
  }
  if (bundle.preKeyId !== undefined && !isUint32(bundle.preKeyId)) {
    throw new SignalProtocolError('invalid-argument', `prekey id is not a uint32: ${bundle.preKeyId}`);
  }
  const [signedOk, kyberOk] = await Promise.all([
    verifySignatureAsync(bundle.identityKey, bundle.signedPreKeyPublic.serialize(), bundle.signedPreKeySignature),
    verifySignatureAsync(bundle.identityKey, bundle.kyberPreKeyPublic.serialize(), bundle.kyberPreKeySignature),
  ]);
  if (!signedOk) throw new SignalProtocolError('invalid-signature', 'signed prekey signature does not verify with the identity key');
  if (!kyberOk) throw new SignalProtocolError('invalid-signature', 'Kyber prekey signature does not verify with the identity key');
}

/** Parses a serialized bundle (key types and lengths checked) and verifies it. */
export async function parsePreKeyBundle(serialized: SerializedPreKeyBundle): Promise<PreKeyBundle> {
  const bundle: PreKeyBundle = {
    registrationId: serialized.registrationId,
    deviceId: serialized.deviceId,
    preKeyId: serialized.preKeyId,
    preKeyPublic: serialized.preKeyPublic === undefined ? undefined : EcPublicKey.deserialize(serialized.preKeyPublic),
    signedPreKeyId: serialized.signedPreKeyId,
    signedPreKeyPublic: EcPublicKey.deserialize(serialized.signedPreKeyPublic),
    signedPreKeySignature: serialized.signedPreKeySignature,
    identityKey: EcPublicKey.deserialize(serialized.identityKey),
    kyberPreKeyId: serialized.kyberPreKeyId,
    kyberPreKeyPublic: KemPublicKey.deserialize(serialized.kyberPreKeyPublic),
    kyberPreKeySignature: serialized.kyberPreKeySignature,
  };
  await verifyPreKeyBundle(bundle);
  return bundle;
}

/** The wire form of a bundle. */
export function serializePreKeyBundle(bundle: PreKeyBundle): SerializedPreKeyBundle {
  return {
    registrationId: bundle.registrationId,
    deviceId: bundle.deviceId,
    preKeyId: bundle.preKeyId,
    preKeyPublic: bundle.preKeyPublic?.serialize(),
    signedPreKeyId: bundle.signedPreKeyId,
    signedPreKeyPublic: bundle.signedPreKeyPublic.serialize(),
    signedPreKeySignature: bundle.signedPreKeySignature,
    identityKey: bundle.identityKey.serialize(),
    kyberPreKeyId: bundle.kyberPreKeyId,
    kyberPreKeyPublic: bundle.kyberPreKeyPublic.serialize(),
    kyberPreKeySignature: bundle.kyberPreKeySignature,
  };
}
