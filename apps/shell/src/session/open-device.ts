import { CredentialsStore, type DeviceCredentials } from '../storage/credentials-store.js';
import { DeviceDatabase } from '../storage/device-database.js';

/** This browser's device database, and the credentials onboarding left there (null before onboarding). */
export interface OpenedDevice {
  readonly db: DeviceDatabase;
  readonly credentials: DeviceCredentials | null;
}

/**
 * Opens the device database and reads the credentials: all the shell needs to choose between
 * onboarding and the signed-in shell. No protocol or messenger code comes with it, so a first visit
 * sees the onboarding form before any crypto has loaded (device-session.ts loads on demand).
 */
export async function openDevice(factory: IDBFactory = indexedDB): Promise<OpenedDevice> {
  const db = await DeviceDatabase.open(factory);
  return { db, credentials: (await new CredentialsStore(db).load()) ?? null };
}

/** Whether these credentials are a guest's (guests have no handle). */
export const isGuest = (credentials: Pick<DeviceCredentials, 'handle'>): boolean => credentials.handle === '';
