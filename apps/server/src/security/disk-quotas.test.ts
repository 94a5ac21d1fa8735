/**
 * Holes (issue 21, "Disk. Nothing bounds what is stored"): a device could queue garbage for a
 * device that never connects at its send rate forever; an upload could pile up one-time prekeys
 * without end; every "show a link code" stored another code; a user could open group calls
 * without end. Through a real server, SQLite file and relay WebSocket, with the limits of
 * disk-limits.ts turned down so a test reaches them in a few sends.
 */
import { RELAY_PATH } from '@parley/contracts';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import type { ServerConfig } from '../config.js';
import { DEFAULT_DISK_LIMITS } from '../limits/disk-limits.js';
import { GroupCalls } from '../sfu/group-calls.js';
import { RoomSecrets } from '../sfu/room-secret.js';
import { SfuError } from '../sfu/sfu-error.js';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import { TestIdentity } from '../testing/test-keys.js';
import { type TestDevice, TestRelayClient, serverPerTest, tempFolder } from '../testing/test-support.js';

const ct = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');

describe('security: what one device can make the server store is bounded', () => {
  const perTest = serverPerTest({ rateLimits: null });
  const { clients } = perTest;
  const start = (overrides: Partial<ServerConfig> = {}) => perTest.start(overrides);
  const connect = async (device: TestDevice) => {
    const client = await TestRelayClient.signedIn(perTest.api, RELAY_PATH, device.token);
    clients.push(client);
    await client.settle();
    return client;
  };
  /** A second device of `owner`'s account, through the linking routes. */
  const link = (owner: TestDevice, identity: TestIdentity) => perTest.http.linkDevice(owner, identity);
  /** Sends `bytes` of ciphertext to each of `deviceIds` of `to` and returns the server's result. */
  const send = async (from: TestRelayClient, id: string, to: TestDevice, deviceIds: number[], bytes = 16) => {
    from.send({ t: 'send', id, to: to.userId, messages: deviceIds.map((deviceId) => ({ deviceId, type: 2, ciphertext: ct(bytes) })) });
    return from.until('result');
  };
  const queued = async (device: TestDevice) => (await perTest.server.storage.pendingEnvelopes(device, 0, 1_000)).length;


  it('a send past a device’s envelope quota is refused with queue_full, naming no one, and frees up as the device acks', async () => {
    await start({ diskLimits: { ...DEFAULT_DISK_LIMITS, queueEnvelopes: 3 } });
    const alice = await perTest.http.register(new TestIdentity().account('quota.alice'));
    const bob = await perTest.http.register(new TestIdentity().account('quota.bob'));
    const sender = await connect(alice);

    for (const id of ['m1', 'm2', 'm3']) expect(await send(sender, id, bob, [1])).toMatchObject({ ref: id, ok: true });
    const refused = await send(sender, 'm4', bob, [1]);
    expect(refused).toMatchObject({ t: 'result', ref: 'm4', ok: false, code: 'queue_full' });
    expect(refused.message).not.toContain(bob.userId);
    expect(await queued(bob)).toBe(3);

    // The recipient comes back and reads one: there is room for one more.
    const reader = await connect(bob);
    const first = await reader.until('deliver');
    reader.send({ t: 'ack', id: first.id });
    await reader.until('deliver');
    await expect.poll(() => queued(bob)).toBe(2);
    expect(await send(sender, 'm5', bob, [1])).toMatchObject({ ref: 'm5', ok: true });
  });

  it('a send past a device’s byte quota is refused with queue_full', async () => {
    await start({ diskLimits: { ...DEFAULT_DISK_LIMITS, queueBytes: 1_000 } });
    const alice = await perTest.http.register(new TestIdentity().account('bytes.alice'));
    const bob = await perTest.http.register(new TestIdentity().account('bytes.bob'));
    const sender = await connect(alice);

    expect(await send(sender, 'big1', bob, [1], 600)).toMatchObject({ ok: true });
    expect(await send(sender, 'big2', bob, [1], 600)).toMatchObject({ ok: false, code: 'queue_full' });
    // What still fits goes through: the quota is on bytes, not on a count.
    expect(await send(sender, 'small', bob, [1], 400)).toMatchObject({ ok: true });
    expect(await queued(bob)).toBe(2);
  });

  it('a message to several devices is all or nothing: one full device means no copy is queued for any', async () => {
    await start({ diskLimits: { ...DEFAULT_DISK_LIMITS, queueEnvelopes: 2 } });
    const identity = new TestIdentity();
    const bob = await perTest.http.register(identity.account('allornothing.bob'));
    const bobLaptop = await link(bob, identity);
    const alice = await perTest.http.register(new TestIdentity().account('allornothing.alice'));
    const sender = await connect(alice);
    const both = [bob.deviceId, bobLaptop.deviceId];
    expect(await send(sender, 'a', bob, both)).toMatchObject({ ok: true });
    expect(await send(sender, 'b', bob, both)).toMatchObject({ ok: true });
    // The phone reads both; the laptop stays away with a full queue.
    const phone = await connect(bob);
    for (let i = 0; i < 2; i++) phone.send({ t: 'ack', id: (await phone.until('deliver')).id });
    await expect.poll(() => queued(bob)).toBe(0);

    expect(await send(sender, 'c', bob, both)).toMatchObject({ ok: false, code: 'queue_full' });
    expect(await queued(bob)).toBe(0);
    expect(await queued(bobLaptop)).toBe(2);
  });

  it('the quota holds the same when commits run on the commit thread (a worker with its own connection)', async () => {
    await start({ relayCommitThread: true, diskLimits: { ...DEFAULT_DISK_LIMITS, queueEnvelopes: 1 } });
    const alice = await perTest.http.register(new TestIdentity().account('thread.alice'));
    const bob = await perTest.http.register(new TestIdentity().account('thread.bob'));
    const sender = await connect(alice);
    expect(await send(sender, 't1', bob, [1])).toMatchObject({ ok: true });
    expect(await send(sender, 't2', bob, [1])).toMatchObject({ ok: false, code: 'queue_full' });
    expect(await queued(bob)).toBe(1);
  });

  it('a retry of a message already queued is still answered ok when the queue is full', async () => {
    await start({ diskLimits: { ...DEFAULT_DISK_LIMITS, queueEnvelopes: 1 } });
    const alice = await perTest.http.register(new TestIdentity().account('retry.alice'));
    const bob = await perTest.http.register(new TestIdentity().account('retry.bob'));
    const sender = await connect(alice);
    expect(await send(sender, 'once', bob, [1])).toMatchObject({ ok: true });
    expect(await send(sender, 'once', bob, [1])).toMatchObject({ ref: 'once', ok: true });
    expect(await send(sender, 'twice', bob, [1])).toMatchObject({ ok: false, code: 'queue_full' });
    expect(await queued(bob)).toBe(1);
  });

  it('the quota counts survive a restart: they are kept in the database, not in memory', async () => {
    await start({ diskLimits: { ...DEFAULT_DISK_LIMITS, queueEnvelopes: 2 } });
    const alice = await perTest.http.register(new TestIdentity().account('restart.alice'));
    const bob = await perTest.http.register(new TestIdentity().account('restart.bob'));
    let sender = await connect(alice);
    expect(await send(sender, 'r1', bob, [1])).toMatchObject({ ok: true });
    expect(await send(sender, 'r2', bob, [1])).toMatchObject({ ok: true });
    for (const client of clients.splice(0)) client.close();
    await perTest.server.stop();
    await start({ diskLimits: { ...DEFAULT_DISK_LIMITS, queueEnvelopes: 2 } });
    sender = await connect(alice);
    expect(await send(sender, 'r3', bob, [1])).toMatchObject({ ok: false, code: 'queue_full' });
  });

  it('an upload past 200 one-time prekeys of a kind is refused with 409 too_many_prekeys, and nothing of it is stored', async () => {
    await start();
    const identity = new TestIdentity();
    const device = await perTest.http.register(identity.account('prekeys.ada', 100));
    const upload = (ec: number, kyber: number) =>
      perTest.http.request('PUT', '/api/keys', {
        token: device.token,
        body: {
          oneTimePreKeys: Array.from({ length: ec }, () => identity.preKey()),
          kyberOneTimePreKeys: Array.from({ length: kyber }, () => identity.kyberPreKey()),
        },
      });
    expect((await upload(100, 0)).status).toBe(204);
    const refused = await upload(1, 1);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('too_many_prekeys');
    expect(await perTest.server.storage.preKeyCounts(device)).toEqual({ oneTimePreKeys: 200, kyberOneTimePreKeys: 100 });
    // Kyber still has room; an honest top-up of what was consumed goes through.
    expect((await upload(0, 100)).status).toBe(204);
    expect(await perTest.server.storage.preKeyCounts(device)).toEqual({ oneTimePreKeys: 200, kyberOneTimePreKeys: 200 });
  });

  it('a new link code replaces the device’s unused ones instead of piling up', async () => {
    await start();
    const owner = await perTest.http.register(new TestIdentity().account('codes.ada'));
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await perTest.http.request('POST', '/api/link/codes', { token: owner.token })).body.linkId);
    const identity = new TestIdentity();
    const request = (linkId: string) => perTest.http.request('POST', '/api/link/requests', { body: { linkId, ephemeralPublicKey: identity.identityKey, mac: ct(32) } });
    expect((await request(codes[0]!)).status).toBe(404);
    expect((await request(codes[4]!)).status).toBe(201);
  });
});

