import { concatBytes, constantTimeEqual } from '@parley/bytes';
import { SignalProtocolError } from './errors.js';
import { hmacSha256 } from './kdf.js';
import { ProtoReader, ProtoWriter } from './protobuf.js';
import { EcPublicKey } from './public-keys.js';

// libsignal's wire formats (wire.proto) with its framing: a version byte ((v << 4) | current),
// protobuf fields in ascending tag order (as prost writes them), then a MAC or signature.

/** Session message version of PQXDH sessions. */
export const CIPHERTEXT_MESSAGE_CURRENT_VERSION = 4;
/** X3DH-era version, parsed but no longer accepted for sessions. */
export const CIPHERTEXT_MESSAGE_PRE_KYBER_VERSION = 3;
/** Sender key message version. */
export const SENDERKEY_MESSAGE_CURRENT_VERSION = 3;
/** Truncated HMAC-SHA256 length of a SignalMessage. */
export const SIGNAL_MESSAGE_MAC_LENGTH = 8;
/** Signature length of a SenderKeyMessage. */
export const SENDER_KEY_SIGNATURE_LENGTH = 64;

/** libsignal's `CiphertextMessageType`. */
export const CiphertextMessageType = { Whisper: 2, PreKey: 3, SenderKey: 7, Plaintext: 8 } as const;
export type CiphertextMessageType = (typeof CiphertextMessageType)[keyof typeof CiphertextMessageType];

/** A typed ciphertext as it is handed to the transport. */
export interface CiphertextMessage {
  readonly type: CiphertextMessageType;
  readonly serialized: Uint8Array;
}

const versionByte = (version: number, current: number): number => ((version & 0x0f) << 4) | current;

function checkVersion(byte: number, oldest: number, current: number): number {
  const version = byte >> 4;
  if (version < oldest) throw new SignalProtocolError('legacy-version', `legacy ciphertext version ${version}`);
  if (version > current) throw new SignalProtocolError('unrecognized-version', `unrecognized ciphertext version ${version}`);
  return version;
}

const tooShort = (length: number): SignalProtocolError => new SignalProtocolError('invalid-message', `ciphertext message too short (${length} bytes)`);

/** A Double Ratchet message (type 2, "Whisper"). */
export interface SignalMessage {
  readonly version: number;
  readonly ratchetKey: EcPublicKey;
  readonly counter: number;
  readonly previousCounter: number;
  readonly ciphertext: Uint8Array;
  /** SPQR message; empty when absent. */
  readonly pqRatchet: Uint8Array;
  /** Sender and recipient service ids + devices, when libsignal could parse both addresses. */
  readonly addresses: Uint8Array | undefined;
  readonly serialized: Uint8Array;
}

function signalMessageMac(senderIdentity: EcPublicKey, receiverIdentity: EcPublicKey, macKey: Uint8Array, content: Uint8Array): Uint8Array {
  return hmacSha256(macKey, concatBytes(senderIdentity.serialize(), receiverIdentity.serialize(), content)).subarray(0, SIGNAL_MESSAGE_MAC_LENGTH);
}

/** Builds a SignalMessage and appends its MAC over both identity keys. */
export function encodeSignalMessage(fields: {
  version?: number;
  ratchetKey: EcPublicKey;
  counter: number;
  previousCounter: number;
  ciphertext: Uint8Array;
  pqRatchet?: Uint8Array | undefined;
  addresses?: Uint8Array | undefined;
  macKey: Uint8Array;
  senderIdentity: EcPublicKey;
  receiverIdentity: EcPublicKey;
}): SignalMessage {
  const version = fields.version ?? CIPHERTEXT_MESSAGE_CURRENT_VERSION;
  const pqRatchet = fields.pqRatchet ?? new Uint8Array();
  const writer = new ProtoWriter()
    .bytes(1, fields.ratchetKey.serialize())
    .uint32(2, fields.counter)
    .uint32(3, fields.previousCounter)
    .bytes(4, fields.ciphertext);
  if (pqRatchet.length > 0) writer.bytes(5, pqRatchet);
  if (fields.addresses !== undefined) writer.bytes(6, fields.addresses);
  const content = concatBytes(new Uint8Array([versionByte(version, CIPHERTEXT_MESSAGE_CURRENT_VERSION)]), writer.finish());
  const serialized = concatBytes(content, signalMessageMac(fields.senderIdentity, fields.receiverIdentity, fields.macKey, content));
  return {
    version,
    ratchetKey: fields.ratchetKey,
    counter: fields.counter,
    previousCounter: fields.previousCounter,
    ciphertext: fields.ciphertext,
    pqRatchet,
    addresses: fields.addresses,
    serialized,
  };
}

