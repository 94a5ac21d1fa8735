// This device's token, read straight from the device database by the entry (issue 20), so the
// manifest request can start before React and the device session have even downloaded. Plain
// IndexedDB on purpose: the entry may import nothing shared (the Module Federation boundary), so
// the names below repeat device-database.ts and credentials-store.ts (a test keeps them equal).
// It never creates, upgrades or keeps the database open: DeviceDatabase stays its only owner.

/** The device database's name (DEVICE_DATABASE_NAME). */
export const DEVICE_DATABASE = 'parley-device';
/** The store holding the credentials (STORES.meta), and their key there (credentials-store.ts). */
export const CREDENTIALS_AT = { store: 'meta', key: 'credentials' } as const;

/** The stored device token, or null when there is no database, no credentials or anything fails. */
export function readDeviceToken(factory: IDBFactory): Promise<string | null> {
  return new Promise((resolve) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(DEVICE_DATABASE);
    } catch {
      resolve(null);
      return;
    }
    // No database yet: abort, so that this read creates nothing (DeviceDatabase creates it, with its stores).
    request.onupgradeneeded = () => request.transaction?.abort();
    request.onerror = () => resolve(null);
    request.onblocked = () => resolve(null);
    request.onsuccess = () => {
      const db = request.result;
      // Never in the way of DeviceDatabase upgrading or deleting it (sign-out wipes it).
      db.onversionchange = () => db.close();
      try {
        const read = db.transaction(CREDENTIALS_AT.store, 'readonly').objectStore(CREDENTIALS_AT.store).get(CREDENTIALS_AT.key);
        read.onsuccess = () => {
          const token = (read.result as { token?: unknown } | undefined)?.token;
          resolve(typeof token === 'string' && token !== '' ? token : null);
        };
        read.onerror = () => resolve(null);
      } catch {
        resolve(null);
      } finally {
        // Closes once the read's transaction is done.
        db.close();
      }
    };
  });
}
