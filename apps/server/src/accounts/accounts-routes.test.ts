import { AccountCreatedSchema, PREKEY_LOW_WATERMARK, PreKeyBundlesSchema, RELAY_CLOSE, RELAY_PATH, UserSchema } from '@parley/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { DEFAULT_RATE_LIMITS, type ServerConfig } from '../config.js';
import type { ParleyServer } from '../create-server.js';
import { TestIdentity, withNonCanonicalPadding } from '../testing/test-keys.js';
import { TestApi, type TestDevice, TestRelayClient, serverPerTest } from '../testing/test-support.js';

describe('accounts, users, keys and devices API', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const perTest = serverPerTest({ clock });
  const { clients } = perTest;
  let server: ParleyServer;
  let http: TestApi;
  let api: string;

  const start = async (overrides: Partial<ServerConfig> = {}) => {
    ({ api } = await perTest.start(overrides));
    server = perTest.server;
    http = perTest.http;
  };
  beforeEach(() => start());

  /** Adds a second device to an account through the linking routes. */
  const link = (owner: TestDevice, identity: TestIdentity, oneTime = 3) => http.linkDevice(owner, identity, { oneTime, registrationId: 99 });

  describe('POST /api/accounts', () => {
    it('creates an account with device 1 and a 256-bit token, shown once', async () => {
      const { status, body } = await http.request('POST', '/api/accounts', { body: new TestIdentity().account('alice') });
      expect(status).toBe(201);
      const created = AccountCreatedSchema.parse(body);
      expect(created.deviceId).toBe(1);
      expect(created.userId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(created.token, 'base64url')).toHaveLength(32);
    });

    it('answers 409 handle_taken for a handle in use', async () => {
      await http.register(new TestIdentity().account('alice'));
      const { status, body } = await http.request('POST', '/api/accounts', { body: new TestIdentity().account('alice') });
      expect(status).toBe(409);
      expect(body.error.code).toBe('handle_taken');
    });

    it('refuses a signed prekey whose signature does not verify with the identity key', async () => {
      const body = new TestIdentity().account('alice');
      body.device.signedPreKey = new TestIdentity().signedPreKey();
      const answer = await http.request('POST', '/api/accounts', { body });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toEqual({ code: 'invalid_signature', message: expect.stringContaining('signedPreKey') });
    });

    it('refuses a Kyber prekey signed by another identity', async () => {
      const body = new TestIdentity().account('alice');
      body.device.kyberOneTimePreKeys[1] = new TestIdentity().kyberPreKey();
      const answer = await http.request('POST', '/api/accounts', { body });
      expect(answer.body.error).toEqual({ code: 'invalid_signature', message: expect.stringContaining('kyberOneTimePreKeys.1') });
      // Nothing was stored: the handle is still free.
      expect((await http.request('POST', '/api/accounts', { body: new TestIdentity().account('alice') })).status).toBe(201);
    });

    it('refuses a signature spelled in non-canonical base64 as a malformed request', async () => {
      const body = new TestIdentity().account('alice');
      body.device.signedPreKey.signature = withNonCanonicalPadding(body.device.signedPreKey.signature);
      const answer = await http.request('POST', '/api/accounts', { body });
      expect(answer.status).toBe(400);
      // The contract's schema refuses it before any key check (libs/contracts decodes strictly).
      expect(answer.body.error).toEqual({ code: 'invalid_request', message: 'Invalid body: device.signedPreKey.signature: standard base64 of 64 bytes' });
    });

    it('refuses an identity key of the wrong type', async () => {
      const body = new TestIdentity().account('alice');
      const key = Buffer.from(body.identityKey, 'base64');
      key[0] = 0x06;
      body.identityKey = key.toString('base64');
      const answer = await http.request('POST', '/api/accounts', { body });
      expect(answer.body.error.code).toBe('invalid_key');
    });

    it.each([
      ['malformed JSON', { raw: '{"handle": "alice",' }, 'bad_json'],
      ['a handle with capitals', { body: { ...new TestIdentity().account('x'), handle: 'Alice' } }, 'invalid_request'],
      ['a number where a string belongs', { body: { ...new TestIdentity().account('x'), displayName: 42 } }, 'invalid_request'],
      ['no device keys', { body: { handle: 'alice', displayName: 'A', identityKey: new TestIdentity().identityKey } }, 'invalid_request'],
    ])('answers 400 for %s', async (_case, options, code) => {
      const answer = await http.request('POST', '/api/accounts', options);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe(code);
    });

    it('answers 413 for a body over the limit', async () => {
      const answer = await http.request('POST', '/api/accounts', { raw: JSON.stringify({ pad: 'x'.repeat(600 * 1024) }) });
      expect(answer.status).toBe(413);
      expect(answer.body.error.code).toBe('payload_too_large');
    });

    it('rate-limits account creation per address', async () => {
      await server.stop();
      await start({ rateLimits: { api: { burst: 10, perSecond: 1 }, anonymous: { burst: 1, perSecond: 1 }, relaySends: { burst: 1, perSecond: 1 } } });
      expect((await http.request('POST', '/api/accounts', { body: new TestIdentity().account('alice') })).status).toBe(201);
      const limited = await http.request('POST', '/api/accounts', { body: new TestIdentity().account('bob') });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(limited.headers.get('retry-after')).toBe('1');
      clock.advance(1_000);
      expect((await http.request('POST', '/api/accounts', { body: new TestIdentity().account('bob') })).status).toBe(201);
    });
  });

  describe('users', () => {
    it('finds a user by handle, case-insensitively, and by id, with its devices', async () => {
      const identity = new TestIdentity();
      const alice = await http.register(identity.account('alice'));
      const bob = await http.register(new TestIdentity().account('bob'));
      const byHandle = await http.request('GET', '/api/users?handle=ALICE', { token: bob.token });
      expect(byHandle.status).toBe(200);
      expect(UserSchema.parse(byHandle.body)).toEqual({
        userId: alice.userId,
        handle: 'alice',
        displayName: 'Name of alice',
        identityKey: identity.identityKey,
        devices: [{ deviceId: 1, registrationId: 1234 }],
      });
      expect((await http.request('GET', `/api/users/${alice.userId}`, { token: bob.token })).body).toEqual(byHandle.body);
    });

    it('answers 404 user_not_found, 400 for a bad handle and 401 without a token', async () => {
      const bob = await http.register(new TestIdentity().account('bob'));
      expect((await http.request('GET', '/api/users?handle=nobody', { token: bob.token })).body.error.code).toBe('user_not_found');
      expect((await http.request('GET', '/api/users/nobody', { token: bob.token })).status).toBe(404);
      expect((await http.request('GET', '/api/users?handle=a!', { token: bob.token })).body.error.code).toBe('invalid_request');
      expect((await http.request('GET', '/api/users?handle=bob')).status).toBe(401);
      expect((await http.request('GET', '/api/users?handle=bob', { token: 'A'.repeat(43) })).status).toBe(401);
    });

    it('rate-limits each device on its own', async () => {
      await server.stop();
      await start({ rateLimits: { api: { burst: 2, perSecond: 1 }, anonymous: { burst: 10, perSecond: 10 }, relaySends: { burst: 1, perSecond: 1 } } });
      const alice = await http.register(new TestIdentity().account('alice'));
      const bob = await http.register(new TestIdentity().account('bob'));
      const get = (token: string) => http.request('GET', '/api/users?handle=alice', { token });
      expect([(await get(alice.token)).status, (await get(alice.token)).status, (await get(alice.token)).status]).toEqual([200, 200, 429]);
      expect((await get(bob.token)).status).toBe(200);
    });
  });

  describe('prekeys', () => {
    it('hands out a bundle per device, consuming one one-time key of each kind, then the last-resort Kyber key', async () => {
      const identity = new TestIdentity();
      const body = identity.account('alice', 1);
      const alice = await http.register(body);
      await link(alice, identity, 0);
      const bob = await http.register(new TestIdentity().account('bob'));

      const first = PreKeyBundlesSchema.parse((await http.request('GET', `/api/keys/${alice.userId}`, { token: bob.token })).body);
      expect(first.userId).toBe(alice.userId);
      expect(first.identityKey).toBe(identity.identityKey);
      expect(first.devices.map((d) => d.deviceId)).toEqual([1, 2]);
      const one = first.devices[0]!;
      expect(one.registrationId).toBe(1234);
      expect(one.signedPreKey).toEqual(body.device.signedPreKey);
      expect(one.preKey).toEqual(body.device.oneTimePreKeys[0]);
      expect(one.kyberPreKey).toEqual(body.device.kyberOneTimePreKeys[0]);
      expect(first.devices[1]!.preKey).toBeUndefined();

      const second = PreKeyBundlesSchema.parse((await http.request('GET', `/api/keys/${alice.userId}/1`, { token: bob.token })).body);
      expect(second.devices).toHaveLength(1);
      expect(second.devices[0]!.preKey).toBeUndefined();
      expect(second.devices[0]!.kyberPreKey).toEqual(body.device.kyberLastResortPreKey);
    });

    // These two race the store, not the limits: one requester fetching 20-30 times in a row is over its per-target limit.
    it('gives the last one-time prekey to exactly one of many concurrent fetches', async () => {
      await server.stop();
      await start({ rateLimits: { ...DEFAULT_RATE_LIMITS, bundleFetches: undefined } });
      const alice = await http.register(new TestIdentity().account('alice', 1));
      const bob = await http.register(new TestIdentity().account('bob'));
      const answers = await Promise.all(Array.from({ length: 20 }, () => http.request('GET', `/api/keys/${alice.userId}/1`, { token: bob.token })));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(answers.filter((a) => a.body.devices[0].preKey !== undefined)).toHaveLength(1);
    });

    it('never hands the same one-time key to two concurrent fetches', async () => {
      await server.stop();
      await start({ rateLimits: { ...DEFAULT_RATE_LIMITS, bundleFetches: undefined } });
      const alice = await http.register(new TestIdentity().account('alice', 30));
      const bob = await http.register(new TestIdentity().account('bob'));
      const answers = await Promise.all(Array.from({ length: 30 }, () => http.request('GET', `/api/keys/${alice.userId}`, { token: bob.token })));
      const ids = answers.map((a) => a.body.devices[0].preKey.keyId);
      expect(new Set(ids).size).toBe(30);
    });

    it('answers 404 for an unknown user or device', async () => {
      const bob = await http.register(new TestIdentity().account('bob'));
      expect((await http.request('GET', '/api/keys/nobody', { token: bob.token })).body.error.code).toBe('user_not_found');
      expect((await http.request('GET', `/api/keys/${bob.userId}/9`, { token: bob.token })).body.error.code).toBe('device_not_found');
      expect((await http.request('GET', `/api/keys/${bob.userId}/200`, { token: bob.token })).body.error.code).toBe('invalid_request');
    });

    it('tells the device over the relay when a fetch leaves it below the watermark', async () => {
      const alice = await http.register(new TestIdentity().account('alice', PREKEY_LOW_WATERMARK));
      const bob = await http.register(new TestIdentity().account('bob'));
      const socket = await TestRelayClient.signedIn(api, RELAY_PATH, alice.token);
      clients.push(socket);
      await socket.settle();
      await http.request('GET', `/api/keys/${alice.userId}`, { token: bob.token });
      expect(await socket.next()).toEqual({ t: 'prekeys-low', oneTimePreKeys: PREKEY_LOW_WATERMARK - 1, kyberOneTimePreKeys: PREKEY_LOW_WATERMARK - 1 });
    });

    it('counts, replenishes and rotates a device\'s keys, checking every signature first', async () => {
      const identity = new TestIdentity();
      const alice = await http.register(identity.account('alice', 2));
      expect((await http.request('GET', '/api/keys', { token: alice.token })).body).toEqual({ oneTimePreKeys: 2, kyberOneTimePreKeys: 2 });

      const forged = { oneTimePreKeys: [identity.preKey()], kyberOneTimePreKeys: [new TestIdentity().kyberPreKey()] };
      const refused = await http.request('PUT', '/api/keys', { token: alice.token, body: forged });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('invalid_signature');
      expect((await http.request('GET', '/api/keys', { token: alice.token })).body).toEqual({ oneTimePreKeys: 2, kyberOneTimePreKeys: 2 });

      const signedPreKey = identity.signedPreKey();
      const upload = { signedPreKey, oneTimePreKeys: [identity.preKey(), identity.preKey()], kyberOneTimePreKeys: [identity.kyberPreKey()] };
      expect((await http.request('PUT', '/api/keys', { token: alice.token, body: upload })).status).toBe(204);
      expect((await http.request('GET', '/api/keys', { token: alice.token })).body).toEqual({ oneTimePreKeys: 4, kyberOneTimePreKeys: 3 });
      const bundle = await http.request('GET', `/api/keys/${alice.userId}`, { token: alice.token });
      expect(bundle.body.devices[0].signedPreKey).toEqual(signedPreKey);
    });
  });

  describe('devices', () => {
    it('lists the account\'s devices with their times', async () => {
      const identity = new TestIdentity();
      const alice = await http.register(identity.account('alice'));
      clock.advance(5_000);
      await link(alice, identity);
      const { body } = await http.request('GET', '/api/devices', { token: alice.token });
      expect(body).toEqual({
        devices: [
          { deviceId: 1, registrationId: 1234, createdAt: clock.now() - 5_000, lastSeenAt: clock.now() - 5_000 },
          { deviceId: 2, registrationId: 99, createdAt: clock.now(), lastSeenAt: clock.now() },
        ],
      });
    });

    it('removes another device: its socket closes with deviceRemoved, its token and queue are gone', async () => {
      const identity = new TestIdentity();
      const alice = await http.register(identity.account('alice'));
      const second = await link(alice, identity);
      const bob = await http.register(new TestIdentity().account('bob'));
      const bobSocket = await TestRelayClient.signedIn(api, RELAY_PATH, bob.token);
      clients.push(bobSocket);
      bobSocket.send({ t: 'send', id: 'queued', to: alice.userId, messages: [1, 2].map((deviceId) => ({ deviceId, type: 2, ciphertext: 'AAAA' })) });
      expect(await bobSocket.until('result')).toMatchObject({ ok: true });
      const socket = await TestRelayClient.signedIn(api, RELAY_PATH, second.token);
      clients.push(socket);

      expect((await http.request('DELETE', '/api/devices/2', { token: alice.token })).status).toBe(204);
      expect((await socket.closed).code).toBe(RELAY_CLOSE.deviceRemoved);
      expect((await http.request('GET', '/api/keys', { token: second.token })).status).toBe(401);
      expect((await http.request('GET', '/api/devices', { token: alice.token })).body.devices).toHaveLength(1);
      const db = (server.storage as unknown as { pendingEnvelopes: (d: unknown, a: number, l: number) => Promise<unknown[]> });
      expect(await db.pendingEnvelopes({ userId: alice.userId, deviceId: 2 }, 0, 10)).toEqual([]);
      expect(await db.pendingEnvelopes({ userId: alice.userId, deviceId: 1 }, 0, 10)).toHaveLength(1);
    });

    it('refuses to remove the calling device, an unknown one, or another account\'s', async () => {
      const alice = await http.register(new TestIdentity().account('alice'));
      const identity = new TestIdentity();
      const bob = await http.register(identity.account('bob'));
      await link(bob, identity);
      expect((await http.request('DELETE', '/api/devices/1', { token: alice.token })).body.error.code).toBe('cannot_remove_self');
      // Bob's device 2 is not Alice's to remove: for her it does not exist.
      expect((await http.request('DELETE', '/api/devices/2', { token: alice.token })).body.error.code).toBe('device_not_found');
      expect((await http.request('DELETE', '/api/devices/abc', { token: alice.token })).body.error.code).toBe('invalid_request');
      expect((await http.request('GET', '/api/devices', { token: bob.token })).body.devices).toHaveLength(2);
    });
  });
});
