import { afterEach, describe, expect, it, vi } from 'vitest';
import { groupMessageReceipts } from './group-receipts.js';
import { linkNewDevice, RunningDevices, type TestDevice } from './testing/index.js';

const running = new RunningDevices();
afterEach(() => running.stop());

const userId = (device: TestDevice) => device.setup.credentials.userId;

describe('"read by" of a group message across devices', () => {
  it('the sender and their other device keep who read and who has it, with the times, in history', async () => {
    const { server, devices } = await running.world(['ada', 'bob', 'cat']);
    const [ada, bob, cat] = devices as [TestDevice, TestDevice, TestDevice];
    const ada2 = await linkNewDevice(server, ada);
    running.push(ada2);
    const { conversationId: groupId } = await ada.groups.createGroup('Readers', ['bob', 'cat']);
    for (const device of [bob, cat, ada2]) await vi.waitFor(async () => expect((await device.groups.group(groupId))?.members).toHaveLength(3), { timeout: 5_000 });

    const sent = await ada.groups.sendGroupText(groupId, 'who reads this?');
    await vi.waitFor(async () => expect((await cat.history.listMessages(groupId)).map((m) => m.body)).toContain('who reads this?'), { timeout: 5_000 });
    await bob.groups.markRead(groupId, [sent.messageId]);

    for (const device of [ada, ada2]) {
      await vi.waitFor(
        async () => {
          const kept = await device.history.getMessage(userId(ada), sent.messageId);
          const receipts = groupMessageReceipts(kept!);
          expect(receipts.readBy.map((r) => r.userId)).toEqual([userId(bob)]);
          expect(receipts.deliveredTo.map((r) => r.userId)).toEqual([userId(cat)]);
          expect(receipts.readBy[0]!.at).toBeGreaterThan(0);
          expect(receipts.deliveredTo[0]!.at).toBeGreaterThan(0);
        },
        { timeout: 5_000 },
      );
    }
  });
});
