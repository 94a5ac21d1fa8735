import type { CallEntry } from '@parley/contracts';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { linkNewDevice, RunningDevices, type TestDevice } from './testing/index.js';

const running = new RunningDevices();
afterEach(() => running.stop());

const entriesOf = async (device: TestDevice) => (await firstValueFrom(device.messenger.callHistory().entries$)).map((c) => `${c.callId} ${c.outcome} ${c.durationMs ?? '-'}`);

function call(peer: TestDevice, callId: string, outcome: CallEntry['outcome'], durationMs: number | null = null, startedAt = 1_000): CallEntry {
  const { userId, displayName } = peer.setup.credentials;
  return { callId, conversationId: userId, peer: { userId, displayName }, direction: 'incoming', media: 'audio', outcome, startedAt, durationMs };
}

describe('call history across this user’s devices (Signal-encrypted, through the relay)', () => {
  it('a call taken on one device shows on the other as answered there, with its duration; a missed call is missed on both', async () => {
    const { server, devices } = await running.world(['ada', 'bob']);
    const [ada, bob] = devices as [TestDevice, TestDevice];
    const ada2 = await linkNewDevice(server, ada);
    running.push(ada2);
    await ada.messenger.findUser('bob');

    // Both of Ada's devices rang; the second took it.
    await ada.messenger.keepCallEntry(call(bob, 'c1', 'answered-elsewhere'));
    await ada2.messenger.keepCallEntry(call(bob, 'c1', 'hung-up', 30_000));
    await vi.waitFor(async () => expect(await entriesOf(ada)).toEqual(['c1 answered-elsewhere 30000']), { timeout: 5_000 });
    expect(await entriesOf(ada2)).toEqual(['c1 hung-up 30000']);

    // A call only the first device saw (the second may have been off) is missed on both.
    await ada.messenger.keepCallEntry(call(bob, 'c2', 'missed', null, 2_000));
    await vi.waitFor(async () => expect(await entriesOf(ada2)).toEqual(['c1 hung-up 30000', 'c2 missed -']), { timeout: 5_000 });

    // Opening the Calls view on one clears the badge on the other.
    await ada2.messenger.callHistory().markSeen(2_000);
    await vi.waitFor(async () => expect(await firstValueFrom(ada.messenger.callHistory().seenUpTo$)).toBe(2_000), { timeout: 5_000 });
    for (const device of [ada, ada2, bob]) expect(device.failures).toEqual([]);
  });

  it('ignores call history a contact sends: only this account’s devices may write it', async () => {
    const { devices } = await running.world(['ada', 'bob']);
    const [ada, bob] = devices as [TestDevice, TestDevice];
    await bob.messenger.findUser('ada');
    await bob.messenger.sendContent(ada.setup.credentials.userId, { type: 'call-history', entries: [call(bob, 'forged', 'hung-up', 1)], seenUpTo: 5 });
    // A text sent after it arrives after it (one queue per device): by then the forged one was handled.
    await bob.messenger.sendText(ada.setup.credentials.userId, 'after');
    await vi.waitFor(async () => expect((await firstValueFrom(ada.messenger.history$(bob.setup.credentials.userId))).length).toBe(1), { timeout: 5_000 });
    expect(await entriesOf(ada)).toEqual([]);
    expect(await firstValueFrom(ada.messenger.callHistory().seenUpTo$)).toBe(0);
  });
});
