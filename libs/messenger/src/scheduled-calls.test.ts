import { deriveCallLinkKeys } from '@parley/call-links';
import type { ScheduledCallContent } from '@parley/contracts';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ScheduledCall, ScheduledCallDraft } from './scheduled-call.js';
import type { CallLinkService } from './call-services.js';
import { InMemoryScheduledCallStore, ScheduledCalls } from './scheduled-calls.js';
import { exampleScheduledCall, FakeParleyServer, linkNewDevice, registerDevice, RunningDevices, startDevice, type TestDevice } from './testing/index.js';

const running = new RunningDevices();
afterEach(() => running.stop());

const world = (...handles: string[]) => running.world(handles, (handle) => handle.toUpperCase());

const userId = (device: TestDevice) => device.setup.credentials.userId;
const calls = (device: TestDevice) => firstValueFrom(device.scheduledCalls.all$);

async function eventually(device: TestDevice, check: (calls: readonly ScheduledCall[]) => void) {
  await vi.waitFor(async () => check(await calls(device)), { timeout: 5_000 });
}

const HOUR = 3_600_000;
const draft: ScheduledCallDraft = {
  title: 'Roadmap, Q1; part 1',
  description: 'Bring notes',
  startsAt: Date.UTC(2026, 11, 1, 15),
  endsAt: Date.UTC(2026, 11, 1, 16),
  timeZone: 'Europe/Moscow',
};

const notUsed = (): never => {
  throw new Error('not used');
};
const unusedCallLinks: CallLinkService = { create: notUsed, list: notUsed, get: notUsed, update: notUsed, reset: notUsed, revoke: notUsed };

describe('scheduled calls between devices', () => {
  it('a call scheduled in a 1:1 chat reaches the peer and the organizer’s other device; the server holds only the link', async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    const ada2 = await linkNewDevice(server, ada);
    running.push(ada2);
    const heard: ScheduledCallContent[] = [];
    bob.bus.on('content.scheduled-call').subscribe(({ content }) => heard.push(content));

    const call = await ada.scheduledCalls.schedule(userId(bob), draft);
    expect(call).toMatchObject({ ...draft, conversationId: userId(bob), status: 'scheduled', revision: 1, organizer: { userId: userId(ada), displayName: 'ADA' } });
    expect(await calls(ada)).toEqual([call]);

    // Bob keeps it under his conversation with Ada; Ada's second device under hers with Bob.
    await eventually(bob, (list) => expect(list).toEqual([{ ...call, conversationId: userId(ada) }]));
    await eventually(ada2, (list) => expect(list).toEqual([call]));
    expect(heard.map((c) => c.scheduleId)).toEqual([call.scheduleId]);

    // The link is registered under the room id and verifier derived from the secret, which the server never saw.
    const keys = await deriveCallLinkKeys(call.linkSecret);
    expect(server.callLinks.get(keys.roomId)).toMatchObject({ verifier: keys.verifier, revoked: false, link: { creator: { userId: userId(ada) } } });
    const wire = JSON.stringify({ sends: server.sends, links: [...server.callLinks.values()] });
    expect(wire).not.toContain(call.linkSecret);
    expect(wire).not.toContain('Roadmap');
  });

  it('an edit replaces the invitee’s card; a cancellation reaches them and revokes the link', async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    const schedules = ada.scheduledCalls;
    const call = await schedules.schedule(userId(bob), draft);
    await eventually(bob, (list) => expect(list).toHaveLength(1));

    const edited = await schedules.edit(call.scheduleId, { ...draft, title: 'Roadmap (moved)', startsAt: draft.startsAt + HOUR, endsAt: draft.endsAt + HOUR });
    expect(edited).toMatchObject({ revision: 2, title: 'Roadmap (moved)', linkSecret: call.linkSecret });
    await eventually(bob, (list) => expect(list).toEqual([{ ...edited, conversationId: userId(ada) }]));

    // Only the organizer changes it.
    await expect(bob.scheduledCalls.cancel(call.scheduleId)).rejects.toMatchObject({ code: 'invalid' });

    const cancelled = await schedules.cancel(call.scheduleId);
    expect(cancelled).toMatchObject({ status: 'cancelled', revision: 3 });
    await eventually(bob, (list) => expect(list).toEqual([{ ...cancelled, conversationId: userId(ada) }]));
    const { roomId } = await deriveCallLinkKeys(call.linkSecret);
    await vi.waitFor(() => expect(server.callLinks.get(roomId)?.revoked).toBe(true));
    await expect(schedules.edit(call.scheduleId, draft)).rejects.toMatchObject({ code: 'invalid' });
  });

  it('a call scheduled in a group reaches every member under the group id', async () => {
    const { devices } = await world('ada', 'bob', 'cat');
    const [ada, bob, cat] = devices as [TestDevice, TestDevice, TestDevice];
    const { conversationId: groupId } = await ada.groups.createGroup('Climbers', ['bob', 'cat']);
    for (const device of [bob, cat]) await vi.waitFor(async () => expect((await device.groups.group(groupId))?.members).toHaveLength(3));

    const call = await ada.scheduledCalls.schedule(groupId, draft);
    for (const device of [bob, cat]) await eventually(device, (list) => expect(list).toEqual([call]));
  });

  it('survives a restart of the device: the store keeps it', async () => {
    const server = new FakeParleyServer();
    const store = new InMemoryScheduledCallStore();
    const ada = await registerDevice(server, 'ada');
    const bob = await registerDevice(server, 'bob');
    running.push(ada, bob);
    // Bob is offline when Ada schedules; his device starts later over its stores (the shell's IndexedDB).
    bob.stop();
    const call = await ada.scheduledCalls.schedule(userId(bob), draft);
    const again = await startDevice(server, bob.setup, { history: bob.history, scheduledCalls: store });
    running.push(again);
    await eventually(again, (list) => expect(list.map((c) => c.scheduleId)).toEqual([call.scheduleId]));
    again.stop();
    const third = await startDevice(server, bob.setup, { history: bob.history, scheduledCalls: store });
    running.push(third);
    expect((await calls(third)).map((c) => c.scheduleId)).toEqual([call.scheduleId]);
  });
});

