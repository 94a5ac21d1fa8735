import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HistoryMessage } from './messenger-api.js';
import { linkNewDevice, RunningDevices, type TestDevice } from './testing/index.js';

const running = new RunningDevices();
afterEach(() => running.stop());

const self = (device: TestDevice) => device.setup.credentials;
const bodies = (messages: readonly HistoryMessage[]) => messages.map((m) => `${m.direction} ${m.body}`);
const history = (device: TestDevice, conversationId: string) => firstValueFrom(device.messenger.history$(conversationId));

describe('history transfer to a newly linked device', () => {
  it('sends the chosen months of 1:1 history over Signal; the new device lists the conversation with its last message, the others keep nothing of it', async () => {
    const { server, devices } = await running.world(['ada', 'bob']);
    const [ada, bob] = devices as [TestDevice, TestDevice];
    await ada.messenger.findUser('bob');
    await ada.messenger.sendText(self(bob).userId, 'hello bob');
    await vi.waitFor(async () => expect(bodies(await history(bob, self(ada).userId))).toEqual(['in hello bob']));
    await bob.messenger.sendText(self(ada).userId, 'hello ada');
    await vi.waitFor(async () => expect(bodies(await history(ada, self(bob).userId))).toEqual(['out hello bob', 'in hello ada']));

    const ada2 = await linkNewDevice(server, ada);
    const ada3 = await linkNewDevice(server, ada);
    running.push(ada2, ada3);
    // Nothing with zero months.
    expect(await ada.messenger.sendRecentHistory(self(ada3).deviceId, 0)).toEqual({ messages: 0, parts: 0 });
    expect(await ada.messenger.sendRecentHistory(self(ada3).deviceId, 1)).toEqual({ messages: 2, parts: 1 });

    await vi.waitFor(async () => expect(bodies(await history(ada3, self(bob).userId))).toEqual(['out hello bob', 'in hello ada']));
    const list = await firstValueFrom(ada3.messenger.conversations$);
    expect(list.map((c) => [c.peer.displayName, c.lastMessage?.body, c.unread])).toEqual([['bob', 'hello ada', 0]]);
    // The other linked device got the same parts (the relay wants every device) and dropped them.
    expect(bodies(await history(ada2, self(bob).userId))).toEqual([]);

    // The imported conversation goes on as any other.
    await bob.messenger.sendText(self(ada).userId, 'after the transfer');
    await vi.waitFor(async () => expect(bodies(await history(ada3, self(bob).userId))).toEqual(['out hello bob', 'in hello ada', 'in after the transfer']));
  });
});
