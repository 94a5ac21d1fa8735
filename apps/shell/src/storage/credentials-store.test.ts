import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { CredentialsStore } from './credentials-store.js';
import { DeviceDatabase, STORES } from './device-database.js';

const credentials = { userId: 'u-1', deviceId: 2, token: 'secret-token', handle: 'ada', displayName: 'Ada Lovelace' };

describe('CredentialsStore', () => {
  it('has nothing before onboarding and keeps the credentials across a reopen', async () => {
    const factory = new IDBFactory();
    expect(await new CredentialsStore(await DeviceDatabase.open(factory)).load()).toBeUndefined();
    await new CredentialsStore(await DeviceDatabase.open(factory)).save({ ...credentials, extra: 'dropped' } as typeof credentials);
    expect(await new CredentialsStore(await DeviceDatabase.open(factory)).load()).toEqual(credentials);
  });

  it('treats a malformed record as no credentials, and a destroyed database as a fresh browser', async () => {
    const factory = new IDBFactory();
    const db = await DeviceDatabase.open(factory);
    await db.put(STORES.meta, 'credentials', { userId: 'u-1', deviceId: '2' });
    expect(await new CredentialsStore(db).load()).toBeUndefined();
    await new CredentialsStore(db).save(credentials);
    db.close();
    await DeviceDatabase.destroy(factory);
    expect(await new CredentialsStore(await DeviceDatabase.open(factory)).load()).toBeUndefined();
  });
});
