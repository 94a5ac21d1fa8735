import { toHex } from '@parley/bytes';
// This entry is bundled by the app that opens the database (the shell), outside the Module
// Federation singleton: it imports the protocol by the package's name, never by relative path, so
// the records it reads are the singleton's classes and its errors pass `isSignalProtocolError`.
// eslint-disable-next-line @nx/enforce-module-boundaries -- the package's name on purpose, see above
import {
  type Direction,
  EcPublicKey,
  IdentityKeyPair,
  KyberPreKeyRecord,
  PreKeyRecord,
  type ProtocolAddress,
  RECORD_FORMAT_VERSION,
  SenderKeyRecord,
  SessionRecord,
  type SignalProtocolStore,
  SignalProtocolError,
  SignedPreKeyRecord,
  type StoredRecord,
  addressKey,
} from '@parley/signal-protocol';
import { IndexedDbDatabase, openIndexedDb } from './database.js';
import { RecordCache } from './record-cache.js';
import { type SignalDatabase, type SignalStoreName, SIGNAL_STORES, createSignalStores } from './schema.js';

const SIGNAL_DATABASE_VERSION = 1;

/** Opens a database of its own holding only the {@link SIGNAL_STORES} (a worker, a test page). */
export async function openSignalDatabase(factory: IDBFactory, name: string): Promise<IndexedDbDatabase<SignalStoreName>> {
  const db = await openIndexedDb(factory, name, SIGNAL_DATABASE_VERSION, (created, oldVersion) => {
    if (oldVersion < 1) createSignalStores(created);
  });
  return new IndexedDbDatabase(db);
}

const IDENTITY_KEY_PAIR = 'identity-key-pair';
const REGISTRATION_ID = 'registration-id';

interface StoredKyberPreKey {
  readonly record: StoredRecord;
  readonly lastResort: boolean;
}

const stored = (data: Uint8Array): StoredRecord => ({ version: RECORD_FORMAT_VERSION, data });

function read<T>(record: StoredRecord | undefined, parse: (data: Uint8Array) => T): T | undefined {
  if (record === undefined) return undefined;
  if (record.version !== RECORD_FORMAT_VERSION) throw new SignalProtocolError('invalid-state', `unsupported record version ${record.version}`);
  return parse(record.data);
}

const senderKeyId = (sender: ProtocolAddress, distributionId: string) => `${addressKey(sender)}/${distributionId.toLowerCase()}`;

/** How a store is opened. */
export interface SignalStoreOptions {
  /**
   * Keep the session records and identity keys this store read or wrote in memory, so the several
   * reads each message makes of them cost no IndexedDB round trip (call set-up sends one message per
   * step). Only for a store that is the sole writer of the database while it lives: the shell opens
   * one per activation of the tab holding the active-tab Web Lock and drops it when another tab
   * takes over, so no other tab writes meanwhile. Without Web Locks every tab is active:
   * leave it off there, or a tab could encrypt with a stale chain.
   */
  readonly cacheRecords?: boolean;
}

/**
 * The device's {@link SignalProtocolStore} in IndexedDB. Every record is persisted as its own
 * `serialize()` bytes stamped with RECORD_FORMAT_VERSION (a `StoredRecord`), and read back with the
 * record class's `deserialize()`, so a library upgrade that changes a format is detected, never
 * misread. Identity policy as `InMemorySignalProtocolStore`: trust on first use; a changed identity
 * is untrusted until {@link IndexedDbSignalStore.trustIdentity} (the user saw the warning).
 */
export class IndexedDbSignalStore implements SignalProtocolStore {
  private readonly sessions: RecordCache<StoredRecord>;
  private readonly identities: RecordCache<Uint8Array>;

  private constructor(
    private readonly db: SignalDatabase,
    private readonly identityKeyPair: IdentityKeyPair,
    private readonly registrationId: number,
    options: SignalStoreOptions,
  ) {
    this.sessions = new RecordCache(options.cacheRecords ?? false);
    this.identities = new RecordCache(options.cacheRecords ?? false);
  }

  /** Writes this device's identity and registration id (account creation or linking) and opens the store. */
  static async create(db: SignalDatabase, identityKeyPair: IdentityKeyPair, registrationId: number, options: SignalStoreOptions = {}): Promise<IndexedDbSignalStore> {
    await db.write([
      { store: SIGNAL_STORES.meta, key: IDENTITY_KEY_PAIR, value: stored(identityKeyPair.serialize()) },
      { store: SIGNAL_STORES.meta, key: REGISTRATION_ID, value: registrationId },
    ]);
    return new IndexedDbSignalStore(db, identityKeyPair, registrationId, options);
  }

  /** The store of a device that has an identity already, or undefined for a fresh browser. */
  static async load(db: SignalDatabase, options: SignalStoreOptions = {}): Promise<IndexedDbSignalStore | undefined> {
    const identity = read(await db.get<StoredRecord>(SIGNAL_STORES.meta, IDENTITY_KEY_PAIR), IdentityKeyPair.deserialize);
    const registrationId = await db.get<number>(SIGNAL_STORES.meta, REGISTRATION_ID);
    if (identity === undefined || registrationId === undefined) return undefined;
    return new IndexedDbSignalStore(db, identity, registrationId, options);
  }

  async getIdentityKeyPair(): Promise<IdentityKeyPair> {
    return this.identityKeyPair;
  }

