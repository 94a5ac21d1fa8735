/**
 * Holes (issue 21, "Disk. Nothing bounds what is stored"): undelivered envelopes, expired link
 * codes and link requests, and abandoned devices stayed forever; guest accounts stayed a day
 * however idle, and were cut after a day even in a call. Through a real server, SQLite file and
 * relay WebSocket, with time moved by a ManualClock and the sweep run as the timer would.
 */
import { RELAY_CLOSE, RELAY_PATH } from '@parley/contracts';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { DEFAULT_DISK_LIMITS } from '../limits/disk-limits.js';
import { SQLITE_FILE_NAME } from '../storage/sqlite-storage.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, type TestDevice, TestRelayClient, tempFolder, testConfig } from '../testing/test-support.js';

const DAY = 24 * 60 * 60 * 1000;
const ct = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');

describe('security: the storage sweeps', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  let http: TestApi;
  let api: string;
  let clock: ManualClock;
  const clients: TestRelayClient[] = [];

  const connect = async (device: TestDevice) => {
    const client = await TestRelayClient.signedIn(api, RELAY_PATH, device.token);
    clients.push(client);
    await client.settle();
    return client;
  };
  const send = async (from: TestRelayClient, id: string, to: TestDevice, deviceIds: number[]) => {
    from.send({ t: 'send', id, to: to.userId, messages: deviceIds.map((deviceId) => ({ deviceId, type: 2, ciphertext: ct(16) })) });
    return from.until('result');
  };
  /** Rows of a table, read from the database file itself. */
  const rows = (table: string) => {
    const db = new Database(join(folder.path, SQLITE_FILE_NAME), { readonly: true });
    try {
      return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    } finally {
      db.close();
    }
  };
  const guestBody = () => {
    const identity = new TestIdentity();
    return { displayName: 'Guest', identityKey: identity.identityKey, device: identity.deviceKeys(2) };
  };
  const linkDevice = (owner: TestDevice, identity: TestIdentity) => http.linkDevice(owner, identity);

  beforeEach(async () => {
    folder = await tempFolder();
    clock = new ManualClock(1_700_000_000_000);
    server = createParleyServer(testConfig(folder.path, { rateLimits: null, clock }));
    ({ api } = await server.start());
    http = new TestApi(api);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.stop();
    await folder.remove();
  });

  it('undelivered envelopes older than 30 days are deleted, newer ones stay, and their room in the quota is freed', async () => {
    const alice = await http.register(new TestIdentity().account('expiry.alice'));
    const bob = await http.register(new TestIdentity().account('expiry.bob'));
    const sender = await connect(alice);
    expect(await send(sender, 'old', bob, [1])).toMatchObject({ ok: true });
    clock.advance(10 * DAY);
    expect(await send(sender, 'newer', bob, [1])).toMatchObject({ ok: true });

    clock.advance(20 * DAY);
    expect((await server.sweepStorage()).envelopes).toBe(0);
    clock.advance(1);
    expect((await server.sweepStorage()).envelopes).toBe(1);
    const left = await server.storage.pendingEnvelopes(bob, 0, 10);
    expect(left.map((envelope) => envelope.messageId)).toEqual(['newer']);
    // The device's count follows: what the quota sees is what is queued.
    const db = new Database(join(folder.path, SQLITE_FILE_NAME), { readonly: true });
    expect(db.prepare('SELECT queued_envelopes, queued_bytes FROM devices WHERE user_id = ?').get(bob.userId)).toEqual({ queued_envelopes: 1, queued_bytes: 16 });
    db.close();
  });

  it('expired link codes and their requests are deleted; live ones stay', async () => {
    const owner = await http.register(new TestIdentity().account('links.ada'));
    const other = await http.register(new TestIdentity().account('links.bob'));
    const { body: code } = await http.request('POST', '/api/link/codes', { token: owner.token });
    const identity = new TestIdentity();
    const { body: req } = await http.request('POST', '/api/link/requests', { body: { linkId: code.linkId, ephemeralPublicKey: identity.identityKey, mac: ct(32) } });
    expect(rows('link_requests')).toBe(1);

    clock.set(code.expiresAt);
    await http.request('POST', '/api/link/codes', { token: other.token });
    expect((await server.sweepStorage()).linkCodes).toBe(1);
    expect(rows('link_codes')).toBe(1);
    expect(rows('link_requests')).toBe(0);
    expect((await http.request('GET', `/api/link/requests/${req.requestId}`)).status).toBe(404);
  });

  it('a guest account idle for an hour is deleted; a guest connected to the relay (in a call) stays however long', async () => {
    const idle = (await http.request('POST', '/api/guests', { body: guestBody() })).body as TestDevice;
    const inCall = (await http.request('POST', '/api/guests', { body: guestBody() })).body as TestDevice;
    const socket = await connect(inCall);

    clock.advance(DEFAULT_DISK_LIMITS.guestIdleMs);
    expect((await server.sweepStorage()).guests).toBe(1);
    expect(await server.storage.accountById(idle.userId)).toBeUndefined();
    expect(await server.storage.accountById(inCall.userId)).toBeDefined();

    // Two days in the call: still there. It leaves, and an hour later it is gone.
    clock.advance(2 * DAY);
    expect((await server.sweepStorage()).guests).toBe(0);
    socket.close();
    await expect.poll(() => server.openRelaySockets()).toBe(0);
    clock.advance(DEFAULT_DISK_LIMITS.guestIdleMs - 1);
    expect((await server.sweepStorage()).guests).toBe(0);
    clock.advance(1);
    expect((await server.sweepStorage()).guests).toBe(1);
    expect(await server.storage.accountById(inCall.userId)).toBeUndefined();
  });

  it('a device unseen for 60 days is removed like a removal: token, keys and queue go, and senders hear devices_changed', async () => {
    const identity = new TestIdentity();
    const bob = await http.register(identity.account('unseen.bob'));
    const laptop = await linkDevice(bob, identity);
    const alice = await http.register(new TestIdentity().account('unseen.alice'));
    const sender = await connect(alice);
    expect(await send(sender, 'to-both', bob, [bob.deviceId, laptop.deviceId])).toMatchObject({ ok: true });

    clock.advance(60 * DAY);
    // Bob's phone is used again (it authenticates), his laptop never is.
    expect((await http.request('GET', '/api/devices', { token: bob.token })).status).toBe(200);
    expect((await server.sweepStorage()).devices).toBe(0);
    clock.advance(1);
    const report = await server.sweepStorage();
    // Alice's device is connected (seen now), Bob's phone was seen a moment ago: only the laptop goes.
    expect(report).toMatchObject({ devices: 1, accounts: 0 });
    expect((await http.request('GET', '/api/devices', { token: laptop.token })).status).toBe(401);
    expect((await http.request('GET', '/api/devices', { token: bob.token })).body.devices.map((d: { deviceId: number }) => d.deviceId)).toEqual([bob.deviceId]);
    expect(await server.storage.pendingEnvelopes(laptop, 0, 10)).toEqual([]);
    expect(await server.storage.preKeyCounts(laptop)).toEqual({ oneTimePreKeys: 0, kyberOneTimePreKeys: 0 });
    expect(await send(sender, 'again', bob, [bob.deviceId, laptop.deviceId])).toMatchObject({ ok: false, code: 'devices_changed', extra: [laptop.deviceId] });
  });

  it('the last device unseen for 60 days takes its account along, as signing out of it would; a connected device is never removed', async () => {
    const gone = await http.register(new TestIdentity().account('unseen.gone'));
    const online = await http.register(new TestIdentity().account('unseen.online'));
    const socket = await connect(online);

    clock.advance(60 * DAY + 1);
    expect(await server.sweepStorage()).toMatchObject({ devices: 1, accounts: 1 });
    expect(await server.storage.accountById(gone.userId)).toBeUndefined();
    expect((await http.request('POST', '/api/accounts', { body: new TestIdentity().account('unseen.gone') })).status).toBe(201);
    // Connected all along, it counts as seen now: 60 days after it disconnects it goes.
    expect(await server.storage.accountById(online.userId)).toBeDefined();
    socket.close();
    expect((await socket.closed).code).not.toBe(RELAY_CLOSE.deviceRemoved);
    clock.advance(60 * DAY + 1);
    expect(await server.sweepStorage()).toMatchObject({ accounts: 2 });
    expect(await server.storage.accountById(online.userId)).toBeUndefined();
  });
});
