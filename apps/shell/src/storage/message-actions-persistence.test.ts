import { createAccount } from '@parley/messenger';
import { apiFor, FakeParleyServer, inMemoryStore, registerDevice, RunningDevices, startDevice, TEST_PREKEY_COUNTS, type TestDevice } from '@parley/messenger/testing';
import { IDBFactory } from 'fake-indexeddb';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeviceDatabase } from './device-database.js';
import { IndexedDbHistoryStore } from './indexeddb-history-store.js';

const running = new RunningDevices();
afterEach(() => running.stop());

const userId = (device: TestDevice) => device.setup.credentials.userId;
const storeOn = async (factory: IDBFactory) => new IndexedDbHistoryStore(await DeviceDatabase.open(factory));

describe('message actions in the device database (issue 18)', () => {
  it('a reply, a reaction, an edit and a delete for everyone are in the history a reload reads', async () => {
    const server = new FakeParleyServer();
    const ada = await registerDevice(server, 'ada');
    const factory = new IDBFactory();
    const bobSetup = await createAccount({ api: apiFor(server), createStore: inMemoryStore, handle: 'bob', displayName: 'bob', preKeyCounts: TEST_PREKEY_COUNTS });
    const bob = await startDevice(server, bobSetup, { history: await storeOn(factory) });
    running.push(ada, bob);

    await ada.messenger.findUser('bob');
    const coffee = await ada.messenger.sendText(userId(bob), 'coffee at 10?');
    const typo = await ada.messenger.sendText(userId(bob), 'see you tomorow');
    await vi.waitFor(async () => expect(await firstValueFrom(bob.messenger.history$(userId(ada)))).toHaveLength(2));
    const [incoming] = await firstValueFrom(bob.messenger.history$(userId(ada)));
    const reply = await bob.messenger.messageActions().reply(userId(ada), 'yes!', incoming!);
    await bob.messenger.messageActions().react(userId(ada), { authorUserId: userId(ada), messageId: typo.messageId }, '👍');
    await ada.messenger.messageActions().edit(userId(bob), typo.messageId, 'see you tomorrow');
    await ada.messenger.messageActions().deleteForEveryone(userId(bob), coffee.messageId);
    await vi.waitFor(async () => expect((await (await storeOn(factory)).getMessage(userId(ada), coffee.messageId))?.deletedAt).toBeDefined());

    // A reload: the page's messenger starts again over what is in IndexedDB.
    bob.stop();
    const reloaded = await startDevice(server, bobSetup, { history: await storeOn(factory) });
    running.push(reloaded);
    const shown = await firstValueFrom(reloaded.messenger.history$(userId(ada)));
    expect(shown.map((m) => [m.body, m.deletedAt !== undefined, m.editedAt !== undefined, Object.values(m.reactions ?? {}).map((r) => r.emoji)])).toEqual([
      ['', true, false, []],
      ['see you tomorrow', false, true, ['👍']],
      ['yes!', false, false, []],
    ]);
    expect(shown.find((m) => m.messageId === reply.messageId)?.quote).toEqual({ authorUserId: userId(ada), messageId: coffee.messageId, excerpt: 'coffee at 10?' });
  });
});
