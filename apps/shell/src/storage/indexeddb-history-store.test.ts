import type { HistoryMessage } from '@parley/messenger';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { DeviceDatabase } from './device-database.js';
import { IndexedDbHistoryStore } from './indexeddb-history-store.js';

const message = (over: Partial<HistoryMessage> & Pick<HistoryMessage, 'messageId'>): HistoryMessage => ({
  conversationId: 'bob',
  direction: 'in',
  from: { userId: 'bob', deviceId: 1 },
  body: `body of ${over.messageId}`,
  sentAt: 1000,
  storedAt: 2000,
  ...over,
});

async function reopened(factory: IDBFactory) {
  return new IndexedDbHistoryStore(await DeviceDatabase.open(factory));
}

describe('IndexedDbHistoryStore', () => {
  it('keeps messages held during an identity change across a reload (issue 21)', async () => {
    const factory = new IDBFactory();
    const store = await reopened(factory);
    expect(await store.listQuarantined()).toEqual([]);
    const held = [{ t: 'deliver' as const, id: 'e1', from: { userId: 'bob', deviceId: 2 }, type: 3 as const, ciphertext: 'AAEC' }];
    await store.putQuarantined(held);
    expect(await (await reopened(factory)).listQuarantined()).toEqual(held);
  });

  it('keeps the calls across a reload, and a group message with its members\' receipts', async () => {
    const factory = new IDBFactory();
    const store = await reopened(factory);
    expect(await store.listCallEntries()).toEqual([]);
    const calls = [{ callId: 'c1', conversationId: 'bob', peer: { userId: 'bob', displayName: 'Bob' }, direction: 'incoming' as const, media: 'audio' as const, outcome: 'missed' as const, startedAt: 1000, durationMs: null }];
    await store.putCallEntries(calls);
    const sent = message({ messageId: 'g1', conversationId: 'g.climbers', direction: 'out', from: { userId: 'me', deviceId: 1 }, delivery: 'delivered', memberDelivery: { bob: 'read', carol: 'delivered' } });
    await store.putMessage(sent);
    const after = await reopened(factory);
    expect(await after.listCallEntries()).toEqual(calls);
    expect(await after.getMessage('me', 'g1')).toEqual(sent);
  });

  it('keeps a conversation oldest first across a reload, by sentAt then storedAt', async () => {
    const factory = new IDBFactory();
    const store = await reopened(factory);
    await store.putMessage(message({ messageId: 'm3', sentAt: 3000 }));
    await store.putMessage(message({ messageId: 'm1b', sentAt: 1000, storedAt: 5000 }));
    await store.putMessage(message({ messageId: 'm1a', sentAt: 1000, storedAt: 4000 }));
    await store.putMessage(message({ messageId: 'x', conversationId: 'carol', from: { userId: 'carol', deviceId: 1 } }));
    const after = await reopened(factory);
    expect((await after.listMessages('bob')).map((m) => m.messageId)).toEqual(['m1a', 'm1b', 'm3']);
    expect((await after.listMessages('carol')).map((m) => m.messageId)).toEqual(['x']);
    expect(await after.listMessages('nobody')).toEqual([]);
  });

  it('keys messages by sender and id: a replace updates delivery, equal ids of two senders coexist', async () => {
    const store = await reopened(new IDBFactory());
    const out = message({ messageId: 'same', direction: 'out', from: { userId: 'me', deviceId: 1 }, delivery: 'sent' });
    await store.putMessage(out);
    await store.putMessage(message({ messageId: 'same' }));
    await store.putMessage({ ...out, delivery: 'read' });
    expect((await store.getMessage('me', 'same'))?.delivery).toBe('read');
    expect(await store.getMessage('bob', 'other')).toBeUndefined();
    expect((await store.findMessages('same')).map((m) => m.from.userId).sort()).toEqual(['bob', 'me']);
  });

  it('keeps contacts and notices', async () => {
    const factory = new IDBFactory();
    const store = await reopened(factory);
    expect(await store.listNotices()).toEqual([]);
    const bob = { userId: 'bob', handle: 'bob', displayName: 'Bob', identityKey: 'BQ==', deviceIds: [1, 2] };
    await store.putContact(bob);
    await store.putContact({ ...bob, pendingIdentityKey: 'Bg==' });
    await store.putNotices([{ kind: 'identity-changed', userId: 'bob', at: 5 }]);
    const after = await reopened(factory);
    expect(await after.getContact('bob')).toEqual({ ...bob, pendingIdentityKey: 'Bg==' });
    expect(await after.listContacts()).toHaveLength(1);
    expect(await after.listNotices()).toEqual([{ kind: 'identity-changed', userId: 'bob', at: 5 }]);
  });

  it('with cacheContacts, a contact is read from IndexedDB once, every write still reaches it, and readers cannot change it', async () => {
    const factory = new IDBFactory();
    const db = await DeviceDatabase.open(factory);
    const store = new IndexedDbHistoryStore(db, { cacheContacts: true });
    const bob = { userId: 'bob', handle: 'bob', displayName: 'Bob', identityKey: 'a2V5', deviceIds: [1] };
    expect(await store.getContact('bob')).toBeUndefined();
    await store.putContact(bob);

    const reads: string[] = [];
    const get = db.get.bind(db);
    db.get = (name, key) => {
      reads.push(`${name}/${String(key)}`);
      return get(name, key);
    };
    expect(await store.getContact('bob')).toEqual(bob);
    expect(await store.getContact('carol')).toBeUndefined();
    expect(await store.getContact('carol')).toBeUndefined();
    expect(reads).toEqual(['contacts/carol']);

    const cached = await store.getContact('bob');
    expect(() => (cached!.deviceIds as number[]).push(2)).toThrow();
    await store.putContact({ ...bob, deviceIds: [1, 2] });
    expect((await store.getContact('bob'))!.deviceIds).toEqual([1, 2]);
    // A reload reads what was written.
    expect((await (await reopened(factory)).getContact('bob'))!.deviceIds).toEqual([1, 2]);
  });
});
