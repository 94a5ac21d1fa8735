// @parley/signal-protocol/indexeddb: the device's Signal store on IndexedDB. A separate entry so the
// protocol itself stays free of storage; it needs only IndexedDB's types, the IDBFactory is passed in.

export { IndexedDbDatabase, openIndexedDb, type RecordChange } from './indexeddb/database.js';
export { RecordCache } from './indexeddb/record-cache.js';
export { requestResult, transactionDone } from './indexeddb/requests.js';
export { createSignalStores, SIGNAL_STORES, type SignalDatabase, type SignalStoreName } from './indexeddb/schema.js';
export { IndexedDbSignalStore, openSignalDatabase, type SignalStoreOptions } from './indexeddb/signal-store.js';