/** Parses a SignalMessage (the MAC is checked later, with the session's keys). */
export function decodeSignalMessage(bytes: Uint8Array): SignalMessage {
  if (bytes.length < SIGNAL_MESSAGE_MAC_LENGTH + 1) throw tooShort(bytes.length);
  const version = checkVersion(bytes[0]!, CIPHERTEXT_MESSAGE_PRE_KYBER_VERSION, CIPHERTEXT_MESSAGE_CURRENT_VERSION);
  const r = ProtoReader.decode(bytes.subarray(1, bytes.length - SIGNAL_MESSAGE_MAC_LENGTH));
  const ratchetKey = EcPublicKey.deserialize(r.requiredBytes(1, 'ratchet key'));
  return {
    version,
    ratchetKey,
    counter: r.requiredUint32(2, 'counter'),
    previousCounter: r.uint32(3) ?? 0,
    ciphertext: r.requiredBytes(4, 'ciphertext'),
    pqRatchet: r.bytes(5) ?? new Uint8Array(),
    addresses: r.bytes(6),
    serialized: bytes,
  };
}

/** Constant-time check of a SignalMessage's truncated HMAC. */
export function verifySignalMessageMac(message: SignalMessage, senderIdentity: EcPublicKey, receiverIdentity: EcPublicKey, macKey: Uint8Array): boolean {
  const content = message.serialized.subarray(0, message.serialized.length - SIGNAL_MESSAGE_MAC_LENGTH);
  const theirs = message.serialized.subarray(message.serialized.length - SIGNAL_MESSAGE_MAC_LENGTH);
  return constantTimeEqual(signalMessageMac(senderIdentity, receiverIdentity, macKey, content), theirs);
}

/** The first message of a session (type 3, "PreKey"): PQXDH parameters plus a SignalMessage. */
export interface PreKeySignalMessage {
  readonly version: number;
  readonly registrationId: number;
  readonly preKeyId: number | undefined;
  readonly signedPreKeyId: number;
  readonly kyberPreKeyId: number | undefined;
  /** Serialized Kyber ciphertext (0x08 ‖ 1568 bytes). */
  readonly kyberCiphertext: Uint8Array | undefined;
  readonly baseKey: EcPublicKey;
  readonly identityKey: EcPublicKey;
  readonly message: SignalMessage;
  readonly serialized: Uint8Array;
}

/** Builds a PreKeySignalMessage around an encoded SignalMessage. */
export function encodePreKeySignalMessage(fields: Omit<PreKeySignalMessage, 'serialized' | 'version'> & { version?: number }): PreKeySignalMessage {
  const version = fields.version ?? CIPHERTEXT_MESSAGE_CURRENT_VERSION;
  const writer = new ProtoWriter();
  if (fields.preKeyId !== undefined) writer.uint32(1, fields.preKeyId);
  writer.bytes(2, fields.baseKey.serialize()).bytes(3, fields.identityKey.serialize()).bytes(4, fields.message.serialized);
  writer.uint32(5, fields.registrationId).uint32(6, fields.signedPreKeyId);
  if (fields.kyberPreKeyId !== undefined) writer.uint32(7, fields.kyberPreKeyId);
  if (fields.kyberCiphertext !== undefined) writer.bytes(8, fields.kyberCiphertext);
  const serialized = concatBytes(new Uint8Array([versionByte(version, CIPHERTEXT_MESSAGE_CURRENT_VERSION)]), writer.finish());
  return { ...fields, version, serialized };
}

/** Parses a PreKeySignalMessage; v4 requires the Kyber prekey id and ciphertext. */
export function decodePreKeySignalMessage(bytes: Uint8Array): PreKeySignalMessage {
  if (bytes.length === 0) throw tooShort(0);
  const version = checkVersion(bytes[0]!, CIPHERTEXT_MESSAGE_PRE_KYBER_VERSION, CIPHERTEXT_MESSAGE_CURRENT_VERSION);
  const r = ProtoReader.decode(bytes.subarray(1));
  const baseKey = r.requiredBytes(2, 'base key');
  const identityKey = r.requiredBytes(3, 'identity key');
  const message = r.requiredBytes(4, 'message');
  const signedPreKeyId = r.requiredUint32(6, 'signed prekey id');
  const kyberPreKeyId = r.uint32(7);
  const kyberCiphertext = r.bytes(8);
  if ((kyberPreKeyId === undefined) !== (kyberCiphertext === undefined)) {
    throw new SignalProtocolError('invalid-message', 'both or neither Kyber prekey id and Kyber ciphertext can be present');
  }
  if (kyberPreKeyId === undefined && version > CIPHERTEXT_MESSAGE_PRE_KYBER_VERSION) {
    throw new SignalProtocolError('invalid-message', 'Kyber prekey must be present for this session version');
  }
  return {
    version,
    registrationId: r.uint32(5) ?? 0,
    preKeyId: r.uint32(1),
    signedPreKeyId,
    kyberPreKeyId,
    kyberCiphertext,
    baseKey: EcPublicKey.deserialize(baseKey),
    identityKey: EcPublicKey.deserialize(identityKey),
    message: decodeSignalMessage(message),
    serialized: bytes,
  };
}

