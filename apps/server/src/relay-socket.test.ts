import { RELAY_CLOSE, RELAY_MAX_FRAME_BYTES, RELAY_PATH, ServerFrameSchema } from '@parley/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ParleyServer, createParleyServer } from './create-server.js';
import { TestRelayClient, errorOf, tempFolder, testConfig } from './test-support.js';

const CIPHERTEXT_1 = Buffer.from('opaque bytes for device one').toString('base64');

describe('relay WebSocket', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  let api: string;
  const clients: TestRelayClient[] = [];

  const connect = async () => {
    const client = await TestRelayClient.connect(api, RELAY_PATH);
    clients.push(client);
    return client;
  };
  const signIn = async (userId: string) => {
    const client = await TestRelayClient.signedIn(api, RELAY_PATH, `dev.${userId}`);
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    folder = await tempFolder();
    server = createParleyServer(testConfig(folder.path, { relayAuthTimeoutMs: 150 }));
    ({ api } = await server.start());
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.stop();
    await folder.remove();
  });

  it('answers a valid auth frame with ready, user id from the token and device 1', async () => {
    const client = await connect();
    client.send({ t: 'auth', token: 'dev.alice' });
    const ready = ServerFrameSchema.parse(await client.next());
    expect(ready).toEqual({ t: 'ready', userId: 'alice', deviceId: 1 });
  });

  it('closes with authFailed when no auth frame arrives in time', async () => {
    const client = await connect();
    const started = Date.now();
    const error = await client.next();
    const closed = await client.closed;
    expect(error).toEqual({ t: 'error', code: 'auth_timeout', message: expect.any(String) });
    expect(closed.code).toBe(RELAY_CLOSE.authFailed);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('closes with authFailed on a token that is not valid', async () => {
    const client = await connect();
    client.send({ t: 'auth', token: 'dev.x' });
    expect(await client.next()).toEqual({ t: 'error', code: 'unauthorized', message: expect.any(String) });
    expect((await client.closed).code).toBe(RELAY_CLOSE.authFailed);
  });

  it('closes with authFailed when the first frame is not auth', async () => {
    const client = await connect();
    client.send({ t: 'ping' });
    expect(await client.next()).toEqual({ t: 'error', code: 'auth_required', message: expect.any(String) });
    expect((await client.closed).code).toBe(RELAY_CLOSE.authFailed);
  });

  it('answers ping with pong', async () => {
    const alice = await signIn('alice');
    alice.send({ t: 'ping' });
    expect(await alice.next()).toEqual({ t: 'pong' });
  });

  it('delivers a send to every connection of the recipient and to the sender’s other connections', async () => {
    const alice = await signIn('alice');
    const aliceOtherTab = await signIn('alice');
    const bob = await signIn('bob');
    const bobOtherTab = await signIn('bob');
    const carol = await signIn('carol');

    alice.send({ t: 'send', id: 'm-1', to: 'bob', messages: [{ deviceId: 1, ciphertext: CIPHERTEXT_1 }] });

    expect(await alice.next()).toEqual({ t: 'result', ref: 'm-1', ok: true });
    const expected = { t: 'deliver', id: 'm-1', from: { userId: 'alice', deviceId: 1 }, ciphertext: CIPHERTEXT_1 };
    for (const client of [bob, bobOtherTab, aliceOtherTab]) {
      expect(ServerFrameSchema.parse(await client.next())).toEqual(expected);
    }
    // Nothing extra: the sender gets no copy of its own send, and a bystander gets nothing.
    for (const client of [alice, carol]) client.send({ t: 'ping' });
    expect(await alice.next()).toEqual({ t: 'pong' });
    expect(await carol.next()).toEqual({ t: 'pong' });
  });

  it('delivers between two connections of the same user', async () => {
    const first = await signIn('alice');
    const second = await signIn('alice');
    first.send({ t: 'send', id: 'note-to-self', to: 'alice', messages: [{ deviceId: 1, ciphertext: CIPHERTEXT_1 }] });
    expect(await first.next()).toEqual({ t: 'result', ref: 'note-to-self', ok: true });
    expect(await second.next()).toEqual({
      t: 'deliver',
      id: 'note-to-self',
      from: { userId: 'alice', deviceId: 1 },
      ciphertext: CIPHERTEXT_1,
    });
    first.send({ t: 'ping' });
    expect(await first.next()).toEqual({ t: 'pong' });
  });

  it('still accepts a send to a user whose connection closed (no queue yet)', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    bob.close();
    await bob.closed;
    // Give the server a moment to see the close before sending.
    await new Promise((resolve) => setTimeout(resolve, 20));
    alice.send({ t: 'send', id: 'm-2', to: 'bob', messages: [{ deviceId: 1, ciphertext: CIPHERTEXT_1 }] });
    expect(await alice.next()).toEqual({ t: 'result', ref: 'm-2', ok: true });
  });

  it('accepts an ack without answering', async () => {
    const alice = await signIn('alice');
    alice.send({ t: 'ack', id: 'm-1' });
    alice.send({ t: 'ping' });
    expect(await alice.next()).toEqual({ t: 'pong' });
  });

  it.each([
    ['an unknown type', { t: 'shout' }, /Unknown frame type.*auth, send, ack, ping/],
    ['a send without messages', { t: 'send', id: 'm', to: 'bob', messages: [] }, /Invalid send frame: messages:/],
    ['a ciphertext that is not base64', { t: 'send', id: 'm', to: 'bob', messages: [{ deviceId: 1, ciphertext: 'not base64!' }] }, /messages\.0\.ciphertext: base64/],
    ['a second auth', { t: 'auth', token: 'dev.alice' }, /already authenticated/],
  ])('answers %s with a bad_frame error and keeps the connection', async (_case, frame, message) => {
    const alice = await signIn('alice');
    alice.send(frame);
    const error = ServerFrameSchema.parse(await alice.next());
    expect(error).toEqual({ t: 'error', code: 'bad_frame', message: expect.stringMatching(message) });
    alice.send({ t: 'ping' });
    expect(await alice.next()).toEqual({ t: 'pong' });
  });

  it('closes with badFrame on a frame that is not JSON', async () => {
    const alice = await signIn('alice');
    alice.send('{"t": "ping"');
    const closed = await alice.closed;
    expect(closed).toEqual({ code: RELAY_CLOSE.badFrame, reason: 'frame is not JSON' });
  });

  it('closes with badFrame on a binary frame', async () => {
    const alice = await signIn('alice');
    alice.socket.send(Buffer.from(JSON.stringify({ t: 'ping' })));
    expect((await alice.closed).code).toBe(RELAY_CLOSE.badFrame);
  });

  it('closes with badFrame on a frame over the size limit, and accepts one at the limit', async () => {
    const alice = await signIn('alice');
    // A frame of exactly the limit is read (a ping's unknown keys are ignored).
    const atLimit = JSON.stringify({ t: 'ping', pad: '' });
    alice.send(atLimit.replace('""', `"${'x'.repeat(RELAY_MAX_FRAME_BYTES - atLimit.length)}"`));
    expect(await alice.next()).toEqual({ t: 'pong' });

    alice.send(JSON.stringify({ t: 'ping', pad: 'x'.repeat(RELAY_MAX_FRAME_BYTES) }));
    const closed = await alice.closed;
    expect(closed.code).toBe(RELAY_CLOSE.badFrame);
    expect(closed.reason).toMatch(/exceeds 262144/);
  });

  it('answers a plain HTTP GET on the relay path with 426 in the error shape', async () => {
    const response = await fetch(`${api}${RELAY_PATH}`);
    expect(response.status).toBe(426);
    expect((await errorOf(response)).code).toBe('upgrade_required');
  });

  it('closes open connections with 1001 when the server stops', async () => {
    const alice = await signIn('alice');
    await server.stop();
    expect((await alice.closed).code).toBe(1001);
  });
});
