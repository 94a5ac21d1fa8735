import { IndexedDbDatabase, SIGNAL_STORES, createSignalStores, openIndexedDb } from '@parley/signal-protocol/indexeddb';

// The device's one IndexedDB database: the Signal store, the message history and the session
// credentials of this browser. Only the shell opens it (ARCHITECTURE "Who owns what").

/** Name of the database; one per browser profile, since a browser profile is one device. */
export const DEVICE_DATABASE_NAME = 'parley-device';

/** Bump with a new case in `upgrade` when a store or index is added. */
export const DEVICE_DATABASE_VERSION = 1;

/** Every object store of the device database: the Signal store's (meta also holds credentials) and the messenger's. */
export const STORES = {
  ...SIGNAL_STORES,
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
    createSignalStores(db);
    db.createObjectStore(STORES.contacts);
    const messages = db.createObjectStore(STORES.messages);
    messages.createIndex(MESSAGE_INDEXES.byConversation, 'conversationId');
    messages.createIndex(MESSAGE_INDEXES.byMessageId, 'messageId');
  }
}

/** The device database (the library's promise layer over its stores). */
export class DeviceDatabase extends IndexedDbDatabase<StoreName> {
  /** Opens (and creates or upgrades) the device database. */
  static async open(factory: IDBFactory = indexedDB, name = DEVICE_DATABASE_NAME): Promise<DeviceDatabase> {
    return new DeviceDatabase(await openIndexedDb(factory, name, DEVICE_DATABASE_VERSION, upgrade));
  }

  /** Deletes the whole device database (sign-out of this browser). */
  static override async destroy(factory: IDBFactory = indexedDB, name = DEVICE_DATABASE_NAME): Promise<void> {
    await IndexedDbDatabase.destroy(factory, name);
  }
}
