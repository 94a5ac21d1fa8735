import { groupDecrypt } from '@parley/signal-protocol';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromBase64 } from '@parley/bytes';
import { GROUP_FRAME_SEPARATOR } from './group-chats.js';
import { SENDER_KEY_MESSAGE_TYPE } from './signal-sessions.js';
import type { HistoryMessage } from './messenger-api.js';
import { FakeParleyServer, linkNewDevice, RunningDevices, type TestDevice } from './testing/index.js';

const running = new RunningDevices();
afterEach(() => running.stop());

const world = (...handles: string[]) => running.world(handles);

const userId = (device: TestDevice) => device.setup.credentials.userId;
const bodies = (messages: readonly HistoryMessage[]) => messages.map((m) => m.body);
const history = (device: TestDevice, groupId: string) => firstValueFrom(device.groups.history$(groupId));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expectBodies(device: TestDevice, groupId: string, expected: string[]) {
  await vi.waitFor(async () => expect(bodies(await history(device, groupId))).toEqual(expected), { timeout: 5_000 });
}

/** Waits until `device` knows the group (its state travels over the pairwise session). */
async function knows(device: TestDevice, groupId: string, members: number) {
  await vi.waitFor(async () => expect((await device.groups.group(groupId))?.members).toHaveLength(members), { timeout: 5_000 });
}

/** The group `send` frames of one message (one per member user). */
function groupSends(server: FakeParleyServer, messageId: string) {
  return server.sends.filter((frame) => frame.id.startsWith(messageId + GROUP_FRAME_SEPARATOR) && frame.messages.every((m) => m.type === SENDER_KEY_MESSAGE_TYPE));
}

