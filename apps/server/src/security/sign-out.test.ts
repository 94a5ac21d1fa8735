/**
 * "Sign out of this browser" on the server (issue 21), through a real server and relay socket:
 * the device goes with its token, prekeys and queue, its relay connection is closed with
 * RELAY_CLOSE.deviceRemoved, and the last device signing out takes its account along.
 */
import { RELAY_CLOSE, RELAY_PATH } from '@parley/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, type TestDevice, TestRelayClient, tempFolder, testConfig } from '../testing/test-support.js';

const ct = (text: string) => Buffer.from(text).toString('base64');

describe('signing a device out', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  let http: TestApi;
  let api: string;

  /** A second device of `owner`'s account, through the linking routes. */
  const link = (owner: TestDevice, identity: TestIdentity) => http.linkDevice(owner, identity);

  beforeEach(async () => {
    folder = await tempFolder();
    server = createParleyServer(testConfig(folder.path, { rateLimits: null }));
    api = (await server.start()).api;
    http = new TestApi(api);
  });
  afterEach(async () => {
    await server.stop();
    await folder.remove();
  });

  it('removes the device: its socket closes as removed, its token, prekeys and queue are gone, the other device stays', async () => {
    const identity = new TestIdentity();
    const phone = await http.register(identity.account('signout.ada'));
    const laptop = await link(phone, identity);
    const socket = await TestRelayClient.signedIn(api, RELAY_PATH, laptop.token);

    expect((await http.request('DELETE', '/api/devices/self', { token: laptop.token })).status).toBe(204);
    expect((await socket.closed).code).toBe(RELAY_CLOSE.deviceRemoved);
    expect((await http.request('GET', '/api/devices', { token: laptop.token })).status).toBe(401);
    expect((await http.request('GET', '/api/devices', { token: phone.token })).body.devices.map((d: { deviceId: number }) => d.deviceId)).toEqual([phone.deviceId]);
    expect(await server.storage.preKeyCounts({ userId: laptop.userId, deviceId: laptop.deviceId })).toMatchObject({ oneTimePreKeys: 0 });
    // Nothing can be queued for it any more: senders are told its device list changed.
    const bob = await http.register(new TestIdentity().account('signout.bob'));
    const sender = await TestRelayClient.signedIn(api, RELAY_PATH, bob.token);
    await sender.settle();
    sender.send({ t: 'send', id: 'm1', to: phone.userId, messages: [phone.deviceId, laptop.deviceId].map((deviceId) => ({ deviceId, type: 2, ciphertext: ct('hi') })) });
    expect(await sender.next()).toMatchObject({ t: 'result', ref: 'm1', ok: false, code: 'devices_changed' });
    sender.close();
  });

  it('the last device signing out takes the account along, and its handle is free again', async () => {
    const only = await http.register(new TestIdentity().account('signout.solo'));
    expect((await http.request('DELETE', '/api/devices/self', { token: only.token })).status).toBe(204);
    expect(await server.storage.accountById(only.userId)).toBeUndefined();
    expect((await http.request('POST', '/api/accounts', { body: new TestIdentity().account('signout.solo') })).status).toBe(201);
  });
});
