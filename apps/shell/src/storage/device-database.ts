// The device's one IndexedDB database: the Signal store, the message history and the session
// credentials of this browser. Only the shell opens it (ARCHITECTURE "Who owns what").

/** Name of the database; one per browser profile, since a browser profile is one device. */
export const DEVICE_DATABASE_NAME = 'parley-device';

/** Bump with a new case in `upgrade` when a store or index is added. */
export const DEVICE_DATABASE_VERSION = 1;

/** Every object store of the device database. */
export const STORES = {
  /** Single values by name: identity key pair, registration id, credentials. */
  meta: 'meta',
  /** Contacts' identity keys by address key ("name.device"). */
  identities: 'identities',
  sessions: 'sessions',
  preKeys: 'pre-keys',
  signedPreKeys: 'signed-pre-keys',
  kyberPreKeys: 'kyber-pre-keys',
  /** Uses of last-resort Kyber prekeys, so one (signed prekey, base key) pair is refused twice. */
  kyberPreKeyUses: 'kyber-pre-key-uses',
  senderKeys: 'sender-keys',
  /** The messenger's history: messages by [from.userId, messageId] (see IndexedDbHistoryStore). */
  messages: 'messages',
  /** The messenger's contacts by user id. */
  contacts: 'contacts',
} as const;

/** Indexes of the messages store. */
export const MESSAGE_INDEXES = { byConversation: 'by-conversation', byMessageId: 'by-message-id' } as const;

export type StoreName = (typeof STORES)[keyof typeof STORES];

function upgrade(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) {
    for (const name of Object.values(STORES)) {
      const store = db.createObjectStore(name);
      if (name === STORES.messages) {
        store.createIndex(MESSAGE_INDEXES.byConversation, 'conversationId');
        store.createIndex(MESSAGE_INDEXES.byMessageId, 'messageId');
      }
    }
  }
}

/** Wraps one request in a promise. */
export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/** Resolves when a transaction committed, rejects when it aborted. */
export function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
  });
}

/**
 * A small promise layer over the device database. Each call is its own transaction; `write`
 * groups several puts and deletes in one, so they land together or not at all.
 */
export class DeviceDatabase {
  private constructor(private readonly db: IDBDatabase) {}

  /** Opens (and creates or upgrades) the device database. */
  static async open(factory: IDBFactory = indexedDB, name = DEVICE_DATABASE_NAME): Promise<DeviceDatabase> {
    const request = factory.open(name, DEVICE_DATABASE_VERSION);
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
    const db = await requestResult(request);
    // Another tab upgrading the schema: let it, this tab reloads into the new version.
    db.onversionchange = () => db.close();
    return new DeviceDatabase(db);
  }

  /** Deletes the whole device database (sign-out of this browser). */
  static async destroy(factory: IDBFactory = indexedDB, name = DEVICE_DATABASE_NAME): Promise<void> {
    await requestResult(factory.deleteDatabase(name));
  }

  async get<T>(store: StoreName, key: IDBValidKey): Promise<T | undefined> {
    const transaction = this.db.transaction(store, 'readonly');
    return (await requestResult(transaction.objectStore(store).get(key))) as T | undefined;
  }

  async put(store: StoreName, key: IDBValidKey, value: unknown): Promise<void> {
    await this.write([{ store, key, value }]);
  }

  async delete(store: StoreName, key: IDBValidKey): Promise<void> {
    await this.write([{ store, key, value: undefined }]);
  }

  /** Puts (or, with `value: undefined`, deletes) several records atomically. */
  async write(changes: readonly { store: StoreName; key: IDBValidKey; value: unknown }[]): Promise<void> {
    if (changes.length === 0) return;
    const stores = [...new Set(changes.map((change) => change.store))];
    const transaction = this.db.transaction(stores, 'readwrite');
    const done = transactionDone(transaction);
    for (const { store, key, value } of changes) {
      if (value === undefined) transaction.objectStore(store).delete(key);
      else transaction.objectStore(store).put(value, key);
    }
    // Commit now rather than when this task ends: the caller may go on with long synchronous work
    // (a decrypted call offer is acted on while its session is stored).
    transaction.commit();
    await done;
  }

  /** Every [key, value] of a store whose key lies in `range` (all when omitted), in key order. */
  async entries<T>(store: StoreName, range?: IDBKeyRange): Promise<[IDBValidKey, T][]> {
    const transaction = this.db.transaction(store, 'readonly');
    const objects = transaction.objectStore(store);
    const [keys, values] = await Promise.all([requestResult(objects.getAllKeys(range)), requestResult(objects.getAll(range))]);
    return keys.map((key, index) => [key, values[index] as T]);
  }

  /** Every value of a store's index equal to `key`. */
  async byIndex<T>(store: StoreName, index: string, key: IDBValidKey): Promise<T[]> {
    const transaction = this.db.transaction(store, 'readonly');
    return (await requestResult(transaction.objectStore(store).index(index).getAll(key))) as T[];
  }

  /** Empties the given stores. */
  async clear(stores: readonly StoreName[]): Promise<void> {
    const transaction = this.db.transaction([...stores], 'readwrite');
    const done = transactionDone(transaction);
    for (const store of stores) transaction.objectStore(store).clear();
    await done;
  }

  close(): void {
    this.db.close();
  }
}
