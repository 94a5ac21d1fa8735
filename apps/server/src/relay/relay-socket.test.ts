import { RELAY_CLOSE, RELAY_CLOSE_REASONS, RELAY_MAX_FRAME_BYTES, RELAY_PATH, ServerFrameSchema } from '@parley/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import type { ServerConfig } from '../config.js';
import type { ParleyServer } from '../create-server.js';
import { DELIVERY_WINDOW } from './relay-socket.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, type TestDevice, TestRelayClient, errorOf, serverPerTest } from '../testing/test-support.js';

const ct = (text: string) => Buffer.from(text).toString('base64');

describe('relay WebSocket', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const perTest = serverPerTest({ relayAuthTimeoutMs: 150, clock });
  const { clients } = perTest;
  let server: ParleyServer;
  let api: string;
  let http: TestApi;

  const connect = async () => {
    const client = await TestRelayClient.connect(api, RELAY_PATH);
    clients.push(client);
    return client;
  };
  /** Signs a device in and drops the `prekeys-low` its few test keys cause. */
  const signIn = async (device: TestDevice) => {
    const client = await TestRelayClient.signedIn(api, RELAY_PATH, device.token);
    clients.push(client);
    await client.settle();
    return client;
  };
  /** An account with `devices` devices (the extra ones linked), one-time keys left at `oneTime`. */
  const account = async (handle: string, devices = 1, oneTime = 12): Promise<TestDevice[]> => {
    const identity = new TestIdentity();
    const first = await http.register(identity.account(handle, oneTime));
    const all = [first];
    for (let i = 1; i < devices; i++) all.push(await linkDevice(first, identity, oneTime));
    return all;
  };
  const linkDevice = (owner: TestDevice, identity: TestIdentity, oneTime: number) => http.linkDevice(owner, identity, { oneTime });
  const send = (client: TestRelayClient, id: string, to: string, deviceIds: number[], text = id) =>
    client.send({ t: 'send', id, to, messages: deviceIds.map((deviceId) => ({ deviceId, type: 2, ciphertext: ct(`${text}@${deviceId}`) })) });

  const start = async (overrides: Partial<ServerConfig> = {}) => {
    ({ api } = await perTest.start(overrides));
    server = perTest.server;
    http = perTest.http;
  };
  beforeEach(() => start());

  describe('authentication', () => {
    it('answers a device token with ready: the account\'s user id and the device id', async () => {
      const [alice] = await account('alice');
      const client = await connect();
      client.send({ t: 'auth', token: alice!.token });
      expect(ServerFrameSchema.parse(await client.next())).toEqual({ t: 'ready', userId: alice!.userId, deviceId: 1 });
    });

    it('tells a device on connect that its one-time prekeys are low', async () => {
      const [alice] = await account('alice', 1, 3);
      const client = await connect();
      client.send({ t: 'auth', token: alice!.token });
      await client.until('ready');
      expect(await client.next()).toEqual({ t: 'prekeys-low', oneTimePreKeys: 3, kyberOneTimePreKeys: 3 });
    });

    it('handles frames sent right behind the auth frame, in order', async () => {
      const [alice] = await account('alice');
      const client = await connect();
      client.send({ t: 'auth', token: alice!.token });
      client.send({ t: 'ping' });
      expect(await client.next()).toMatchObject({ t: 'ready' });
      expect(await client.next()).toEqual({ t: 'pong' });
    });

    it('closes with authFailed when no auth frame arrives in time', async () => {
      const client = await connect();
      expect(await client.next()).toEqual({ t: 'error', code: 'auth_timeout', message: expect.any(String) });
      expect((await client.closed).code).toBe(RELAY_CLOSE.authFailed);
    });

    it.each([
      ['an unknown token', 'A'.repeat(43)],
      ['a malformed token', 'not a token'],
    ])('closes with authFailed on %s', async (_case, token) => {
      const client = await connect();
      client.send({ t: 'auth', token });
      expect(await client.next()).toEqual({ t: 'error', code: 'unauthorized', message: expect.any(String) });
      // The code and its reason are the contract's (libs/contracts relay-close), which the client words.
      expect(await client.closed).toEqual({ code: RELAY_CLOSE.authFailed, reason: 'The token is not valid.' });
    });

    it('closes with authFailed when the first frame is not auth', async () => {
      const client = await connect();
      client.send({ t: 'ping' });
      expect(await client.next()).toEqual({ t: 'error', code: 'auth_required', message: expect.any(String) });
      expect((await client.closed).code).toBe(RELAY_CLOSE.authFailed);
    });

    it('closes the older connection of a device as replaced when it connects again', async () => {
      const [alice] = await account('alice');
      const first = await signIn(alice!);
      const second = await signIn(alice!);
      expect(await first.closed).toEqual({ code: RELAY_CLOSE.replaced, reason: RELAY_CLOSE_REASONS.replaced[0] });
      second.send({ t: 'ping' });
      expect(await second.next()).toEqual({ t: 'pong' });
    });
  });

  describe('sending and delivery', () => {
    it('queues a send for every device of the recipient and answers ok; each device gets its own ciphertext', async () => {
      const [alice] = await account('alice');
      const [bob1, bob2] = await account('bob', 2);
      const sender = await signIn(alice!);
      const first = await signIn(bob1!);
      const second = await signIn(bob2!);

      send(sender, 'm-1', bob1!.userId, [1, 2], 'hello');
      expect(await sender.next()).toEqual({ t: 'result', ref: 'm-1', ok: true });
      for (const [client, deviceId] of [[first, 1], [second, 2]] as const) {
        const frame = ServerFrameSchema.parse(await client.next());
        expect(frame).toEqual({
          t: 'deliver',
          id: expect.stringMatching(/^\d+$/),
          messageId: 'm-1',
          from: { userId: alice!.userId, deviceId: 1 },
          type: 2,
          ciphertext: ct(`hello@${deviceId}`),
          serverTimestamp: clock.now(),
        });
      }
    });

    it('sends the copy for the sender\'s other devices, never back to the sending device', async () => {
      const [a1, a2] = await account('alice', 2);
      const first = await signIn(a1!);
      const second = await signIn(a2!);
      send(first, 'self-1', a1!.userId, [2]);
      expect(await first.next()).toEqual({ t: 'result', ref: 'self-1', ok: true });
      expect(await second.next()).toMatchObject({ t: 'deliver', messageId: 'self-1', from: { userId: a1!.userId, deviceId: 1 } });
      first.send({ t: 'ping' });
      expect(await first.next()).toEqual({ t: 'pong' });
    });

    it.each([
      ['a device left out', [1], { missing: [2], extra: [] }],
      ['a device that does not exist', [1, 2, 7], { missing: [], extra: [7] }],
      ['both', [2, 9], { missing: [1], extra: [9] }],
    ])('answers devices_changed for %s, and queues nothing', async (_case, deviceIds, lists) => {
      const [alice] = await account('alice');
      const [bob1] = await account('bob', 2);
      const sender = await signIn(alice!);
      send(sender, 'm', bob1!.userId, deviceIds);
      expect(await sender.next()).toEqual({ t: 'result', ref: 'm', ok: false, code: 'devices_changed', message: expect.any(String), ...lists });
      const bob = await signIn(bob1!);
      bob.send({ t: 'ping' });
      expect(await bob.next()).toEqual({ t: 'pong' });
    });

    it('answers devices_changed when the copy to oneself addresses the sending device', async () => {
      const [a1] = await account('alice', 2);
      const client = await signIn(a1!);
      send(client, 'm', a1!.userId, [1, 2]);
      expect(await client.next()).toMatchObject({ ok: false, code: 'devices_changed', missing: [], extra: [1] });
    });

    it('answers unknown_user for a user id no account has', async () => {
      const [alice] = await account('alice');
      const client = await signIn(alice!);
      send(client, 'm', 'nobody', [1]);
      expect(await client.next()).toMatchObject({ t: 'result', ref: 'm', ok: false, code: 'unknown_user' });
    });

    it('keeps envelopes for an offline device and delivers them on connect, in order', async () => {
      const [alice] = await account('alice');
      const [bob] = await account('bob');
      const sender = await signIn(alice!);
      for (let i = 1; i <= 5; i++) send(sender, `m-${i}`, bob!.userId, [1]);
      for (let i = 1; i <= 5; i++) expect(await sender.next()).toEqual({ t: 'result', ref: `m-${i}`, ok: true });

      const recipient = await signIn(bob!);
      const delivered = [];
      for (let i = 1; i <= 5; i++) delivered.push((await recipient.until('deliver')).messageId);
      expect(delivered).toEqual(['m-1', 'm-2', 'm-3', 'm-4', 'm-5']);
    });

    it('redelivers what was not acked after a reconnect, with the same envelope ids, and deletes what was', async () => {
      const [alice] = await account('alice');
      const [bob] = await account('bob');
      const sender = await signIn(alice!);
      for (let i = 1; i <= 3; i++) send(sender, `m-${i}`, bob!.userId, [1]);
      for (let i = 1; i <= 3; i++) await sender.until('result');

      const first = await signIn(bob!);
      const frames = [await first.until('deliver'), await first.until('deliver'), await first.until('deliver')];
      first.send({ t: 'ack', id: frames[0].id });
      first.send({ t: 'ack', id: frames[2].id });
      first.send({ t: 'ping' });
      await first.until('pong');
      first.close();
      await first.closed;
      // Acks commit with a later batch than the pong (on PostgreSQL, noticeably later): wait for it.
      await expect.poll(async () => (await server.storage.pendingEnvelopes({ userId: bob!.userId, deviceId: 1 }, 0, 10)).length).toBe(1);

      const second = await signIn(bob!);
      const again = await second.until('deliver');
      expect(again).toMatchObject({ id: frames[1].id, messageId: 'm-2' });
      second.send({ t: 'ping' });
      expect(await second.next()).toEqual({ t: 'pong' });
    });

    it('treats a replayed send (same id from the same device) as a retry: ok, delivered once', async () => {
      const [alice] = await account('alice');
      const [bob] = await account('bob');
      const sender = await signIn(alice!);
      send(sender, 'same', bob!.userId, [1]);
      send(sender, 'same', bob!.userId, [1]);
      expect(await sender.next()).toEqual({ t: 'result', ref: 'same', ok: true });
      expect(await sender.next()).toEqual({ t: 'result', ref: 'same', ok: true });
      const recipient = await signIn(bob!);
      expect(await recipient.until('deliver')).toMatchObject({ messageId: 'same' });
      recipient.send({ t: 'ping' });
      expect(await recipient.next()).toEqual({ t: 'pong' });
    });

    it('delivers live in per-sender order, past the delivery window as acks come in', async () => {
      const [alice] = await account('alice');
      const [bob] = await account('bob');
      const sender = await signIn(alice!);
      const recipient = await signIn(bob!);
      const count = DELIVERY_WINDOW + 44;
      for (let i = 0; i < count; i++) send(sender, `m-${i}`, bob!.userId, [1]);
      const seen: string[] = [];
      while (seen.length < count) {
        const frame = await recipient.until('deliver');
        seen.push(frame.messageId);
        recipient.send({ t: 'ack', id: frame.id });
      }
      expect(seen).toEqual(Array.from({ length: count }, (_, i) => `m-${i}`));
    });

    it('holds deliveries beyond the window until acks arrive', async () => {
      const [alice] = await account('alice');
      const [bob] = await account('bob');
      const sender = await signIn(alice!);
      for (let i = 0; i < DELIVERY_WINDOW + 5; i++) send(sender, `m-${i}`, bob!.userId, [1]);
      for (let i = 0; i < DELIVERY_WINDOW + 5; i++) await sender.until('result');
      const recipient = await signIn(bob!);
      const first = [];
      for (let i = 0; i < DELIVERY_WINDOW; i++) first.push(await recipient.until('deliver'));
      recipient.send({ t: 'ping' });
      expect(await recipient.next()).toEqual({ t: 'pong' });
      recipient.send({ t: 'ack', id: first[0].id });
      expect(await recipient.until('deliver')).toMatchObject({ messageId: `m-${DELIVERY_WINDOW}` });
    });

    it('answers rate_limited past the per-device send budget', async () => {
      await server.stop();
      await start({ rateLimits: { api: { burst: 100, perSecond: 100 }, anonymous: { burst: 100, perSecond: 100 }, relaySends: { burst: 2, perSecond: 1 } } });
      const [alice] = await account('alice');
      const [bob] = await account('bob');
      const sender = await signIn(alice!);
      for (const id of ['a', 'b', 'c']) send(sender, id, bob!.userId, [1]);
      const results = [await sender.until('result'), await sender.until('result'), await sender.until('result')];
      expect(results.map((r) => r.code ?? 'ok').sort()).toEqual(['ok', 'ok', 'rate_limited']);
      clock.advance(1_000);
      send(sender, 'd', bob!.userId, [1]);
      expect(await sender.until('result')).toMatchObject({ ref: 'd', ok: true });
    });

    it('ignores an ack of an id it never handed out', async () => {
      const [alice] = await account('alice');
      const client = await signIn(alice!);
      client.send({ t: 'ack', id: 'm-1' });
      client.send({ t: 'ack', id: '999999' });
      client.send({ t: 'ping' });
      expect(await client.next()).toEqual({ t: 'pong' });
    });
  });

  describe('bad frames', () => {
    it.each([
      ['an unknown type', { t: 'shout' }, /Unknown frame type.*auth, send, ack, ping/],
      ['a send without messages', { t: 'send', id: 'm', to: 'bob', messages: [] }, /Invalid send frame: messages:/],
      ['a send without a ciphertext type', { t: 'send', id: 'm', to: 'bob', messages: [{ deviceId: 1, ciphertext: 'AAAA' }] }, /messages\.0\.type/],
      ['a ciphertext that is not base64', { t: 'send', id: 'm', to: 'bob', messages: [{ deviceId: 1, type: 2, ciphertext: 'not base64!' }] }, /messages\.0\.ciphertext: base64/],
      ['a second auth', { t: 'auth', token: 'x' }, /already authenticated/],
    ])('answers %s with a bad_frame error and keeps the connection', async (_case, frame, message) => {
      const [alice] = await account('alice');
      const client = await signIn(alice!);
      client.send(frame);
      expect(ServerFrameSchema.parse(await client.next())).toEqual({ t: 'error', code: 'bad_frame', message: expect.stringMatching(message) });
      client.send({ t: 'ping' });
      expect(await client.next()).toEqual({ t: 'pong' });
    });

    it('closes with badFrame on a frame that is not JSON', async () => {
      const [alice] = await account('alice');
      const client = await signIn(alice!);
      client.send('{"t": "ping"');
      expect(await client.closed).toEqual({ code: RELAY_CLOSE.badFrame, reason: 'frame is not JSON' });
    });

    it('closes with badFrame on a binary frame', async () => {
      const [alice] = await account('alice');
      const client = await signIn(alice!);
      client.socket.send(Buffer.from(JSON.stringify({ t: 'ping' })));
      expect((await client.closed).code).toBe(RELAY_CLOSE.badFrame);
    });

    it('closes with badFrame on a frame over the size limit, and accepts one at the limit', async () => {
      const [alice] = await account('alice');
      const client = await signIn(alice!);
      const atLimit = JSON.stringify({ t: 'ping', pad: '' });
      client.send(atLimit.replace('""', `"${'x'.repeat(RELAY_MAX_FRAME_BYTES - atLimit.length)}"`));
      expect(await client.next()).toEqual({ t: 'pong' });
      client.send(JSON.stringify({ t: 'ping', pad: 'x'.repeat(RELAY_MAX_FRAME_BYTES) }));
      const closed = await client.closed;
      expect(closed.code).toBe(RELAY_CLOSE.badFrame);
      expect(closed.reason).toMatch(/exceeds 262144/);
    });
  });

  it('answers a plain HTTP GET on the relay path with 426 in the error shape', async () => {
    const response = await fetch(`${api}${RELAY_PATH}`);
    expect(response.status).toBe(426);
    expect((await errorOf(response)).code).toBe('upgrade_required');
  });

  it('closes open connections with 1001 when the server stops, and counts none left', async () => {
    const [alice] = await account('alice');
    const client = await signIn(alice!);
    expect(server.openRelaySockets()).toBe(1);
    await server.stop();
    expect((await client.closed).code).toBe(1001);
    expect(server.openRelaySockets()).toBe(0);
  });
});
