import { afterEach, describe, expect, it, vi } from 'vitest';
import { RunningDevices, type TestDevice } from '../testing/index.js';

const running = new RunningDevices();
afterEach(() => running.stop());

describe('message search on a device', () => {
  it('finds a text that the server queued while the receiver was away, once it is delivered', async () => {
    const { server, devices } = await running.world(['ada', 'bob']);
    const [ada, bob] = devices as [TestDevice, TestDevice];
    const bobId = bob.setup.credentials.userId;
    await ada.messenger.findUser('bob');
    await ada.messenger.sendText(bobId, 'first hello');
    await vi.waitFor(async () => expect((await bob.messenger.searchMessages('hello')).map((m) => m.body)).toEqual(['first hello']));

    server.pause(bobId, bob.setup.credentials.deviceId);
    await ada.messenger.sendText(bobId, 'Встреча в кафе at noon');
    expect(await bob.messenger.searchMessages('кафе')).toEqual([]);
    server.resume(bobId, bob.setup.credentials.deviceId);
    await vi.waitFor(async () => expect((await bob.messenger.searchMessages('встре')).map((m) => m.body)).toEqual(['Встреча в кафе at noon']));
    expect((await ada.messenger.searchMessages('noon'))[0]).toMatchObject({ direction: 'out', conversationId: bobId });
  });
});
