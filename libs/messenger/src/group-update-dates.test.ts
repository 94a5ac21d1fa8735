import type { GroupUpdateContent } from '@parley/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAccount } from './account-setup.js';
import { MAX_GROUP_UPDATE_AHEAD_MS } from './group-chats.js';
import { apiFor, FakeParleyServer, inMemoryStore, ManualClock, RunningDevices, startDevice, TEST_PREKEY_COUNTS, type TestDevice } from './testing/index.js';

const running = new RunningDevices();
afterEach(() => running.stop());

/** Devices whose messengers all read one manual clock. */
async function world(clock: ManualClock, ...handles: string[]) {
  const server = new FakeParleyServer();
  const devices: TestDevice[] = [];
  for (const handle of handles) {
    const setup = await createAccount({ api: apiFor(server), createStore: inMemoryStore, handle, displayName: handle, preKeyCounts: TEST_PREKEY_COUNTS });
    devices.push(await startDevice(server, setup, { clock }));
  }
  running.push(...devices);
  return devices;
}

const userId = (device: TestDevice) => device.setup.credentials.userId;

describe('group update dates (issue 21)', () => {
  it('a member cannot pin a group with an update dated far in the future: it is ignored with a notice, later honest updates apply', async () => {
    const clock = new ManualClock();
    const [ada, bob, cat] = (await world(clock, 'ada', 'bob', 'cat')) as [TestDevice, TestDevice, TestDevice];
    const { conversationId: groupId } = await ada.groups.createGroup('Climbers', ['bob']);
    await vi.waitFor(async () => expect((await bob.groups.group(groupId))?.members).toHaveLength(2));

    // Bob, a member, sends ada a state dated a year ahead: renamed, and ada left out of it.
    clock.advance(1_000);
    const forged: GroupUpdateContent = {
      type: 'group-update',
      groupId,
      name: 'Bob owns this now',
      members: [userId(ada), userId(bob)],
      updatedAt: clock.now() + 365 * 24 * 60 * 60_000,
    };
    await bob.groups.sendContent(userId(ada), forged);
    await vi.waitFor(() => expect(ada.failures).toEqual([expect.objectContaining({ code: 'invalid', message: expect.stringMatching(/ahead .* ignored/) })]));
    expect((await ada.groups.group(groupId))?.name).toBe('Climbers');

    // An honest update from a member afterwards (dated now) still applies on ada's device.
    clock.advance(1_000);
    await bob.groups.addMembers(groupId, ['cat']);
    await vi.waitFor(async () => expect((await ada.groups.group(groupId))?.members.map((m) => m.userId)).toContain(userId(cat)));
  });

  it('an update a little ahead (clocks differ) still applies, up to the bound', async () => {
    const clock = new ManualClock();
    const [ada, bob] = (await world(clock, 'ada', 'bob')) as [TestDevice, TestDevice];
    const { conversationId: groupId } = await ada.groups.createGroup('Skewed', ['bob']);
    await vi.waitFor(async () => expect((await bob.groups.group(groupId))?.members).toHaveLength(2));
    const update = (name: string, updatedAt: number): GroupUpdateContent => ({ type: 'group-update', groupId, name, members: [userId(ada), userId(bob)], updatedAt });

    await bob.groups.sendContent(userId(ada), update('Ten minutes fast', clock.now() + 10 * 60_000));
    await vi.waitFor(async () => expect((await ada.groups.group(groupId))?.name).toBe('Ten minutes fast'));
    await bob.groups.sendContent(userId(ada), update('Just past the bound', clock.now() + MAX_GROUP_UPDATE_AHEAD_MS + 1));
    await vi.waitFor(() => expect(ada.failures).toHaveLength(1));
    expect((await ada.groups.group(groupId))?.name).toBe('Ten minutes fast');
  });
});
