import { DeviceDatabase } from '../storage/device-database.js';

/** The one localStorage entry that outlives a sign-out: the language, which is no one's secret. */
export const KEPT_LOCAL_KEYS: readonly string[] = ['parley.locale'];

/**
 * Forgets the account in this browser (issue 21: sign-out, or removal by another device): the
 * device database goes whole — identity and prekeys, sessions, sender keys, history, contacts,
 * groups, schedules and the device token — and so does every localStorage entry but the language
 * (call-link secrets, the last accepted manifest). `db` is closed first: deleting a database
 * waits for its open connections.
 */
export async function wipeThisBrowser(db: DeviceDatabase, storage: Storage = localStorage, factory: IDBFactory = indexedDB): Promise<void> {
  db.close();
  await DeviceDatabase.destroy(factory);
  for (const key of Object.keys(storage)) {
    if (!KEPT_LOCAL_KEYS.includes(key)) storage.removeItem(key);
  }
}
