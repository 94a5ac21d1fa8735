import type { ScheduledCall } from '@parley/messenger';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeviceDatabase, STORES } from './device-database.js';
import { IndexedDbGroupStore } from './indexeddb-group-store.js';
import { IndexedDbScheduledCallStore } from './indexeddb-scheduled-call-store.js';

const call = (scheduleId: string, revision = 1): ScheduledCall => ({
  scheduleId,
  conversationId: 'u-bob',
  title: `Call ${scheduleId}`,
  description: '',
  startsAt: Date.UTC(2026, 11, 1, 15),
  endsAt: Date.UTC(2026, 11, 1, 16),
  timeZone: 'Europe/Moscow',
  linkSecret: 'AAAAAAAAAAAAAAAAAAAAAA',
  organizer: { userId: 'u-ada', displayName: 'Ada' },
  status: revision > 1 ? 'cancelled' : 'scheduled',
  revision,
  updatedAt: revision,
});

beforeAll(() => {
  globalThis.IDBKeyRange ??= IDBKeyRange;
});

describe('IndexedDbScheduledCallStore', () => {
  it('keeps scheduled calls across a reload, apart from the other meta values and the groups', async () => {
    const factory = new IDBFactory();
    const db = await DeviceDatabase.open(factory);
    await db.put(STORES.meta, 'registration-id', 42);
    await new IndexedDbGroupStore(db).putGroup({ groupId: 'g.1', name: 'G', members: [], active: true, updatedAt: 1, distributionId: 'd', distributedTo: [] });
    const store = new IndexedDbScheduledCallStore(db);
    await store.putScheduledCall(call('s-1'));
    await store.putScheduledCall(call('s-2'));
    await store.putScheduledCall(call('s-1', 2));
    db.close();

    const after = new IndexedDbScheduledCallStore(await DeviceDatabase.open(factory));
    expect(await after.getScheduledCall('s-1')).toEqual(call('s-1', 2));
    expect(await after.getScheduledCall('s-3')).toBeUndefined();
    expect((await after.listScheduledCalls()).map((c) => c.scheduleId).sort()).toEqual(['s-1', 's-2']);
  });
});
