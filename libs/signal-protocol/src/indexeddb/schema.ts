import type { IndexedDbDatabase } from './database.js';

// The Signal store's object stores, apart from the store itself: an app that only opens the device
// database (the shell, before it knows whether anyone is signed in) needs no protocol code for it.

/** The object stores an IndexedDbSignalStore (signal-store.ts) keeps its records in. */
export const SIGNAL_STORES = {
  /** Single values by name: identity key pair, registration id (the shell keeps more there). */
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
} as const;

/** Name of one of the {@link SIGNAL_STORES}. */
export type SignalStoreName = (typeof SIGNAL_STORES)[keyof typeof SIGNAL_STORES];

/** What the store needs of its database: a database with (at least) the {@link SIGNAL_STORES}. */
export type SignalDatabase = Pick<IndexedDbDatabase<SignalStoreName>, 'get' | 'put' | 'delete' | 'write'>;

/** Creates the {@link SIGNAL_STORES} (in a database's first upgrade). */
export function createSignalStores(db: IDBDatabase): void {
  for (const name of Object.values(SIGNAL_STORES)) db.createObjectStore(name);
}