  async getLocalRegistrationId(): Promise<number> {
    return this.registrationId;
  }

  async saveIdentity(address: ProtocolAddress, identityKey: EcPublicKey): Promise<boolean> {
    const existing = await this.getIdentity(address);
    // Every message sent or received saves the peer's identity: the same key needs no write.
    if (existing?.equals(identityKey)) return false;
    await this.putIdentity(address, identityKey);
    return existing !== undefined;
  }

  async isTrustedIdentity(address: ProtocolAddress, identityKey: EcPublicKey, _direction: Direction): Promise<boolean> {
    const existing = await this.getIdentity(address);
    return existing === undefined || existing.equals(identityKey);
  }

  /** Accepts a changed identity (after the user saw the change). */
  async trustIdentity(address: ProtocolAddress, identityKey: EcPublicKey): Promise<void> {
    await this.putIdentity(address, identityKey);
  }

  async getIdentity(address: ProtocolAddress): Promise<EcPublicKey | undefined> {
    const key = addressKey(address);
    const bytes = await this.identities.read(key, () => this.db.get<Uint8Array>(SIGNAL_STORES.identities, key));
    return bytes === undefined ? undefined : EcPublicKey.deserialize(bytes.slice());
  }

  private async putIdentity(address: ProtocolAddress, identityKey: EcPublicKey): Promise<void> {
    const key = addressKey(address);
    const bytes = identityKey.serialize();
    await this.identities.write(key, bytes, () => this.db.put(SIGNAL_STORES.identities, key, bytes));
  }

  async loadSession(address: ProtocolAddress): Promise<SessionRecord | undefined> {
    const key = addressKey(address);
    // A copy of the bytes: the cached ones must not change with the record read from them.
    return read(await this.sessions.read(key, () => this.db.get<StoredRecord>(SIGNAL_STORES.sessions, key)), (data) => SessionRecord.deserialize(data.slice()));
  }

  async storeSession(address: ProtocolAddress, record: SessionRecord): Promise<void> {
    const key = addressKey(address);
    const value = stored(record.serialize());
    await this.sessions.write(key, value, () => this.db.put(SIGNAL_STORES.sessions, key, value));
  }

  /** Forgets the session with a device (it was removed, or its identity changed). */
  async removeSession(address: ProtocolAddress): Promise<void> {
    const key = addressKey(address);
    await this.sessions.write(key, null, () => this.db.delete(SIGNAL_STORES.sessions, key));
  }

  async loadPreKey(id: number): Promise<PreKeyRecord | undefined> {
    return read(await this.db.get<StoredRecord>(SIGNAL_STORES.preKeys, id), PreKeyRecord.deserialize);
  }

  async storePreKey(id: number, record: PreKeyRecord): Promise<void> {
    await this.db.put(SIGNAL_STORES.preKeys, id, stored(record.serialize()));
  }

  async removePreKey(id: number): Promise<void> {
    await this.db.delete(SIGNAL_STORES.preKeys, id);
  }

  async loadSignedPreKey(id: number): Promise<SignedPreKeyRecord | undefined> {
    return read(await this.db.get<StoredRecord>(SIGNAL_STORES.signedPreKeys, id), SignedPreKeyRecord.deserialize);
  }

  async storeSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void> {
    await this.db.put(SIGNAL_STORES.signedPreKeys, id, stored(record.serialize()));
  }

  async loadKyberPreKey(id: number): Promise<KyberPreKeyRecord | undefined> {
    return read((await this.db.get<StoredKyberPreKey>(SIGNAL_STORES.kyberPreKeys, id))?.record, KyberPreKeyRecord.deserialize);
  }

  async storeKyberPreKey(id: number, record: KyberPreKeyRecord, options: { lastResort?: boolean } = {}): Promise<void> {
    const value: StoredKyberPreKey = { record: stored(record.serialize()), lastResort: options.lastResort ?? false };
    await this.db.put(SIGNAL_STORES.kyberPreKeys, id, value);
  }

  async markKyberPreKeyUsed(id: number, signedPreKeyId: number, baseKey: EcPublicKey): Promise<void> {
    const entry = await this.db.get<StoredKyberPreKey>(SIGNAL_STORES.kyberPreKeys, id);
    if (entry === undefined) return;
    if (!entry.lastResort) {
      await this.db.delete(SIGNAL_STORES.kyberPreKeys, id);
      return;
    }
    // A last-resort key serves many sessions, but one (signed prekey, base key) pair only once.
    const use = `${id}/${signedPreKeyId}/${toHex(baseKey.serialize())}`;
    if ((await this.db.get<true>(SIGNAL_STORES.kyberPreKeyUses, use)) !== undefined) {
      throw new SignalProtocolError('invalid-message', 'last-resort Kyber prekey reused with the same base key');
    }
    await this.db.put(SIGNAL_STORES.kyberPreKeyUses, use, true);
  }

  async loadSenderKey(sender: ProtocolAddress, distributionId: string): Promise<SenderKeyRecord | undefined> {
    return read(await this.db.get<StoredRecord>(SIGNAL_STORES.senderKeys, senderKeyId(sender, distributionId)), SenderKeyRecord.deserialize);
  }

  async storeSenderKey(sender: ProtocolAddress, distributionId: string, record: SenderKeyRecord): Promise<void> {
    await this.db.put(SIGNAL_STORES.senderKeys, senderKeyId(sender, distributionId), stored(record.serialize()));
  }
}
