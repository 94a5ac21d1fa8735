import type { ProtocolAddress } from './address.js';
import type { IdentityKeyPair } from './keys.js';
import type { KyberPreKeyRecord, PreKeyRecord, SignedPreKeyRecord } from './prekeys.js';
import type { EcPublicKey } from './public-keys.js';
import type { SenderKeyRecord } from './sender-keys.js';
import type { SessionRecord } from './session-state.js';

// The one storage interface the protocol needs. The shell persists it in IndexedDB; tests and
// Node use the in-memory implementation. Records cross it as objects; an implementation that
// persists serializes them with their own `serialize()` and stamps RECORD_FORMAT_VERSION.

/** Version of the serialized record formats in this library (bump on an incompatible change). */
export const RECORD_FORMAT_VERSION = 1;

/** A serialized record as persisted. */
export interface StoredRecord {
  readonly version: number;
  readonly data: Uint8Array;
}

/** Which way a message travels when trust is checked. */
export type Direction = 'sending' | 'receiving';

/** Our identity and what we know of others'. */
export interface IdentityStore {
  getIdentityKeyPair(): Promise<IdentityKeyPair>;
  getLocalRegistrationId(): Promise<number>;
  /** Remembers `identityKey` for `address`; true when it replaced a different key. */
  saveIdentity(address: ProtocolAddress, identityKey: EcPublicKey): Promise<boolean>;
  /** Whether `identityKey` may be used for `address` in this direction (an identity change is never silently trusted). */
  isTrustedIdentity(address: ProtocolAddress, identityKey: EcPublicKey, direction: Direction): Promise<boolean>;
  getIdentity(address: ProtocolAddress): Promise<EcPublicKey | undefined>;
}

/**
 * One {@link SessionRecord} per address. The session cipher starts the next operation on a session
 * while the previous one's state is being written, so once `storeSession` was called,
 * `loadSession` of that address must answer either the record being stored, or what is stored once
 * that write settled (a database that orders its transactions); in the first case a later
 * `storeSession` of the address must commit only after the earlier one did, and never if it failed.
 */
export interface SessionStore {
  loadSession(address: ProtocolAddress): Promise<SessionRecord | undefined>;
  storeSession(address: ProtocolAddress, record: SessionRecord): Promise<void>;
}

/** One-time EC prekeys. */
export interface PreKeyStore {
  loadPreKey(id: number): Promise<PreKeyRecord | undefined>;
  storePreKey(id: number, record: PreKeyRecord): Promise<void>;
  removePreKey(id: number): Promise<void>;
}

/** Signed EC prekeys. */
export interface SignedPreKeyStore {
  loadSignedPreKey(id: number): Promise<SignedPreKeyRecord | undefined>;
  storeSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void>;
}

/** Kyber prekeys: one-time keys are removed once used, last-resort keys stay. */
export interface KyberPreKeyStore {
  loadKyberPreKey(id: number): Promise<KyberPreKeyRecord | undefined>;
  storeKyberPreKey(id: number, record: KyberPreKeyRecord, options?: { lastResort?: boolean }): Promise<void>;
  /** Called after a PreKeySignalMessage that used this key decrypted. */
  markKyberPreKeyUsed(id: number, signedPreKeyId: number, baseKey: EcPublicKey): Promise<void>;
}

/** Sender key records per (sender, distribution id). */
export interface SenderKeyStore {
  loadSenderKey(sender: ProtocolAddress, distributionId: string): Promise<SenderKeyRecord | undefined>;
  storeSenderKey(sender: ProtocolAddress, distributionId: string, record: SenderKeyRecord): Promise<void>;
}

/** Everything a device stores for the protocol. */
export interface SignalProtocolStore extends IdentityStore, SessionStore, PreKeyStore, SignedPreKeyStore, KyberPreKeyStore, SenderKeyStore {}
