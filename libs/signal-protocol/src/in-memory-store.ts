import { type ProtocolAddress, addressKey } from './address.js';
import { SignalProtocolError } from './errors.js';
import { IdentityKeyPair } from './keys.js';
import { KyberPreKeyRecord, PreKeyRecord, SignedPreKeyRecord } from './prekeys.js';
import { EcPublicKey } from './public-keys.js';
import { SenderKeyRecord } from './sender-keys.js';
import { SessionRecord } from './session-state.js';
import { type Direction, RECORD_FORMAT_VERSION, type SignalProtocolStore, type StoredRecord } from './store.js';

/** Plain-data form of an in-memory store. */
export interface InMemoryStoreSnapshot {
  readonly version: number;
  readonly identityKeyPair: Uint8Array;
  readonly registrationId: number;
  readonly identities: [string, Uint8Array][];
  readonly sessions: [string, StoredRecord][];
  readonly preKeys: [number, StoredRecord][];
  readonly signedPreKeys: [number, StoredRecord][];
  readonly kyberPreKeys: [number, { record: StoredRecord; lastResort: boolean }][];
  readonly usedLastResort: string[];
  readonly senderKeys: [string, StoredRecord][];
}

const stored = (data: Uint8Array): StoredRecord => ({ version: RECORD_FORMAT_VERSION, data });

function read<T>(record: StoredRecord | undefined, parse: (data: Uint8Array) => T): T | undefined {
  if (record === undefined) return undefined;
  if (record.version !== RECORD_FORMAT_VERSION) throw new SignalProtocolError('invalid-state', `unsupported record version ${record.version}`);
  return parse(record.data);
}

/**
 * A {@link SignalProtocolStore} in memory. Records are kept serialized (with their format
 * version), so every load is a real round trip — as with IndexedDB. Identity policy: trust on
 * first use; a changed identity is untrusted until {@link InMemorySignalProtocolStore.trustIdentity}.
 */
export class InMemorySignalProtocolStore implements SignalProtocolStore {
  private readonly identities = new Map<string, EcPublicKey>();
  private readonly sessions = new Map<string, StoredRecord>();
  private readonly preKeys = new Map<number, StoredRecord>();
  private readonly signedPreKeys = new Map<number, StoredRecord>();
  private readonly kyberPreKeys = new Map<number, { record: StoredRecord; lastResort: boolean }>();
  private readonly usedLastResort = new Set<string>();
  private readonly senderKeys = new Map<string, StoredRecord>();

  constructor(
    private readonly identityKeyPair: IdentityKeyPair,
    private readonly registrationId: number,
  ) {}

  async getIdentityKeyPair(): Promise<IdentityKeyPair> {
    return this.identityKeyPair;
  }

  async getLocalRegistrationId(): Promise<number> {
    return this.registrationId;
  }

  async saveIdentity(address: ProtocolAddress, identityKey: EcPublicKey): Promise<boolean> {
    const key = addressKey(address);
    const existing = this.identities.get(key);
    this.identities.set(key, identityKey);
    return existing !== undefined && !existing.equals(identityKey);
  }

  async isTrustedIdentity(address: ProtocolAddress, identityKey: EcPublicKey, _direction: Direction): Promise<boolean> {
    const existing = this.identities.get(addressKey(address));
    return existing === undefined || existing.equals(identityKey);
  }

  /** Accepts a changed identity (after the user saw the change). */
  trustIdentity(address: ProtocolAddress, identityKey: EcPublicKey): void {
    this.identities.set(addressKey(address), identityKey);
  }

  async getIdentity(address: ProtocolAddress): Promise<EcPublicKey | undefined> {
    return this.identities.get(addressKey(address));
  }

  async loadSession(address: ProtocolAddress): Promise<SessionRecord | undefined> {
    return read(this.sessions.get(addressKey(address)), SessionRecord.deserialize);
  }

  async storeSession(address: ProtocolAddress, record: SessionRecord): Promise<void> {
    this.sessions.set(addressKey(address), stored(record.serialize()));
  }

  async loadPreKey(id: number): Promise<PreKeyRecord | undefined> {
    return read(this.preKeys.get(id), PreKeyRecord.deserialize);
  }

  async storePreKey(id: number, record: PreKeyRecord): Promise<void> {
    this.preKeys.set(id, stored(record.serialize()));
  }

