import { type ProtocolAddress, addressKey } from '../address.js';
import { SignalProtocolError } from '../errors.js';
import { IdentityKeyPair } from '../keys.js';
import { KyberPreKeyRecord, PreKeyRecord, SignedPreKeyRecord } from '../prekeys.js';
import { EcPublicKey } from '../public-keys.js';
import { SenderKeyRecord } from '../sender-keys.js';
import { SessionRecord } from '../session-state.js';
import { type Direction, RECORD_FORMAT_VERSION, type SignalProtocolStore, type StoredRecord } from '../store.js';

// A SignalProtocolStore on IndexedDB, for the Chromium run of the test suite: one object store of
// versioned records (`StoredRecord`), keyed by kind and id. The shell's production store will look
// like this; the IDBFactory is passed in, so nothing here touches a global.

const STORE = 'records';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export class IndexedDbSignalProtocolStore implements SignalProtocolStore {
  private constructor(
    private readonly db: IDBDatabase,
    private readonly identityKeyPair: IdentityKeyPair,
    private readonly registrationId: number,
  ) {}

  /** Opens (or creates with `identity`) the store in database `name`. */
  static async open(factory: IDBFactory, name: string, identity?: { keyPair: IdentityKeyPair; registrationId: number }): Promise<IndexedDbSignalProtocolStore> {
    const open = factory.open(name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    const db = await request(open);
    const tx = db.transaction(STORE, 'readwrite').objectStore(STORE);
    if (identity !== undefined) {
      await request(tx.put({ version: RECORD_FORMAT_VERSION, data: identity.keyPair.serialize() }, 'identity'));
      await request(tx.put(identity.registrationId, 'registration-id'));
      return new IndexedDbSignalProtocolStore(db, identity.keyPair, identity.registrationId);
    }
    const stored = (await request(tx.get('identity'))) as StoredRecord | undefined;
    const registrationId = (await request(tx.get('registration-id'))) as number | undefined;
    if (stored === undefined || registrationId === undefined) throw new SignalProtocolError('invalid-state', `no identity in ${name}`);
    return new IndexedDbSignalProtocolStore(db, IdentityKeyPair.deserialize(stored.data), registrationId);
  }

  /** The database name (to reopen it after {@link IndexedDbSignalProtocolStore.close}). */
  get name(): string {
    return this.db.name;
  }

  close(): void {
    this.db.close();
  }

  private async get<T>(key: string, parse: (data: Uint8Array) => T): Promise<T | undefined> {
    const stored = (await request(this.db.transaction(STORE).objectStore(STORE).get(key))) as StoredRecord | undefined;
    if (stored === undefined) return undefined;
    if (stored.version !== RECORD_FORMAT_VERSION) throw new SignalProtocolError('invalid-state', `unsupported record version ${stored.version}`);
    return parse(stored.data);
  }

  private async put(key: string, data: Uint8Array, extra: Record<string, unknown> = {}): Promise<void> {
    await request(this.db.transaction(STORE, 'readwrite').objectStore(STORE).put({ version: RECORD_FORMAT_VERSION, data, ...extra }, key));
  }

  private async remove(key: string): Promise<void> {
    await request(this.db.transaction(STORE, 'readwrite').objectStore(STORE).delete(key));
  }

  async getIdentityKeyPair(): Promise<IdentityKeyPair> {
    return this.identityKeyPair;
  }

  async getLocalRegistrationId(): Promise<number> {
    return this.registrationId;
  }

  async saveIdentity(address: ProtocolAddress, identityKey: EcPublicKey): Promise<boolean> {
    const existing = await this.getIdentity(address);
    await this.put(`identity/${addressKey(address)}`, identityKey.serialize());
    return existing !== undefined && !existing.equals(identityKey);
  }

  async isTrustedIdentity(address: ProtocolAddress, identityKey: EcPublicKey, _direction: Direction): Promise<boolean> {
    const existing = await this.getIdentity(address);
    return existing === undefined || existing.equals(identityKey);
  }

  getIdentity(address: ProtocolAddress): Promise<EcPublicKey | undefined> {
    return this.get(`identity/${addressKey(address)}`, EcPublicKey.deserialize);
  }

  loadSession(address: ProtocolAddress): Promise<SessionRecord | undefined> {
    return this.get(`session/${addressKey(address)}`, SessionRecord.deserialize);
  }

  storeSession(address: ProtocolAddress, record: SessionRecord): Promise<void> {
    return this.put(`session/${addressKey(address)}`, record.serialize());
  }

  loadPreKey(id: number): Promise<PreKeyRecord | undefined> {
    return this.get(`prekey/${id}`, PreKeyRecord.deserialize);
  }

  storePreKey(id: number, record: PreKeyRecord): Promise<void> {
    return this.put(`prekey/${id}`, record.serialize());
  }

  removePreKey(id: number): Promise<void> {
    return this.remove(`prekey/${id}`);
  }

  loadSignedPreKey(id: number): Promise<SignedPreKeyRecord | undefined> {
    return this.get(`signed-prekey/${id}`, SignedPreKeyRecord.deserialize);
  }

  storeSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void> {
    return this.put(`signed-prekey/${id}`, record.serialize());
  }

  loadKyberPreKey(id: number): Promise<KyberPreKeyRecord | undefined> {
    return this.get(`kyber-prekey/${id}`, KyberPreKeyRecord.deserialize);
  }

  storeKyberPreKey(id: number, record: KyberPreKeyRecord, options: { lastResort?: boolean } = {}): Promise<void> {
    return this.put(`kyber-prekey/${id}`, record.serialize(), { lastResort: options.lastResort ?? false });
  }

  async markKyberPreKeyUsed(id: number, signedPreKeyId: number, baseKey: EcPublicKey): Promise<void> {
    const os = this.db.transaction(STORE).objectStore(STORE);
    const entry = (await request(os.get(`kyber-prekey/${id}`))) as (StoredRecord & { lastResort: boolean }) | undefined;
    if (entry === undefined) return;
    if (!entry.lastResort) return this.remove(`kyber-prekey/${id}`);
    const use = `kyber-use/${id}/${signedPreKeyId}/${baseKey.toString()}`;
    if ((await request(this.db.transaction(STORE).objectStore(STORE).get(use))) !== undefined) {
      throw new SignalProtocolError('invalid-message', 'last-resort Kyber prekey reused with the same base key');
    }
    await request(this.db.transaction(STORE, 'readwrite').objectStore(STORE).put(true, use));
  }

  loadSenderKey(sender: ProtocolAddress, distributionId: string): Promise<SenderKeyRecord | undefined> {
    return this.get(`sender-key/${addressKey(sender)}/${distributionId.toLowerCase()}`, SenderKeyRecord.deserialize);
  }

  storeSenderKey(sender: ProtocolAddress, distributionId: string, record: SenderKeyRecord): Promise<void> {
    return this.put(`sender-key/${addressKey(sender)}/${distributionId.toLowerCase()}`, record.serialize());
  }
}