describe('what a device believes', () => {
  const self = { userId: 'u-bob', deviceId: 1, handle: 'bob', displayName: 'Bob' };
  function receiver(groups: Record<string, string[]> = {}) {
    const store = new InMemoryScheduledCallStore();
    const schedules = new ScheduledCalls({
      self,
      store,
      sendContent: async () => {},
      groupMembers: async (id) => groups[id],
      callLinks: unusedCallLinks,
      onFailure: () => {},
    });
    return { store, schedules };
  }
  const content = (overrides: Partial<ScheduledCallContent> = {}): ScheduledCallContent => ({
    type: 'scheduled-call',
    ...exampleScheduledCall(draft),
    ...overrides,
  });

  it('keeps only what its organizer sent, about a conversation both are in', async () => {
    const { schedules, store } = receiver({ 'g.1': ['u-ada', 'u-bob'], 'g.2': ['u-ada', 'u-cat'] });
    expect(await schedules.receive({ userId: 'u-eve' }, content())).toBeNull();
    expect(await schedules.receive({ userId: 'u-ada' }, content({ conversationId: 'u-cat' }))).toBeNull();
    expect(await schedules.receive({ userId: 'u-ada' }, content({ scheduleId: 's-2', conversationId: 'g.2' }))).toBeNull();
    expect(await schedules.receive({ userId: 'u-ada' }, content({ scheduleId: 's-3', conversationId: 'g.1' }))).toMatchObject({ conversationId: 'g.1' });
    expect(await schedules.receive({ userId: 'u-ada' }, content())).toMatchObject({ conversationId: 'u-ada' });
    expect((await store.listScheduledCalls()).map((c) => c.scheduleId).sort()).toEqual(['s-1', 's-3']);
  });

  it('a redelivered or older revision changes nothing; the cancellation replaces the card', async () => {
    const { schedules, store } = receiver();
    await schedules.receive({ userId: 'u-ada' }, content({ revision: 2, title: 'New' }));
    expect(await schedules.receive({ userId: 'u-ada' }, content({ revision: 1, title: 'Old' }))).toBeNull();
    expect(await schedules.receive({ userId: 'u-ada' }, content({ revision: 2, title: 'New' }))).toBeNull();
    expect(await schedules.receive({ userId: 'u-ada' }, content({ revision: 3, status: 'cancelled' }))).toMatchObject({ status: 'cancelled' });
    expect(await store.getScheduledCall('s-1')).toMatchObject({ revision: 3, status: 'cancelled', title: 'Roadmap, Q1; part 1' });
  });
});
