import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GROUP_CALL_MAX_PARTICIPANTS, type SfuEvent } from '@parley/contracts';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import type { DeviceAddress } from '../storage/storage.js';
import { tempFolder } from '../testing/test-support.js';
import { GroupCalls } from './group-calls.js';
import { FakeRooms } from './fake-rooms.js';
import { RoomSecrets } from './room-secret.js';
import { SfuError } from './sfu-error.js';

const device = (userId: string, deviceId = 1): DeviceAddress => ({ userId, deviceId });

/** Collects the events one participant's device is sent. */
function sink() {
  const events: SfuEvent[] = [];
  return Object.assign((event: SfuEvent) => void events.push(event), { events });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SfuError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the group-call registry', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let storage: SqliteStorage;
  let rooms: FakeRooms;
  let clock: ManualClock;
  let calls: GroupCalls;
  const log = pino({ level: 'silent' });
  const registry = () =>
    new GroupCalls({ storage, rooms, secrets: RoomSecrets.fromDataDir(folder.path), clock, log, emptyCallTimeoutMs: 5 * 60_000 });

  beforeEach(async () => {
    folder = await tempFolder();
    clock = new ManualClock(1_700_000_000_000);
    storage = new SqliteStorage({ dataDir: folder.path, clock });
    await storage.open();
    rooms = new FakeRooms();
    calls = registry();
  });
  afterEach(async () => {
    await storage.close();
    await folder.remove();
  });

  it('creates a call with an unguessable id, its creator invited, and a room with a derived secret', async () => {
    const { callId } = await calls.create(device('alice'), ['bob', 'carol', 'bob']);
    expect(callId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const stored = await storage.groupCall(callId);
    expect(stored).toMatchObject({ callId, creator: 'alice', invitees: ['alice', 'bob', 'carol'], createdAt: clock.now() });
    expect(rooms.rooms.get(stored!.roomId)?.secret).toBe(RoomSecrets.fromDataDir(folder.path).secretFor(callId));
    expect((await calls.create(device('alice'), ['bob'])).callId).not.toBe(callId);
  });

  it(`holds at most ${GROUP_CALL_MAX_PARTICIPANTS} invitees and participants`, async () => {
    const others = Array.from({ length: GROUP_CALL_MAX_PARTICIPANTS - 1 }, (_, i) => `user${i}`);
    const { callId } = await calls.create(device('alice'), others);
    await calls.join(device('alice'), callId, sink());
    expect(await refusal(calls.invite(device('alice'), callId, ['one-too-many']))).toBe('call_full');
    expect(await refusal(calls.create(device('alice'), [...others, 'one-too-many']))).toBe('call_full');
    for (const user of others) await calls.join(device(user), callId, sink());
    // A second device of an invited user would be participant 33.
    expect(await refusal(calls.join(device('user0', 2), callId, sink()))).toBe('call_full');
  });

  it('lets only invited users in, and only joined devices invite', async () => {
    const { callId } = await calls.create(device('alice'), ['bob']);
    expect(await refusal(calls.join(device('mallory'), callId, sink()))).toBe('not_invited');
    expect(await refusal(calls.join(device('bob'), 'no-such-call', sink()))).toBe('call_not_found');
    expect(await refusal(calls.invite(device('bob'), callId, ['carol']))).toBe('not_joined');
    expect(await refusal(calls.participant(device('bob'), callId))).toBe('not_joined');
    await calls.join(device('bob'), callId, sink());
    await calls.invite(device('bob'), callId, ['carol']);
    expect((await storage.groupCall(callId))?.invitees).toEqual(['alice', 'bob', 'carol']);
    // Any device of an invited user may join.
    await calls.join(device('carol', 3), callId, sink());
  });

  it('hands out indexes that are never reused, across rejoins and a server restart', async () => {
    const { callId } = await calls.create(device('alice'), ['bob']);
    const alice = sink();
    expect((await calls.join(device('alice'), callId, alice)).self.index).toBe(0);
    const bob = await calls.join(device('bob'), callId, sink());
    expect(bob.self.index).toBe(1);
    expect(bob.participants.map((p) => p.index)).toEqual([0]);
    expect(alice.events).toEqual([{ kind: 'joined', participant: expect.objectContaining({ index: 1, userId: 'bob', publishing: false }) }]);

    // Bob's device joins again: its earlier presence goes, it gets a new index.
    const again = await calls.join(device('bob'), callId, sink());
    expect(again.self.index).toBe(2);
    expect(alice.events.slice(1)).toEqual([
      { kind: 'left', participant: 1 },
      { kind: 'joined', participant: expect.objectContaining({ index: 2 }) },
    ]);

    // A new registry on the same database (a server restart) continues the numbering.
    const restarted = registry();
    expect((await restarted.join(device('bob'), callId, sink())).self.index).toBe(3);
  });

  it('grants each joining device its own token and revokes it when the device leaves', async () => {
    const { callId } = await calls.create(device('alice'), ['bob']);
    const room = rooms.rooms.get((await storage.groupCall(callId))!.roomId)!;
    const alice = await calls.join(device('alice'), callId, sink());
    const bob = await calls.join(device('bob'), callId, sink());
    expect(alice.self.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(alice.self.token).not.toBe(bob.self.token);
    expect([...room.allowed]).toEqual([alice.self.token, bob.self.token]);
    expect(alice.self.feed).toBe(1);
    expect(rooms.load.get('ws://janus-a')).toBe(2);

    await calls.leave(callId, bob.self.index);
    expect([...room.allowed]).toEqual([alice.self.token]);
    expect(rooms.load.get('ws://janus-a')).toBe(1);

    // Neither the tokens nor the room secret are in the database files; the call id is.
    const files = readdirSync(folder.path).filter((name) => name.startsWith('parley.sqlite'));
    const bytes = files.map((name) => readFileSync(join(folder.path, name)).toString('latin1')).join('');
    expect(bytes).toContain(callId);
    for (const secret of [alice.self.token, bob.self.token, room.secret]) expect(bytes).not.toContain(secret);
  });

  it('ends the call when the last participant leaves: room destroyed, record gone', async () => {
    const { callId } = await calls.create(device('alice'), ['bob']);
    const roomId = (await storage.groupCall(callId))!.roomId;
    const alice = sink();
    await calls.join(device('alice'), callId, alice);
    const bob = await calls.join(device('bob'), callId, sink());
    await calls.leave(callId, bob.self.index);
    expect(alice.events.at(-1)).toEqual({ kind: 'left', participant: 1 });
    expect(rooms.rooms.has(roomId)).toBe(true);
    await calls.leave(callId, 0);
    expect(rooms.rooms.has(roomId)).toBe(false);
    expect(await storage.groupCall(callId)).toBeUndefined();
    expect(await refusal(calls.join(device('alice'), callId, sink()))).toBe('call_not_found');
  });

  it('ends a call nobody joined within the timeout, by the injected clock', async () => {
    const { callId: idle } = await calls.create(device('alice'), ['bob']);
    const { callId: busy } = await calls.create(device('alice'), ['bob']);
    await calls.join(device('bob'), busy, sink());
    clock.advance(5 * 60_000 - 1);
    await calls.sweep();
    expect(await storage.groupCall(idle)).toBeDefined();
    clock.advance(1);
    await calls.sweep();
    expect(await storage.groupCall(idle)).toBeUndefined();
    expect(await storage.groupCall(busy)).toBeDefined();

    // After a restart, stored calls get the full timeout from the start for their devices to return.
    clock.advance(60 * 60_000);
    const restarted = registry();
    await restarted.sweep();
    expect(await storage.groupCall(busy)).toBeDefined();
    clock.advance(5 * 60_000);
    await restarted.sweep();
    expect(await storage.groupCall(busy)).toBeUndefined();
  });

  it('refuses with sfu_unavailable when no SFU is reachable', async () => {
    rooms.up = false;
    expect(await refusal(calls.create(device('alice'), ['bob']))).toBe('sfu_unavailable');
  });

  it('tells the devices of a lost SFU to join again once one is back, and recreates the room on the first rejoin', async () => {
    const { callId } = await calls.create(device('alice'), ['bob']);
    const roomId = (await storage.groupCall(callId))!.roomId;
    const alice = sink();
    const bob = sink();
    await calls.join(device('alice'), callId, alice);
    await calls.join(device('bob'), callId, bob);
    alice.events.length = 0;

    rooms.up = false;
    rooms.rooms.clear();
    calls.roomsLost('ws://janus-a');
    expect(alice.events).toEqual([]);
    expect(await refusal(calls.join(device('alice'), callId, sink()))).toBe('sfu_unavailable');
    rooms.up = true;
    calls.roomsRestored();
    expect(alice.events).toEqual([{ kind: 'restarted' }]);
    expect(bob.events.at(-1)).toEqual({ kind: 'restarted' });
    expect(await refusal(calls.participant(device('alice'), callId))).toBe('not_joined');

    const rejoined = await calls.join(device('alice'), callId, sink());
    expect(rejoined.self.index).toBe(2);
    expect(rejoined.participants).toEqual([]);
    expect(rooms.rooms.get(roomId)?.allowed.has(rejoined.self.token)).toBe(true);
  });

  it('sends talking changes only, and publishing to the others', async () => {
    const { callId } = await calls.create(device('alice'), ['bob']);
    const alice = sink();
    const bob = sink();
    await calls.join(device('alice'), callId, alice);
    await calls.join(device('bob'), callId, bob);
    calls.published(callId, 0);
    expect(bob.events.at(-1)).toEqual({ kind: 'published', participant: expect.objectContaining({ index: 0, publishing: true }) });
    expect(alice.events.some((event) => event.kind === 'published')).toBe(false);
    calls.talking(callId, 0, true);
    calls.talking(callId, 0, true);
    calls.talking(callId, 0, false);
    expect(bob.events.filter((event) => event.kind === 'talking')).toEqual([
      { kind: 'talking', participant: 0, talking: true },
      { kind: 'talking', participant: 0, talking: false },
    ]);
    expect((await calls.participants(callId)).find((p) => p.index === 0)?.publishing).toBe(true);
  });
});
