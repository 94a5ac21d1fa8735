import { redactWhenPrinted } from './bytes.js';
import type { PreKeyBundle } from './bundle.js';
import { SignalProtocolError } from './errors.js';
import { KemKeyPair, KemSecretKey } from './kem.js';
import { EcKeyPair, EcPrivateKey, type IdentityKeyPair } from './keys.js';
import { ProtoReader, ProtoWriter } from './protobuf.js';
import { EcPublicKey, KemPublicKey } from './public-keys.js';

// Records use libsignal's storage protobufs (PreKeyRecordStructure, SignedPreKeyRecordStructure,
// the latter also for Kyber prekeys), so either library can read the other's records.

const checkId = (id: number, what: string): void => {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new SignalProtocolError('invalid-argument', `${what} id is not a uint32: ${id}`);
};

/** A one-time EC prekey with its private half. */
export class PreKeyRecord {
  constructor(
    readonly id: number,
    readonly keyPair: EcKeyPair,
  ) {
    checkId(id, 'prekey');
  }

  /** libsignal `PreKeyRecordStructure`. */
  serialize(): Uint8Array {
    return new ProtoWriter()
      .uint32IfNonZero(1, this.id)
      .bytes(2, this.keyPair.publicKey.serialize())
      .bytes(3, this.keyPair.privateKey.serialize())
      .finish();
  }

  static deserialize(bytes: Uint8Array): PreKeyRecord {
    const r = ProtoReader.decode(bytes);
    return new PreKeyRecord(
      r.uint32(1) ?? 0,
      EcKeyPair.fromKeys(EcPublicKey.deserialize(r.requiredBytes(2, 'prekey public key')), EcPrivateKey.deserialize(r.requiredBytes(3, 'prekey private key'))),
    );
  }
}

/** The device's medium-term EC prekey, signed by the identity key. */
export class SignedPreKeyRecord {
  constructor(
    readonly id: number,
    /** Milliseconds since 1970, when it was generated. */
    readonly timestamp: number,
    readonly keyPair: EcKeyPair,
    readonly signature: Uint8Array,
  ) {
    checkId(id, 'signed prekey');
  }

  /** libsignal `SignedPreKeyRecordStructure`. */
  serialize(): Uint8Array {
    return new ProtoWriter()
      .uint32IfNonZero(1, this.id)
      .bytes(2, this.keyPair.publicKey.serialize())
      .bytes(3, this.keyPair.privateKey.serialize())
      .bytesIfNonEmpty(4, this.signature)
      .fixed64IfNonZero(5, BigInt(this.timestamp))
      .finish();
  }

  static deserialize(bytes: Uint8Array): SignedPreKeyRecord {
    const r = ProtoReader.decode(bytes);
    return new SignedPreKeyRecord(
      r.uint32(1) ?? 0,
      Number(r.fixed64(5) ?? 0n),
      EcKeyPair.fromKeys(EcPublicKey.deserialize(r.requiredBytes(2, 'signed prekey public key')), EcPrivateKey.deserialize(r.requiredBytes(3, 'signed prekey private key'))),
      r.bytes(4) ?? new Uint8Array(),
    );
  }
}

/** A Kyber1024 prekey, signed by the identity key: one-time, or the device's last-resort key. */
export class KyberPreKeyRecord {
  constructor(
    readonly id: number,
    readonly timestamp: number,
    readonly keyPair: KemKeyPair,
    readonly signature: Uint8Array,
  ) {
    checkId(id, 'Kyber prekey');
  }

  /** libsignal stores Kyber prekeys in `SignedPreKeyRecordStructure` too. */
  serialize(): Uint8Array {
    return new ProtoWriter()
      .uint32IfNonZero(1, this.id)
      .bytes(2, this.keyPair.publicKey.serialize())
      .bytes(3, this.keyPair.secretKey.serialize())
      .bytesIfNonEmpty(4, this.signature)
      .fixed64IfNonZero(5, BigInt(this.timestamp))
      .finish();
  }

  static deserialize(bytes: Uint8Array): KyberPreKeyRecord {
    const r = ProtoReader.decode(bytes);
    return new KyberPreKeyRecord(
      r.uint32(1) ?? 0,
      Number(r.fixed64(5) ?? 0n),
      new KemKeyPair(KemPublicKey.deserialize(r.requiredBytes(2, 'Kyber prekey public key')), KemSecretKey.deserialize(r.requiredBytes(3, 'Kyber prekey secret key'))),
      r.bytes(4) ?? new Uint8Array(),
    );
  }
}

/** `count` one-time prekeys with consecutive ids from `startId`. */
export async function generatePreKeys(startId: number, count: number): Promise<PreKeyRecord[]> {
  const out: PreKeyRecord[] = [];
  for (let i = 0; i < count; i++) out.push(new PreKeyRecord(startId + i, await EcKeyPair.generate()));
  return out;
}

/** A signed prekey: the identity key signs the 33-byte serialized public key. */
export async function generateSignedPreKey(identity: IdentityKeyPair, id: number, timestamp: number): Promise<SignedPreKeyRecord> {
  const keyPair = await EcKeyPair.generate();
  return new SignedPreKeyRecord(id, timestamp, keyPair, identity.sign(keyPair.publicKey.serialize()));
}

/** A Kyber1024 prekey: the identity key signs the 1569-byte serialized public key. */
export async function generateKyberPreKey(identity: IdentityKeyPair, id: number, timestamp: number): Promise<KyberPreKeyRecord> {
  const keyPair = await KemKeyPair.generate();
  return new KyberPreKeyRecord(id, timestamp, keyPair, identity.sign(keyPair.publicKey.serialize()));
}

/** The public bundle this device publishes, from its records. */
export function createPreKeyBundle(params: {
  registrationId: number;
  deviceId: number;
  identity: IdentityKeyPair;
  signedPreKey: SignedPreKeyRecord;
  kyberPreKey: KyberPreKeyRecord;
  preKey?: PreKeyRecord | undefined;
}): PreKeyBundle {
  return {
    registrationId: params.registrationId,
    deviceId: params.deviceId,
    preKeyId: params.preKey?.id,
    preKeyPublic: params.preKey?.keyPair.publicKey,
    signedPreKeyId: params.signedPreKey.id,
    signedPreKeyPublic: params.signedPreKey.keyPair.publicKey,
    signedPreKeySignature: params.signedPreKey.signature,
    identityKey: params.identity.publicKey,
    kyberPreKeyId: params.kyberPreKey.id,
    kyberPreKeyPublic: params.kyberPreKey.keyPair.publicKey,
    kyberPreKeySignature: params.kyberPreKey.signature,
  };
}

redactWhenPrinted(PreKeyRecord, 'redacted prekey record');
redactWhenPrinted(SignedPreKeyRecord, 'redacted signed prekey record');
redactWhenPrinted(KyberPreKeyRecord, 'redacted Kyber prekey record');