/** Distribution ids are UUIDs; the wire carries their 16 bytes. */
export function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex) || uuid.length !== 36) throw new SignalProtocolError('invalid-argument', `not a UUID: ${uuid}`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** 16 bytes → lower-case hyphenated UUID. */
export function bytesToUuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new SignalProtocolError('invalid-protobuf', `UUID must be 16 bytes, got ${bytes.length}`);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A group message (type 7): AES-CBC body signed by the sender's signing key. */
export interface SenderKeyMessage {
  readonly version: number;
  readonly distributionId: string;
  readonly chainId: number;
  readonly iteration: number;
  readonly ciphertext: Uint8Array;
  readonly serialized: Uint8Array;
}

/** Builds a SenderKeyMessage; `sign` signs everything before the signature. */
export function encodeSenderKeyMessage(
  fields: { distributionId: string; chainId: number; iteration: number; ciphertext: Uint8Array; version?: number },
  sign: (content: Uint8Array) => Uint8Array,
): SenderKeyMessage {
  const version = fields.version ?? SENDERKEY_MESSAGE_CURRENT_VERSION;
  const content = concatBytes(
    new Uint8Array([versionByte(version, SENDERKEY_MESSAGE_CURRENT_VERSION)]),
    new ProtoWriter().bytes(1, uuidToBytes(fields.distributionId)).uint32(2, fields.chainId).uint32(3, fields.iteration).bytes(4, fields.ciphertext).finish(),
  );
  const signature = sign(content);
  return { version, distributionId: fields.distributionId.toLowerCase(), chainId: fields.chainId, iteration: fields.iteration, ciphertext: fields.ciphertext, serialized: concatBytes(content, signature) };
}

/** Parses a SenderKeyMessage (its signature is checked against the sender's key later). */
export function decodeSenderKeyMessage(bytes: Uint8Array): SenderKeyMessage {
  if (bytes.length < 1 + SENDER_KEY_SIGNATURE_LENGTH) throw tooShort(bytes.length);
  const version = checkVersion(bytes[0]!, SENDERKEY_MESSAGE_CURRENT_VERSION, SENDERKEY_MESSAGE_CURRENT_VERSION);
  const r = ProtoReader.decode(bytes.subarray(1, bytes.length - SENDER_KEY_SIGNATURE_LENGTH));
  const uuid = r.bytes(1);
  if (uuid === undefined || uuid.length !== 16) throw new SignalProtocolError('invalid-protobuf', 'missing or malformed distribution id');
  return {
    version,
    distributionId: bytesToUuid(uuid),
    chainId: r.requiredUint32(2, 'chain id'),
    iteration: r.requiredUint32(3, 'iteration'),
    ciphertext: r.requiredBytes(4, 'ciphertext'),
    serialized: bytes,
  };
}

/** What a group member sends each recipient (over 1:1 sessions) so they can read its group messages. */
export interface SenderKeyDistributionMessage {
  readonly version: number;
  readonly distributionId: string;
  readonly chainId: number;
  readonly iteration: number;
  readonly chainKey: Uint8Array;
  readonly signingKey: EcPublicKey;
  readonly serialized: Uint8Array;
}

export function encodeSenderKeyDistributionMessage(fields: Omit<SenderKeyDistributionMessage, 'serialized' | 'version'> & { version?: number }): SenderKeyDistributionMessage {
  const version = fields.version ?? SENDERKEY_MESSAGE_CURRENT_VERSION;
  const serialized = concatBytes(
    new Uint8Array([versionByte(version, SENDERKEY_MESSAGE_CURRENT_VERSION)]),
    new ProtoWriter()
      .bytes(1, uuidToBytes(fields.distributionId))
      .uint32(2, fields.chainId)
      .uint32(3, fields.iteration)
      .bytes(4, fields.chainKey)
      .bytes(5, fields.signingKey.serialize())
      .finish(),
  );
  return { ...fields, distributionId: fields.distributionId.toLowerCase(), version, serialized };
}

export function decodeSenderKeyDistributionMessage(bytes: Uint8Array): SenderKeyDistributionMessage {
  if (bytes.length < 1 + 32 + 32) throw tooShort(bytes.length);
  const version = checkVersion(bytes[0]!, SENDERKEY_MESSAGE_CURRENT_VERSION, SENDERKEY_MESSAGE_CURRENT_VERSION);
  const r = ProtoReader.decode(bytes.subarray(1));
  const uuid = r.bytes(1);
  if (uuid === undefined || uuid.length !== 16) throw new SignalProtocolError('invalid-protobuf', 'missing or malformed distribution id');
  const chainId = r.requiredUint32(2, 'chain id');
  const iteration = r.requiredUint32(3, 'iteration');
  const chainKey = r.requiredBytes(4, 'chain key');
  const signingKey = r.requiredBytes(5, 'signing key');
  if (chainKey.length !== 32 || signingKey.length !== 33) throw new SignalProtocolError('invalid-protobuf', 'malformed sender key distribution message');
  return { version, distributionId: bytesToUuid(uuid), chainId, iteration, chainKey, signingKey: EcPublicKey.deserialize(signingKey), serialized: bytes };
}
