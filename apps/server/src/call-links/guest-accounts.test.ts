import { GuestCreatedSchema, RELAY_CLOSE, RELAY_PATH } from '@parley/contracts';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { DEFAULT_DISK_LIMITS } from '../limits/disk-limits.js';
import { RelayHub } from '../relay/relay-hub.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, type TestDevice, TestRelayClient, tempFolder, testConfig } from '../testing/test-support.js';
import { sweepGuestAccounts } from './guest-accounts.js';
import { createBody, testCallLink } from './test-links.js';

const IDLE = DEFAULT_DISK_LIMITS.guestIdleMs;

/** A guest body: an account request without a handle. */
function guestBody(identity = new TestIdentity(), displayName = 'Visitor') {
  const { handle: _handle, ...body } = identity.account('unused');
  return { ...body, displayName };
}

describe('guest accounts', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  let http: TestApi;
  let api: string;
  let alice: TestDevice;
  const clock = new ManualClock(1_700_000_000_000);

  beforeEach(async () => {
    clock.set(1_700_000_000_000);
    folder = await tempFolder();
    server = createParleyServer(testConfig(folder.path, { clock }));
    api = (await server.start()).api;
    http = new TestApi(api);
    alice = await http.register(new TestIdentity().account('guests.alice'));
  });
  afterEach(async () => {
    await server.stop();
    await folder.remove();
  });

  it('creates a temporary account with a generated handle, found by id but never by handle', async () => {
    const { status, body } = await http.request('POST', '/api/guests', { body: guestBody() });
    expect(status).toBe(201);
    const guest = GuestCreatedSchema.parse(body);
    expect(guest.handle).toMatch(/^guest\.[0-9a-f]{16}$/);
    expect(guest.deviceId).toBe(1);
    expect(await server.storage.accountById(guest.userId)).toMatchObject({ guest: true, displayName: 'Visitor', handle: guest.handle });

    expect((await http.request('GET', `/api/users?handle=${guest.handle}`, { token: alice.token })).status).toBe(404);
    expect((await http.request('GET', `/api/users/${guest.userId}`, { token: alice.token })).body).toMatchObject({ userId: guest.userId, displayName: 'Visitor' });
    // Others can start a Signal session with the guest (that is how media keys reach it).
    expect((await http.request('GET', `/api/keys/${guest.userId}`, { token: alice.token })).status).toBe(200);
    // Accounts with a handle are still found.
    expect((await http.request('GET', '/api/users?handle=guests.alice', { token: guest.token })).status).toBe(200);
  });

  it('checks keys like account creation and refuses a body with a handle or without a name', async () => {
    const bad = guestBody();
    bad.device.signedPreKey = new TestIdentity().signedPreKey();
    expect((await http.request('POST', '/api/guests', { body: bad })).body.error.code).toBe('invalid_signature');
    expect((await http.request('POST', '/api/guests', { body: { ...guestBody(), displayName: ' ' } })).status).toBe(400);
    expect((await http.request('POST', '/api/guests', { raw: '{' })).status).toBe(400);
  });

  it('rate-limits guest creation per address', async () => {
    await server.stop();
    server = createParleyServer(testConfig(folder.path, { clock, rateLimits: { api: { burst: 100, perSecond: 1 }, anonymous: { burst: 2, perSecond: 0.001 }, relaySends: { burst: 1, perSecond: 1 } } }));
    http = new TestApi((await server.start()).api);
    const body = guestBody();
    expect((await http.request('POST', '/api/guests', { body })).status).toBe(201);
    expect((await http.request('POST', '/api/guests', { body: guestBody() })).status).toBe(201);
    const limited = await http.request('POST', '/api/guests', { body: guestBody() });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
  });

  it('cannot create call links', async () => {
    const guest = (await http.request('POST', '/api/guests', { body: guestBody() })).body as TestDevice;
    const refused = await http.request('POST', '/api/call-links', { token: guest.token, body: createBody(testCallLink()) });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'guest_not_allowed' } } });
  });

  it('DELETE /api/accounts/self removes the account, its devices, keys and queue, and closes its socket', async () => {
    const guest = (await http.request('POST', '/api/guests', { body: guestBody() })).body as TestDevice;
    const socket = await TestRelayClient.signedIn(api, RELAY_PATH, guest.token);
    // Something queued for the guest: it goes with the account.
    const sender = await TestRelayClient.signedIn(api, RELAY_PATH, alice.token);
    sender.send({ t: 'send', id: 'm-1', to: guest.userId, messages: [{ deviceId: 1, type: 3, ciphertext: 'AAAA' }] });
    expect(await sender.until('result')).toMatchObject({ ok: true });
    expect(await server.storage.pendingEnvelopes({ userId: guest.userId, deviceId: 1 }, 0, 10)).toHaveLength(1);

    expect((await http.request('DELETE', '/api/accounts/self', { token: guest.token })).status).toBe(204);
    expect((await socket.closed).code).toBe(RELAY_CLOSE.deviceRemoved);
    expect(await server.storage.accountById(guest.userId)).toBeUndefined();
    expect(await server.storage.devices(guest.userId)).toEqual([]);
    expect(await server.storage.pendingEnvelopes({ userId: guest.userId, deviceId: 1 }, 0, 10)).toEqual([]);
    expect(await server.storage.takePreKeyBundles(guest.userId)).toEqual([]);
    // Its token no longer works.
    expect((await http.request('GET', '/api/devices', { token: guest.token })).status).toBe(401);
    sender.close();

    // Any account may delete itself the same way.
    expect((await http.request('DELETE', '/api/accounts/self', { token: alice.token })).status).toBe(204);
    expect(await server.storage.accountById(alice.userId)).toBeUndefined();
    expect((await http.request('DELETE', '/api/accounts/self')).status).toBe(401);
  });

  it('sweeps guest accounts idle for guestIdleMs and leaves accounts alone', async () => {
    const old = (await http.request('POST', '/api/guests', { body: guestBody() })).body as TestDevice;
    clock.advance(IDLE / 2);
    const young = (await http.request('POST', '/api/guests', { body: guestBody() })).body as TestDevice;
    clock.advance(IDLE / 2 - 1);
    const log = pino({ level: 'silent' });
    expect(await sweepGuestAccounts(server.storage, new RelayHub(), clock, log, IDLE)).toBe(0);
    clock.advance(1);
    expect(await sweepGuestAccounts(server.storage, new RelayHub(), clock, log, IDLE)).toBe(1);
    expect(await server.storage.accountById(old.userId)).toBeUndefined();
    expect(await server.storage.accountById(young.userId)).toBeDefined();
    clock.advance(10 * IDLE);
    await sweepGuestAccounts(server.storage, new RelayHub(), clock, log, IDLE);
    expect(await server.storage.accountById(alice.userId)).toBeDefined();
  });
});