describe('group chats', () => {
  it('three members exchange texts; each text is encrypted once and the same bytes go to every device', async () => {
    const { server, devices } = await world('ada', 'bob', 'cat');
    const [ada, bob, cat] = devices as [TestDevice, TestDevice, TestDevice];
    const ada2 = await linkNewDevice(server, ada);
    running.push(ada2);

    const created = await ada.groups.createGroup('Climbers', ['bob', 'cat']);
    expect(created).toMatchObject({ kind: 'group', peer: { displayName: 'Climbers' }, group: { name: 'Climbers', active: true } });
    const groupId = created.conversationId;
    for (const device of [bob, cat, ada2]) await knows(device, groupId, 3);
    const list = await firstValueFrom(bob.groups.conversations$);
    expect(list.find((c) => c.conversationId === groupId)).toMatchObject({ kind: 'group', group: { members: expect.arrayContaining([expect.objectContaining({ handle: 'ada' })]) } });

    const first = await ada.groups.sendGroupText(groupId, 'hi all');
    await sleep(2);
    await bob.groups.sendGroupText(groupId, 'hi ada');
    await sleep(2);
    await cat.groups.sendText(groupId, 'hello');
    for (const device of [ada, ada2, bob, cat]) await expectBodies(device, groupId, ['hi all', 'hi ada', 'hello']);
    const mine = await history(ada2, groupId);
    expect(mine.map((m) => m.direction)).toEqual(['out', 'in', 'in']);

    // Once per message: one send per member user, every device gets the very same ciphertext.
    const sends = groupSends(server, first.messageId);
    expect(sends.map((frame) => frame.to).sort()).toEqual([userId(ada), userId(bob), userId(cat)].sort());
    const copies = sends.flatMap((frame) => frame.messages.map((m) => ({ to: `${frame.to}.${m.deviceId}`, ciphertext: m.ciphertext })));
    expect(copies.map((c) => c.to).sort()).toEqual([`${userId(ada)}.2`, `${userId(bob)}.1`, `${userId(cat)}.1`].sort());
    expect(new Set(copies.map((c) => c.ciphertext)).size).toBe(1);
    // Nothing readable in it.
    expect(Buffer.from(copies[0]!.ciphertext, 'base64').toString('latin1')).not.toContain('hi all');
  });

  it('a removed member gets nothing more, and cannot decrypt what is sent after the removal', async () => {
    const { server, devices } = await world('ada', 'bob', 'cat');
    const [ada, bob, cat] = devices as [TestDevice, TestDevice, TestDevice];
    const { conversationId: groupId } = await ada.groups.createGroup('Trio', ['bob', 'cat']);
    for (const device of [bob, cat]) await knows(device, groupId, 3);
    await ada.groups.sendGroupText(groupId, 'before (ada)');
    await sleep(2);
    await bob.groups.sendGroupText(groupId, 'before (bob)');
    for (const device of [ada, bob, cat]) await expectBodies(device, groupId, ['before (ada)', 'before (bob)']);

    await bob.groups.removeMember(groupId, userId(cat));
    await vi.waitFor(async () => expect(await cat.groups.group(groupId)).toMatchObject({ active: false, members: expect.not.arrayContaining([expect.objectContaining({ userId: userId(cat) })]) }));
    await knows(ada, groupId, 2);
    await expect(cat.groups.sendGroupText(groupId, 'still here?')).rejects.toMatchObject({ code: 'invalid' });

    const sendsBefore = server.sends.length;
    const afterAda = await ada.groups.sendGroupText(groupId, 'after (ada)');
    await sleep(2);
    const afterBob = await bob.groups.sendGroupText(groupId, 'after (bob)');
    for (const device of [ada, bob]) await expectBodies(device, groupId, ['before (ada)', 'before (bob)', 'after (ada)', 'after (bob)']);
    await sleep(50);
    await expectBodies(cat, groupId, ['before (ada)', 'before (bob)']);
    // Nothing at all went to the removed member after the removal…
    expect(server.sends.slice(sendsBefore).filter((frame) => frame.to === userId(cat))).toEqual([]);
    // …and the ciphertext, were it to leak, does not decrypt with their keys: new sender keys.
    for (const [sender, message] of [
      [ada, afterAda],
      [bob, afterBob],
    ] as const) {
      const ciphertext = groupSends(server, message.messageId)[0]!.messages[0]!.ciphertext;
      await expect(groupDecrypt(cat.setup.store, { name: userId(sender), deviceId: 1 }, fromBase64(ciphertext))).rejects.toMatchObject({ code: 'no-sender-key-state' });
    }
  });

  it('a member added later reads texts from then on, never earlier ones', async () => {
    const { server, devices } = await world('ada', 'bob', 'dan');
    const [ada, bob, dan] = devices as [TestDevice, TestDevice, TestDevice];
    const { conversationId: groupId } = await ada.groups.createGroup('Pair', ['bob']);
    await knows(bob, groupId, 2);
    const early = await ada.groups.sendGroupText(groupId, 'early');
    await expectBodies(bob, groupId, ['early']);

    await bob.groups.addMembers(groupId, ['dan']);
    await knows(dan, groupId, 3);
    await knows(ada, groupId, 3);
    await ada.groups.sendGroupText(groupId, 'late');
    for (const device of [ada, bob, dan]) await expectBodies(device, groupId, device === dan ? ['late'] : ['early', 'late']);

    // The early ciphertext does not decrypt with the key the newcomer got (its chain starts later).
    const ciphertext = groupSends(server, early.messageId)[0]!.messages[0]!.ciphertext;
    await expect(groupDecrypt(dan.setup.store, { name: userId(ada), deviceId: 1 }, fromBase64(ciphertext))).rejects.toThrow();
  });

  it('decrypts group texts delivered out of order, and before the sender key that opens them', async () => {
    const { server, devices } = await world('ada', 'bob', 'cat');
    const [ada, bob, cat] = devices as [TestDevice, TestDevice, TestDevice];
    const { conversationId: groupId } = await ada.groups.createGroup('Shuffle', ['bob', 'cat']);
    for (const device of [bob, cat]) await knows(device, groupId, 3);
    server.pause(userId(bob), 1);
    for (const body of ['one', 'two', 'three']) {
      await ada.groups.sendGroupText(groupId, body);
      await sleep(2);
    }
    // The sender key first, then three group texts: delivered backwards and one twice.
    expect(server.queued(userId(bob), 1)).toHaveLength(4);
    server.resume(userId(bob), 1, (queue) => [queue[3]!, queue[2]!, queue[3]!, queue[1]!, queue[0]!]);
    await expectBodies(bob, groupId, ['one', 'two', 'three']);
    await expectBodies(cat, groupId, ['one', 'two', 'three']);
    await vi.waitFor(() => expect(server.queued(userId(bob), 1)).toEqual([]));
  });

  it('keeps a group text that arrives before its sender key and before the group itself', async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    await ada.groups.findUser('bob');
    server.pause(userId(bob), 1);
    const { conversationId: groupId } = await ada.groups.createGroup('Late news', ['bob']);
    await ada.groups.sendGroupText(groupId, 'first words');
    // The group's state, the sender key, the text: delivered the other way round.
    expect(server.queued(userId(bob), 1)).toHaveLength(3);
    server.resume(userId(bob), 1, (queue) => [...queue].reverse());
    await expectBodies(bob, groupId, ['first words']);
    expect(await bob.groups.group(groupId)).toMatchObject({ name: 'Late news', active: true });
    expect(bob.failures).toEqual([]);
  });

  describe('receipts', () => {
    /** Ada's copy of one of her messages on `device`: its ticks and each member's. */
    const outgoing = async (device: TestDevice, groupId: string, messageId: string) => (await history(device, groupId)).find((m) => m.messageId === messageId);
    async function expectTicks(device: TestDevice, groupId: string, messageId: string, delivery: string) {
      await vi.waitFor(async () => expect((await outgoing(device, groupId, messageId))?.delivery).toBe(delivery), { timeout: 5_000 });
    }

    it('a group message shows two ticks once every member has it and blue once every member read it, on both sender devices', async () => {
      const { server, devices } = await world('ada', 'bob', 'cat');
      const [ada, bob, cat] = devices as [TestDevice, TestDevice, TestDevice];
      const ada2 = await linkNewDevice(server, ada);
      running.push(ada2);
      const { conversationId: groupId } = await ada.groups.createGroup('Ticks', ['bob', 'cat']);
      for (const device of [bob, cat, ada2]) await knows(device, groupId, 3);

      // Cat is offline: Bob's device got it, Cat's not yet, so one tick.
      server.pause(userId(cat), 1);
      const sent = await ada.groups.sendGroupText(groupId, 'ropes at six');
      expect(sent.memberDelivery).toEqual({ [userId(bob)]: 'sent', [userId(cat)]: 'sent' });
      await expectBodies(bob, groupId, ['ropes at six']);
      await vi.waitFor(async () => expect((await outgoing(ada, groupId, sent.messageId))?.memberDelivery?.[userId(bob)]).toBe('delivered'), { timeout: 5_000 });
      expect((await outgoing(ada, groupId, sent.messageId))?.delivery).toBe('sent');

      server.resume(userId(cat), 1);
      await expectTicks(ada, groupId, sent.messageId, 'delivered');
      await expectTicks(ada2, groupId, sent.messageId, 'delivered');

      // Bob reads it: still two grey ticks until Cat reads it too.
      await bob.groups.markRead(groupId, [sent.messageId]);
      await vi.waitFor(async () => expect((await outgoing(ada, groupId, sent.messageId))?.memberDelivery?.[userId(bob)]).toBe('read'), { timeout: 5_000 });
      expect((await outgoing(ada, groupId, sent.messageId))?.delivery).toBe('delivered');
      await cat.groups.markRead(groupId, [sent.messageId]);
      await expectTicks(ada, groupId, sent.messageId, 'read');
      await expectTicks(ada2, groupId, sent.messageId, 'read');
      for (const device of [ada, ada2, bob, cat]) expect(device.failures).toEqual([]);
    });

    it('receipts travel only as pairwise ciphertext, one per member, never naming the message in the clear', async () => {
      const { server, devices } = await world('ada', 'bob', 'cat');
      const [ada, bob, cat] = devices as [TestDevice, TestDevice, TestDevice];
      const { conversationId: groupId } = await ada.groups.createGroup('Quiet', ['bob', 'cat']);
      for (const device of [bob, cat]) await knows(device, groupId, 3);
      const sent = await ada.groups.sendGroupText(groupId, 'psst');
      await expectTicks(ada, groupId, sent.messageId, 'delivered');
      const toAda = server.sends.filter((frame) => frame.to === userId(ada));
      expect(toAda.length).toBeGreaterThan(0);
      for (const frame of toAda) {
        for (const message of frame.messages) {
          expect(message.type).not.toBe(SENDER_KEY_MESSAGE_TYPE);
          expect(Buffer.from(message.ciphertext, 'base64').toString('latin1')).not.toContain(sent.messageId);
        }
        expect(JSON.stringify(frame)).not.toContain(groupId);
      }
    });

    it('a receipt from someone the message did not go to changes nothing', async () => {
      const { devices } = await world('ada', 'bob', 'cat', 'dan');
      const [ada, bob, cat, dan] = devices as [TestDevice, TestDevice, TestDevice, TestDevice];
      const { conversationId: groupId } = await ada.groups.createGroup('Pair', ['bob', 'cat']);
      for (const device of [bob, cat]) await knows(device, groupId, 3);
      const sent = await ada.groups.sendGroupText(groupId, 'only for us');
      await expectTicks(ada, groupId, sent.messageId, 'delivered');

      // Dan was never sent it: his claim to have read it is ignored.
      await dan.messenger.sendContent(userId(ada), { type: 'receipt', kind: 'read', messageIds: [sent.messageId], at: 1 });
      await bob.groups.markRead(groupId, [sent.messageId]);
      await vi.waitFor(async () => expect((await outgoing(ada, groupId, sent.messageId))?.memberDelivery?.[userId(bob)]).toBe('read'), { timeout: 5_000 });
      const message = await outgoing(ada, groupId, sent.messageId);
      expect(message?.delivery).toBe('delivered');
      expect(Object.keys(message?.memberDelivery ?? {})).not.toContain(userId(dan));
      await cat.groups.markRead(groupId, [sent.messageId]);
      await expectTicks(ada, groupId, sent.messageId, 'read');
    });
  });
});
