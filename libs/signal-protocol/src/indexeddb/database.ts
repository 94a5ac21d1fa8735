import { requestResult, transactionDone } from './requests.js';

// A small promise layer over one IndexedDB database whose object stores are named by `S`. The
// IDBFactory is always passed in: this library touches no global, so it runs in a page, a worker,
// or against any other IndexedDB implementation.

/** Opens (creating or upgrading with `upgrade`) database `name` at `version`. */
export async function openIndexedDb(
  factory: IDBFactory,
  name: string,
  version: number,
  upgrade: (db: IDBDatabase, oldVersion: number) => void,
): Promise<IDBDatabase> {
  const request = factory.open(name, version);
  request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
  const db = await requestResult(request);
  // Another tab upgrading the schema: let it, this tab reloads into the new version.
  db.onversionchange = () => db.close();
  return db;
}

/** One put (or, with `value: undefined`, delete) of a {@link IndexedDbDatabase.write}. */
export interface RecordChange<S extends string> {
  readonly store: S;
  readonly key: IDBValidKey;
  readonly value: unknown;
}

/**
 * Each call is its own transaction; `write` groups several puts and deletes in one, so they land
 * together or not at all.
 */
export class IndexedDbDatabase<S extends string> {
  constructor(private readonly db: IDBDatabase) {}

  /** Deletes a whole database (sign-out of this browser). */
  static async destroy(factory: IDBFactory, name: string): Promise<void> {
    await requestResult(factory.deleteDatabase(name));
  }

  /** The database's name (to reopen it after {@link IndexedDbDatabase.close}). */
  get name(): string {
    return this.db.name;
  }

  async get<T>(store: S, key: IDBValidKey): Promise<T | undefined> {
    const transaction = this.db.transaction(store, 'readonly');
    return (await requestResult(transaction.objectStore(store).get(key))) as T | undefined;
  }

  async put(store: S, key: IDBValidKey, value: unknown): Promise<void> {
    await this.write([{ store, key, value }]);
  }

  async delete(store: S, key: IDBValidKey): Promise<void> {
    await this.write([{ store, key, value: undefined }]);
  }

  /** Puts (or, with `value: undefined`, deletes) several records atomically. */
  async write(changes: readonly RecordChange<S>[]): Promise<void> {
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
  async entries<T>(store: S, range?: IDBKeyRange): Promise<[IDBValidKey, T][]> {
    const transaction = this.db.transaction(store, 'readonly');
    const objects = transaction.objectStore(store);
    const [keys, values] = await Promise.all([requestResult(objects.getAllKeys(range)), requestResult(objects.getAll(range))]);
    return keys.map((key, index) => [key, values[index] as T]);
  }

  /** Every value of a store's index equal to `key`. */
  async byIndex<T>(store: S, index: string, key: IDBValidKey): Promise<T[]> {
    const transaction = this.db.transaction(store, 'readonly');
    return (await requestResult(transaction.objectStore(store).index(index).getAll(key))) as T[];
  }

  /** Empties the given stores. */
  async clear(stores: readonly S[]): Promise<void> {
    const transaction = this.db.transaction([...stores], 'readwrite');
    const done = transactionDone(transaction);
    for (const store of stores) transaction.objectStore(store).clear();
    await done;
  }

  close(): void {
    this.db.close();
  }
}