  async removePreKey(id: number): Promise<void> {
    this.preKeys.delete(id);
  }

  async loadSignedPreKey(id: number): Promise<SignedPreKeyRecord | undefined> {
    return read(this.signedPreKeys.get(id), SignedPreKeyRecord.deserialize);
  }

  async storeSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void> {
    this.signedPreKeys.set(id, stored(record.serialize()));
  }

  async loadKyberPreKey(id: number): Promise<KyberPreKeyRecord | undefined> {
    return read(this.kyberPreKeys.get(id)?.record, KyberPreKeyRecord.deserialize);
  }

  async storeKyberPreKey(id: number, record: KyberPreKeyRecord, options: { lastResort?: boolean } = {}): Promise<void> {
    this.kyberPreKeys.set(id, { record: stored(record.serialize()), lastResort: options.lastResort ?? false });
  }

  async markKyberPreKeyUsed(id: number, signedPreKeyId: number, baseKey: EcPublicKey): Promise<void> {
    const entry = this.kyberPreKeys.get(id);
    if (entry === undefined) return;
    if (!entry.lastResort) {
      this.kyberPreKeys.delete(id);
      return;
    }
    // A last-resort key serves many sessions, but one (signed prekey, base key) pair only once.
    const use = `${id}/${signedPreKeyId}/${baseKey.toString()}`;
    if (this.usedLastResort.has(use)) throw new SignalProtocolError('invalid-message', 'last-resort Kyber prekey reused with the same base key');
    this.usedLastResort.add(use);
  }

  async loadSenderKey(sender: ProtocolAddress, distributionId: string): Promise<SenderKeyRecord | undefined> {
    return read(this.senderKeys.get(`${addressKey(sender)}/${distributionId.toLowerCase()}`), SenderKeyRecord.deserialize);
  }

  async storeSenderKey(sender: ProtocolAddress, distributionId: string, record: SenderKeyRecord): Promise<void> {
    this.senderKeys.set(`${addressKey(sender)}/${distributionId.toLowerCase()}`, stored(record.serialize()));
  }

  /**
   * Everything as plain, structured-cloneable data (what a persistent store would write), so a
   * test can "restart the device" mid-conversation with {@link InMemorySignalProtocolStore.restore}.
   */
  snapshot(): InMemoryStoreSnapshot {
    return {
      version: RECORD_FORMAT_VERSION,
      identityKeyPair: this.identityKeyPair.serialize(),
      registrationId: this.registrationId,
      identities: [...this.identities].map(([k, v]) => [k, v.serialize()]),
      sessions: [...this.sessions],
      preKeys: [...this.preKeys],
      signedPreKeys: [...this.signedPreKeys],
      kyberPreKeys: [...this.kyberPreKeys],
      usedLastResort: [...this.usedLastResort],
      senderKeys: [...this.senderKeys],
    };
  }

  /** A new store from a {@link InMemorySignalProtocolStore.snapshot}. */
  static restore(snapshot: InMemoryStoreSnapshot): InMemorySignalProtocolStore {
    if (snapshot.version !== RECORD_FORMAT_VERSION) throw new SignalProtocolError('invalid-state', `unsupported snapshot version ${snapshot.version}`);
    const store = new InMemorySignalProtocolStore(IdentityKeyPair.deserialize(snapshot.identityKeyPair), snapshot.registrationId);
    for (const [k, v] of snapshot.identities) store.identities.set(k, EcPublicKey.deserialize(v));
    for (const [k, v] of snapshot.sessions) store.sessions.set(k, v);
    for (const [k, v] of snapshot.preKeys) store.preKeys.set(k, v);
    for (const [k, v] of snapshot.signedPreKeys) store.signedPreKeys.set(k, v);
    for (const [k, v] of snapshot.kyberPreKeys) store.kyberPreKeys.set(k, v);
    for (const u of snapshot.usedLastResort) store.usedLastResort.add(u);
    for (const [k, v] of snapshot.senderKeys) store.senderKeys.set(k, v);
    return store;
  }

  /** Test and migration helper: the raw stored session. */
  storedSession(address: ProtocolAddress): StoredRecord | undefined {
    return this.sessions.get(addressKey(address));
  }
}
