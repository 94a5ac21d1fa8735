import type { GroupRecord } from '@parley/messenger';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { DeviceDatabase, STORES } from './device-database.js';
import { IndexedDbGroupStore } from './indexeddb-group-store.js';

const group = (groupId: string, name = groupId): GroupRecord => ({
  groupId,
  name,
  members: [{ userId: 'me', handle: 'me', displayName: 'Me' }],
  active: true,
  updatedAt: 1,
  distributionId: '3f1c2d4e-0000-4000-8000-000000000001',
  distributedTo: ['bob.1'],
});

describe('IndexedDbGroupStore', () => {
  it('keeps groups across a reload, lists only groups among the meta values', async () => {
    const factory = new IDBFactory();
    const db = await DeviceDatabase.open(factory);
    await db.put(STORES.meta, 'registration-id', 42);
    const store = new IndexedDbGroupStore(db);
    await store.putGroup(group('g.1', 'One'));
    await store.putGroup(group('g.2'));
    await store.putGroup(group('g.1', 'Renamed'));
    const after = new IndexedDbGroupStore(await DeviceDatabase.open(factory));
    expect(await after.getGroup('g.1')).toEqual(group('g.1', 'Renamed'));
    expect(await after.getGroup('g.3')).toBeUndefined();
    expect((await after.listGroups()).map((g) => g.groupId).sort()).toEqual(['g.1', 'g.2']);
  });
});