describe('security: open group calls per user are capped', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let storage: SqliteStorage;
  const rooms = new Set<number>();

  beforeEach(async () => {
    folder = await tempFolder();
    storage = new SqliteStorage({ dataDir: folder.path, clock: new ManualClock(0) });
    await storage.open();
    rooms.clear();
  });
  afterEach(async () => {
    await storage.close();
    await folder.remove();
  });

  it('a user with 10 open calls is refused an 11th with too_many_calls (and no room is left behind); ending one makes room', async () => {
    const calls = new GroupCalls({
      storage,
      rooms: {
        available: () => true,
        createRoom: async (roomId) => {
          rooms.add(roomId);
          return 'ws://janus';
        },
        destroyRoom: async (_placement, roomId) => void rooms.delete(roomId),
        setTokenAllowed: async () => undefined,
        adjustLoad: () => undefined,
      },
      secrets: RoomSecrets.fromDataDir(folder.path),
      clock: new ManualClock(0),
      log: pino({ level: 'silent' }),
      emptyCallTimeoutMs: 60_000,
      openCallsPerUser: DEFAULT_DISK_LIMITS.openGroupCallsPerUser,
    });
    const creator = { userId: 'caller', deviceId: 1 };
    const opened: string[] = [];
    for (let i = 0; i < 10; i++) opened.push((await calls.create(creator, ['friend'])).callId);
    const refusal = await calls.create(creator, ['friend']).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(SfuError);
    expect((refusal as SfuError).code).toBe('too_many_calls');
    expect(rooms.size).toBe(10);
    // Someone else is not held to this user's calls.
    await calls.create({ userId: 'friend', deviceId: 1 }, ['caller']);
    await calls.end(opened[0]!, 'test');
    await calls.create(creator, ['friend']);
  });
});
