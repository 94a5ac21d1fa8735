import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RunningDevices, type TestDevice } from '../testing/index.js';

const running = new RunningDevices();
afterEach(() => running.stop());

const typingIn = (device: TestDevice, conversationId: string) => firstValueFrom(device.messenger.typing$(conversationId));

describe('typing indicators between devices', () => {
  it('the peer sees "typing" while the draft has text and not once it is cleared; nothing is kept in history', async () => {
    const { devices } = await running.world(['ada', 'bob']);
    const [ada, bob] = devices as [TestDevice, TestDevice];
    const adaId = ada.setup.credentials.userId;
    const bobId = bob.setup.credentials.userId;
    await ada.messenger.findUser('bob');
    await ada.messenger.sendText(bobId, 'hi');
    await vi.waitFor(async () => expect(await bob.history.listMessages(adaId)).toHaveLength(1));

    ada.messenger.typingChanged(bobId, 'writing…');
    await vi.waitFor(async () => expect(await typingIn(bob, adaId)).toEqual([adaId]));
    ada.messenger.typingChanged(bobId, '');
    await vi.waitFor(async () => expect(await typingIn(bob, adaId)).toEqual([]));

    expect((await bob.history.listMessages(adaId)).map((m) => m.body)).toEqual(['hi']);
    expect(bob.failures).toEqual([]);
  });
});
