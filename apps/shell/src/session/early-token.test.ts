import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { CredentialsStore } from '../storage/credentials-store.js';
import { DEVICE_DATABASE_NAME, DEVICE_DATABASE_VERSION, DeviceDatabase, STORES } from '../storage/device-database.js';
import { CREDENTIALS_AT, DEVICE_DATABASE, readDeviceToken } from './early-token.js';

const credentials = { userId: 'u-1', deviceId: 2, token: 'secret-token', handle: 'ada', displayName: 'Ada Lovelace' };

describe('readDeviceToken', () => {
  it('names the device database and the credentials as their owners do', () => {
    expect(DEVICE_DATABASE).toBe(DEVICE_DATABASE_NAME);
    expect(CREDENTIALS_AT.store).toBe(STORES.meta);
  });

  it('reads the token onboarding stored, and the database opens normally afterwards', async () => {
    const factory = new IDBFactory();
    const db = await DeviceDatabase.open(factory);
    await new CredentialsStore(db).save(credentials);
    db.close();
    expect(await readDeviceToken(factory)).toBe('secret-token');
    expect(await new CredentialsStore(await DeviceDatabase.open(factory)).load()).toEqual(credentials);
  });

  it('creates no database where there is none, so the device database is later made with its stores', async () => {
    const factory = new IDBFactory();
    expect(await readDeviceToken(factory)).toBeNull();
    expect(await factory.databases()).toEqual([]);
    const db = await DeviceDatabase.open(factory);
    expect(await new CredentialsStore(db).load()).toBeUndefined();
    expect((await factory.databases()).map((d) => d.version)).toEqual([DEVICE_DATABASE_VERSION]);
  });

  it('is null before onboarding, and never holds up deleting the database', async () => {
    const factory = new IDBFactory();
    (await DeviceDatabase.open(factory)).close();
    expect(await readDeviceToken(factory)).toBeNull();
    await DeviceDatabase.destroy(factory);
    expect(await factory.databases()).toEqual([]);
  });
});
