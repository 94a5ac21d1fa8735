import {
  type BusEvent,
  type ClientFrame,
  type DeliverFrame,
  type MomentType,
  type PayloadOf,
  RELAY_CLOSE,
  type RelayStatus,
  type SendFrame,
} from '@parley/contracts';
import { EventBus } from '@parley/event-bus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { ManualClock } from '@parley/clock/testing';
import { DeliveryDeferred, type RelayError } from './errors.js';
import { type EarlyPublisher, RelayClient, type RelayClientOptions } from './relay-client.js';
import type { RelaySocketConstructor } from './relay-socket.js';
import { RelayServerStub } from './testing/relay-server-stub.js';

// ── fixtures ──────────────────────────────────────────────────────────────────────────────────

// Until the Signal session lands, "ciphertext" here is base64 JSON and decrypting is decoding it.
const seal = (content: unknown): string => Buffer.from(JSON.stringify(content)).toString('base64');
const decryptJson = async (frame: DeliverFrame): Promise<unknown> =>
  JSON.parse(Buffer.from(frame.ciphertext, 'base64').toString('utf8'));

const bob = { userId: 'bob', deviceId: 2 };
const deliver = (id: string, content: unknown): DeliverFrame => ({ t: 'deliver', id, from: bob, ciphertext: seal(content) });

const text = { type: 'text', conversationId: 'c1', body: 'hello', sentAt: 1 } as const;
const receipt = { type: 'receipt', kind: 'read', messageIds: ['m0'], at: 2 } as const;
const callSignaling = { type: 'call-signaling', callId: 'k1', signal: { kind: 'offer', sdp: 'v=0' } } as const;
const groupKey = { type: 'group-key', callId: 'k1', sender: 3, generation: 1, secret: 'A'.repeat(43) + '=', reason: 'join' } as const;

const sendFrame = (id: string): SendFrame => ({ t: 'send', id, to: 'bob', messages: [{ deviceId: 2, type: 2, ciphertext: seal(id) }] });

/** A ws WebSocket that logs every frame the client writes, at the moment it writes it. */
function recordingWebSocket(wire: string[]): RelaySocketConstructor {
  return class RecordingWebSocket extends WebSocket {
    override send(data: unknown): void {
      wire.push(`sent ${String(data)}`);
      super.send(data as string);
    }
  };
}

interface Harness {
  readonly server: RelayServerStub;
  readonly clock: ManualClock;
  readonly bus: EventBus;
  readonly client: RelayClient;
  readonly errors: RelayError[];
  readonly statuses: RelayStatus[];
  /** What the client wrote and what handlers saw, in the order it happened. */
  readonly log: string[];
}

const harnesses: Harness[] = [];

async function setup(options: Partial<RelayClientOptions> = {}): Promise<Harness> {
  const server = await RelayServerStub.start();
  const clock = new ManualClock();
  const bus = options.bus ?? new EventBus();
  const log: string[] = [];
  const client = new RelayClient({
    url: server.url,
    token: () => 'token-of.alice',
    bus,
    decrypt: decryptJson,
    WebSocketImpl: recordingWebSocket(log),
    clock,
    // random = 1 makes every jittered delay its ceiling, so delays can be asserted exactly.
    backoff: { random: () => 1 },
    ...options,
  });
  const errors: RelayError[] = [];
  const statuses: RelayStatus[] = [];
  client.errors$.subscribe((error) => errors.push(error));
  client.status.subscribe((status) => statuses.push(status));
  const harness = { server, clock, bus, client, errors, statuses, log };
  harnesses.push(harness);
  return harness;
}

async function connected(options: Partial<RelayClientOptions> = {}): Promise<Harness> {
  const harness = await setup(options);
  harness.client.connect();
  await vi.waitFor(() => expect(harness.client.status.value).toBe('open'));
  return harness;
}

/** Content events published on the bus, as `type messageId`. */
function published(bus: EventBus): string[] {
  const seen: string[] = [];
  bus.events$.subscribe((event: BusEvent) => {
    if (event.type.startsWith('content.')) seen.push(`${event.type} ${(event.payload as { messageId: string }).messageId}`);
  });
  return seen;
}

const acks = (server: RelayServerStub, connection = server.latest) => server.framesOf('ack', connection).map((frame) => frame.id);
const codes = (errors: RelayError[]) => errors.map((error) => error.code);

afterEach(async () => {
  vi.unstubAllGlobals();
  for (const { client, server } of harnesses.splice(0)) {
    client.close();
    await server.stop();
  }
});

// ── connecting ────────────────────────────────────────────────────────────────────────────────

describe('RelayClient connecting', () => {
  it('authenticates with the token as its first frame and is open only after ready', async () => {
    const { server, client, statuses } = await setup({ token: async () => 'token-of.alice' });
    server.answerAuth = false;
    client.connect();
    expect(client.status.value).toBe('connecting');
    await vi.waitFor(() => expect(server.connections).toHaveLength(1));
    await vi.waitFor(() => expect(server.latest.frames).toEqual<ClientFrame[]>([{ t: 'auth', token: 'token-of.alice' }]));
    expect(client.status.value).toBe('connecting');

    server.push({ t: 'ready', userId: 'alice', deviceId: 1 });
    await vi.waitFor(() => expect(client.status.value).toBe('open'));
    expect(statuses).toEqual(['closed', 'connecting', 'open']);
  });

  it('publishes its status as the bus state relay.status', async () => {
    const { bus, client } = await connected();
    expect(bus.state('relay.status').value).toBe('open');
    client.close();
    expect(bus.state('relay.status').value).toBe('closed');
  });

  it('uses globalThis.WebSocket when no implementation is given, and says so when there is none', async () => {
    const server = await RelayServerStub.start();
    const base = { url: server.url, token: () => 'token-of.alice', bus: new EventBus(), decrypt: decryptJson };
    try {
      vi.stubGlobal('WebSocket', undefined);
      expect(() => new RelayClient(base)).toThrow(/no WebSocket/);
      vi.stubGlobal('WebSocket', WebSocket);
      const client = new RelayClient(base);
      client.connect();
      await vi.waitFor(() => expect(client.status.value).toBe('open'));
      client.close();
    } finally {
      await server.stop();
    }
  });
});

// ── receiving ─────────────────────────────────────────────────────────────────────────────────

describe('RelayClient receiving', () => {
  it('routes each content type to its own bus event with sender, message id and content', async () => {
    const { server, bus } = await connected();
    const got = {
      text: [] as unknown[],
      receipt: [] as unknown[],
      callSignaling: [] as unknown[],
      groupKey: [] as unknown[],
    };
    bus.on('content.text').subscribe((delivered) => got.text.push(delivered));
    bus.on('content.receipt').subscribe((delivered) => got.receipt.push(delivered));
    bus.on('content.call-signaling').subscribe((delivered) => got.callSignaling.push(delivered));
    bus.on('content.group-key').subscribe((delivered) => got.groupKey.push(delivered));

    server.push(deliver('m1', text));
    server.push(deliver('m2', receipt));
    server.push(deliver('m3', callSignaling));
    server.push(deliver('m4', groupKey));
    await vi.waitFor(() => expect(acks(server)).toEqual(['m1', 'm2', 'm3', 'm4']));

    expect(got).toEqual({
      text: [{ from: bob, messageId: 'm1', content: text }],
      receipt: [{ from: bob, messageId: 'm2', content: receipt }],
      callSignaling: [{ from: bob, messageId: 'm3', content: callSignaling }],
      groupKey: [{ from: bob, messageId: 'm4', content: groupKey }],
    });
  });

  it('acks a message only after its handler took it', async () => {
    const { server, bus, log } = await connected();
    bus.on('content.text').subscribe(({ messageId }) => log.push(`handled ${messageId}`));
    server.push(deliver('m1', text));
    await vi.waitFor(() => expect(acks(server)).toEqual(['m1']));

    const handled = log.indexOf('handled m1');
    const acked = log.indexOf(`sent ${JSON.stringify({ t: 'ack', id: 'm1' })}`);
    expect(handled).toBeGreaterThanOrEqual(0);
    expect(acked).toBeGreaterThan(handled);
  });

  it('does not ack a message whose publication failed, so the server redelivers it', async () => {
    class RefusingBus extends EventBus {
      override publish<K extends MomentType>(type: K, payload: PayloadOf<K>): void {
        if (type === 'content.text') throw new Error('no handler');
        super.publish(type, payload);
      }
    }
    const { server, errors } = await connected({ bus: new RefusingBus() });
    server.push(deliver('m1', text));
    // Deliveries are handled in order, so once m2 is acked, m1 has been dealt with too.
    server.push(deliver('m2', receipt));
    await vi.waitFor(() => expect(acks(server)).toEqual(['m2']));
    expect(errors.map((error) => [error.code, error.messageId])).toEqual([['handler-failed', 'm1']]);
  });

  it('publishes a redelivered message once but acks every copy, without decrypting it again', async () => {
    const decrypt = vi.fn(decryptJson);
    const { server, bus } = await connected({ decrypt });
    const seen = published(bus);
    server.push(deliver('m1', text));
    server.push(deliver('m1', text));
    await vi.waitFor(() => expect(acks(server)).toEqual(['m1', 'm1']));
    expect(seen).toEqual(['content.text m1']);
    expect(decrypt).toHaveBeenCalledTimes(1);
  });

  it('reports content that cannot be decrypted, acks it and publishes nothing', async () => {
    const decrypt = async (frame: DeliverFrame) => {
      if (frame.id.startsWith('bad')) throw new Error('no session with bob');
      return decryptJson(frame);
    };
    const { server, bus, errors } = await connected({ decrypt });
    const seen = published(bus);
    const frame = deliver('bad1', text);
    server.push(frame);
    await vi.waitFor(() => expect(acks(server)).toEqual(['bad1']));

    expect(seen).toEqual([]);
    expect(errors.map((error) => [error.code, error.messageId])).toEqual([['undecryptable', 'bad1']]);
    expect(JSON.stringify(errors[0])).not.toContain(frame.ciphertext);
    expect(errors[0]?.message).not.toContain(frame.ciphertext);
  });

  it('does not ack a message whose decryption was deferred, so the server delivers it again', async () => {
    let networkUp = false;
    const decrypt = async (frame: DeliverFrame) => {
      if (!networkUp) throw new DeliveryDeferred('sender lookup failed: network down');
      return decryptJson(frame);
    };
    const { server, bus, errors } = await connected({ decrypt });
    const seen = published(bus);
    server.push(deliver('m1', text));
    await vi.waitFor(() => expect(errors.map((error) => [error.code, error.messageId])).toEqual([['delivery-deferred', 'm1']]));
    networkUp = true;
    server.push(deliver('m2', receipt));
    await vi.waitFor(() => expect(acks(server)).toEqual(['m2']));
    // The redelivery (after a reconnect, in real life) is decrypted and published: nothing was lost.
    server.push(deliver('m1', text));
    await vi.waitFor(() => expect(acks(server)).toEqual(['m2', 'm1']));
    expect(seen).toEqual(['content.receipt m2', 'content.text m1']);
  });

  it('reports decrypted content that fails the content schema, acks it and publishes nothing', async () => {
    const { server, bus, errors } = await connected();
    const seen = published(bus);
    server.push(deliver('x1', { ...text, body: '' }));
    server.push(deliver('x2', { type: 'sticker', id: 7 }));
    server.push(deliver('x3', 'just a string'));
    await vi.waitFor(() => expect(acks(server)).toEqual(['x1', 'x2', 'x3']));

    expect(seen).toEqual([]);
    expect(errors.map((error) => [error.code, error.messageId])).toEqual([
      ['invalid-content', 'x1'],
      ['invalid-content', 'x2'],
      ['invalid-content', 'x3'],
    ]);
  });

  it('reports server frames that are not valid and carries on', async () => {
    const { server, bus, client, errors } = await connected();
    const seen = published(bus);
    const secret = seal('top secret');
    server.push('not json');
    server.push(JSON.stringify({ t: 'bogus' }));
    server.push(JSON.stringify({ t: 'deliver', id: 'm9', from: { userId: 'bob', deviceId: 0 }, ciphertext: secret }));
    server.push(deliver('m1', text));
    await vi.waitFor(() => expect(seen).toEqual(['content.text m1']));

    expect(codes(errors)).toEqual(['invalid-frame', 'invalid-frame', 'invalid-frame']);
    expect(errors[2]?.message).toContain('from.deviceId');
    expect(errors[2]?.message).not.toContain(secret);
    expect(acks(server)).toEqual(['m1']);
    expect(client.status.value).toBe('open');
  });

  it('acks a message the decrypter recognises as already handled, publishing nothing and reporting nothing', async () => {
    const decrypt = async (frame: DeliverFrame) => (frame.id === 'dup' ? null : decryptJson(frame));
    const { server, bus, errors } = await connected({ decrypt });
    const seen = published(bus);
    server.push(deliver('dup', text));
    server.push(deliver('m1', text));
    await vi.waitFor(() => expect(acks(server)).toEqual(['dup', 'm1']));
    expect(seen).toEqual(['content.text m1']);
    expect(errors).toEqual([]);
  });

  it('lets the decrypter publish call signaling early, before it has finished; acks once it has, publishing nothing twice', async () => {
    let finish!: () => void;
    const stored = new Promise<void>((resolve) => (finish = resolve));
    const refused: boolean[] = [];
    const decrypt = async (frame: DeliverFrame, early: EarlyPublisher) => {
      const content = await decryptJson(frame);
      if (frame.id === 'k') {
        expect(early.publish(content)).toBe(true);
        expect(early.publish(content)).toBe(false);
        await stored; // the session state being written
        // Returned as well: the relay still puts it on the bus only once.
        return content;
      }
      // Only call signaling may go early: a text waits until the message is fully handled.
      refused.push(early.publish(content));
      return content;
    };
    const { server, bus } = await connected({ decrypt });
    const seen = published(bus);
    server.push(deliver('k', callSignaling));
    await vi.waitFor(() => expect(seen).toEqual(['content.call-signaling k']));
    expect(acks(server)).toEqual([]);
    finish();
    await vi.waitFor(() => expect(acks(server)).toEqual(['k']));
    server.push(deliver('t', text));
    await vi.waitFor(() => expect(acks(server)).toEqual(['k', 't']));
    expect(refused).toEqual([false]);
    expect(seen).toEqual(['content.call-signaling k', 'content.text t']);
  });

  it('hands prekeys-low and link-request frames to onControlFrame, not to the bus', async () => {
    const control: unknown[] = [];
    const { server, bus, errors } = await connected({ onControlFrame: (frame) => void control.push(frame) });
    const seen = published(bus);
    const low = { t: 'prekeys-low', oneTimePreKeys: 3, kyberOneTimePreKeys: 9 } as const;
    const link = { t: 'link-request', linkId: 'link0001', requestId: 'r1', ephemeralPublicKey: 'BQ==', mac: 'AA==' } as const;
    server.push(low);
    server.push(link);
    await vi.waitFor(() => expect(control).toEqual([low, link]));
    expect(seen).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('reports a control frame handler that fails and carries on', async () => {
    const { server, client, errors } = await connected({
      onControlFrame: async () => {
        throw new Error('upload failed');
      },
    });
    server.push({ t: 'prekeys-low', oneTimePreKeys: 0, kyberOneTimePreKeys: 0 });
    await vi.waitFor(() => expect(codes(errors)).toEqual(['handler-failed']));
    expect(errors[0]?.message).toContain('prekeys-low');
    expect(client.status.value).toBe('open');
  });

  it('ignores control frames when nobody handles them', async () => {
    const { server, errors } = await connected();
    server.push({ t: 'prekeys-low', oneTimePreKeys: 0, kyberOneTimePreKeys: 0 });
    server.push(deliver('m1', text));
    await vi.waitFor(() => expect(acks(server)).toEqual(['m1']));
    expect(errors).toEqual([]);
  });

  it('reports error frames from the server with their code', async () => {
    const { server, errors } = await connected();
    server.push({ t: 'error', code: 'rate-limited', message: 'slow down' });
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toMatchObject({ code: 'server-error', serverCode: 'rate-limited' });
    expect(errors[0]?.message).toContain('slow down');
  });
});

// ── sending ───────────────────────────────────────────────────────────────────────────────────

describe('RelayClient sending', () => {
  it("resolves a send on the server's ok result", async () => {
    const { server, client } = await connected();
    await expect(client.send(sendFrame('s1'))).resolves.toBeUndefined();
    expect(server.framesOf('send')).toEqual([sendFrame('s1')]);
  });

  it('rejects a send the server refuses with its code and message', async () => {
    const { server, client } = await connected();
    server.answerSend = () => ({ ok: false, code: 'unknown_user', message: 'no such user' });
    await expect(client.send(sendFrame('s1'))).rejects.toMatchObject({
      name: 'RelayError',
      code: 'send-rejected',
      serverCode: 'unknown_user',
      messageId: 's1',
      message: 'no such user',
    });
  });

  it('rejects a devices_changed send with the device lists to fix', async () => {
    const { server, client } = await connected();
    server.answerSend = () => ({ ok: false, code: 'devices_changed', message: 'devices changed', missing: [3], extra: [2] });
    const error = await client.send(sendFrame('s1')).catch((rejected: RelayError) => rejected);
    expect(error).toMatchObject({ code: 'send-rejected', serverCode: 'devices_changed', messageId: 's1' });
    expect((error as RelayError).devices).toEqual({ missing: [3], extra: [2], stale: [] });
  });

  it('rejects a send the server never answers once the send timeout passes', async () => {
    const { server, client, clock } = await connected();
    server.answerSend = () => 'silent';
    const outcome = client.send(sendFrame('s1')).then(
      () => 'resolved',
      (error: RelayError) => error.code,
    );
    await vi.waitFor(() => expect(server.framesOf('send')).toHaveLength(1));
    clock.advance(9_999);
    await Promise.resolve();
    clock.advance(1);
    await expect(outcome).resolves.toBe('send-timeout');
  });

  it('rejects frames that fail the schema, are too large or reuse a waiting id, sending nothing', async () => {
    const { server, client } = await connected();
    server.answerSend = () => 'silent';
    const empty = { ...sendFrame('e1'), messages: [] };
    const huge: SendFrame = {
      ...sendFrame('h1'),
      messages: Array.from({ length: 2 }, (_, i) => ({ deviceId: i + 1, type: 2 as const, ciphertext: 'A'.repeat(150_000) })),
    };
    await expect(client.send(empty)).rejects.toMatchObject({ code: 'invalid-send', messageId: 'e1' });
    await expect(client.send(huge)).rejects.toMatchObject({ code: 'invalid-send', message: expect.stringContaining('bytes') });

    void client.send(sendFrame('s1')).catch(() => {});
    await expect(client.send(sendFrame('s1'))).rejects.toMatchObject({ code: 'invalid-send', messageId: 's1' });
    await vi.waitFor(() => expect(server.framesOf('send')).toHaveLength(1));
    expect(server.framesOf('send').map((frame) => frame.id)).toEqual(['s1']);
  });

  it('holds sends made before connecting and sends them after ready', async () => {
    const { server, client } = await setup();
    const sent = client.send(sendFrame('early'));
    client.connect();
    await expect(sent).resolves.toBeUndefined();
    expect(server.latest.frames.map((frame) => frame.t)).toEqual(['auth', 'send']);
  });
});

// ── reconnecting ──────────────────────────────────────────────────────────────────────────────

describe('RelayClient reconnecting', () => {
  it('reconnects with growing delays while attempts fail, and starts over after a ready', async () => {
    const { server, client, clock, statuses } = await connected();
    server.refuseNextAuths(2);
    server.drop();
    await vi.waitFor(() => expect(client.status.value).toBe('reconnecting'));
    // Only the reconnect is pending: keepalive and handshake timers went with the old socket.
    expect(clock.pendingDelays()).toEqual([500]);

    clock.advance(499);
    expect(server.connections).toHaveLength(1);
    clock.advance(1);
    await vi.waitFor(() => expect(server.connections).toHaveLength(2));
    await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([1000]));

    clock.advance(1000);
    await vi.waitFor(() => expect(server.connections).toHaveLength(3));
    await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([2000]));
    expect(client.status.value).toBe('reconnecting');

    clock.advance(2000);
    await vi.waitFor(() => expect(client.status.value).toBe('open'));
    expect(server.connections).toHaveLength(4);

    server.drop();
    await vi.waitFor(() => expect(client.status.value).toBe('reconnecting'));
    expect(clock.pendingDelays()).toEqual([500]);
    clock.advance(500);
    await vi.waitFor(() => expect(client.status.value).toBe('open'));
    expect(statuses).toEqual(['closed', 'connecting', 'open', 'reconnecting', 'open', 'reconnecting', 'open']);
  });

  it('caps the delay at the backoff maximum', async () => {
    const { server, client, clock } = await connected({ backoff: { random: () => 1, initialMs: 500, maxMs: 1500 } });
    server.refuseNextAuths(3);
    server.drop();
    for (const [delay, connections] of [[500, 2], [1000, 3], [1500, 4]] as const) {
      await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([delay]));
      clock.advance(delay);
      await vi.waitFor(() => expect(server.connections).toHaveLength(connections));
    }
    await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([1500]));
    expect(client.status.value).toBe('reconnecting');
  });

  it('sends what was queued while disconnected after the next ready, in order', async () => {
    const { server, client, clock, log } = await connected();
    server.drop();
    await vi.waitFor(() => expect(client.status.value).toBe('reconnecting'));
    const sends = ['a', 'b', 'c'].map((id) => client.send(sendFrame(id)));

    server.answerAuth = false;
    clock.advance(500);
    await vi.waitFor(() => expect(server.connections).toHaveLength(2));
    await vi.waitFor(() => expect(server.framesOf('auth')).toHaveLength(1));
    // The client writes synchronously, so a premature flush would already be in the log.
    expect(log.filter((entry) => entry.includes('"t":"send"'))).toEqual([]);

    server.push({ t: 'ready', userId: 'alice', deviceId: 1 });
    await Promise.all(sends);
    expect(server.framesOf('send').map((frame) => frame.id)).toEqual(['a', 'b', 'c']);
    expect(server.connections[0]?.frames.filter((frame) => frame.t === 'send')).toEqual([]);
  });

  it('resends a send the server never answered when the connection dropped, ahead of newer ones', async () => {
    const { server, client, clock } = await connected();
    server.answerSend = () => 'silent';
    const first = client.send(sendFrame('first'));
    await vi.waitFor(() => expect(server.framesOf('send')).toHaveLength(1));
    server.drop();
    await vi.waitFor(() => expect(client.status.value).toBe('reconnecting'));
    const second = client.send(sendFrame('second'));

    server.answerSend = () => ({ ok: true });
    clock.advance(500);
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
    expect(server.framesOf('send').map((frame) => frame.id)).toEqual(['first', 'second']);
  });

  it('treats a failing token callback as a transient failure', async () => {
    let calls = 0;
    const token = async () => {
      calls += 1;
      if (calls === 1) throw new Error('token store locked');
      return 'token-of.alice';
    };
    const { client, clock, errors } = await setup({ token });
    client.connect();
    await vi.waitFor(() => expect(client.status.value).toBe('reconnecting'));
    expect(codes(errors)).toEqual(['token-unavailable']);
    clock.advance(500);
    await vi.waitFor(() => expect(client.status.value).toBe('open'));
  });

  it('gives up on a connection that never becomes ready and tries again', async () => {
    const { server, client, clock, errors } = await setup();
    server.answerAuth = false;
    client.connect();
    await vi.waitFor(() => expect(server.framesOf('auth')).toHaveLength(1));
    clock.advance(10_000);
    expect(client.status.value).toBe('reconnecting');
    expect(codes(errors)).toEqual(['handshake-timeout']);
    await vi.waitFor(() => expect(server.connections[0]?.closed).toBe(true));

    server.answerAuth = true;
    clock.advance(500);
    await vi.waitFor(() => expect(client.status.value).toBe('open'));
  });
});

// ── keepalive ─────────────────────────────────────────────────────────────────────────────────

describe('RelayClient keepalive', () => {
  it('pings every 25 s and stays open while pongs come back', async () => {
    const { server, client, clock } = await connected();
    clock.advance(24_999);
    expect(server.framesOf('ping')).toHaveLength(0);
    clock.advance(1);
    await vi.waitFor(() => expect(server.framesOf('ping')).toHaveLength(1));
    // Once the pong arrived only the next ping is pending.
    await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([25_000]));
    clock.advance(25_000);
    await vi.waitFor(() => expect(server.framesOf('ping')).toHaveLength(2));
    await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([25_000]));
    expect(client.status.value).toBe('open');
    expect(server.connections).toHaveLength(1);
  });

  it('counts a pong missing for 10 s as a drop and reconnects', async () => {
    const { server, client, clock, errors } = await connected();
    server.answerPings = false;
    clock.advance(25_000);
    await vi.waitFor(() => expect(server.framesOf('ping')).toHaveLength(1));
    clock.advance(9_999);
    expect(client.status.value).toBe('open');
    clock.advance(1);
    expect(client.status.value).toBe('reconnecting');
    expect(codes(errors)).toEqual(['pong-timeout']);
    expect(clock.pendingDelays()).toEqual([500]);

    server.answerPings = true;
    clock.advance(500);
    await vi.waitFor(() => expect(client.status.value).toBe('open'));
    expect(server.connections).toHaveLength(2);
    await vi.waitFor(() => expect(server.connections[0]?.closed).toBe(true));
  });
});

// ── stopping ──────────────────────────────────────────────────────────────────────────────────

describe('RelayClient stopping', () => {
  it('close() closes the socket, fails waiting sends and never reconnects', async () => {
    const { server, client, clock, statuses } = await connected();
    server.answerSend = () => 'silent';
    const waiting = client.send(sendFrame('w1'));
    await vi.waitFor(() => expect(server.framesOf('send')).toHaveLength(1));

    client.close();
    expect(client.status.value).toBe('closed');
    await expect(waiting).rejects.toMatchObject({ code: 'closed', messageId: 'w1' });
    await expect(client.send(sendFrame('w2'))).rejects.toMatchObject({ code: 'closed' });
    await vi.waitFor(() => expect(server.latest.closed).toBe(true));

    expect(clock.pendingDelays()).toEqual([]);
    clock.advance(120_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.connections).toHaveLength(1);
    expect(statuses).toEqual(['closed', 'connecting', 'open', 'closed']);
  });

  it('close() while waiting to reconnect cancels the reconnect', async () => {
    const { server, client, clock } = await connected();
    server.drop();
    await vi.waitFor(() => expect(client.status.value).toBe('reconnecting'));
    client.close();
    expect(clock.pendingDelays()).toEqual([]);
    clock.advance(120_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.connections).toHaveLength(1);
    expect(client.status.value).toBe('closed');
  });

  it('stops for good and reports it when the server refuses the token', async () => {
    const { server, client, clock, errors } = await setup({ token: () => 'not-a-dev-token' });
    // Caught at once: the rejection comes while the test is still waiting for the status.
    const queued = client.send(sendFrame('q1')).catch((error: RelayError) => error);
    client.connect();
    await vi.waitFor(() => expect(client.status.value).toBe('closed'));
    expect(codes(errors)).toEqual(['auth-failed']);
    await expect(queued).resolves.toMatchObject({ code: 'closed', messageId: 'q1' });

    expect(clock.pendingDelays()).toEqual([]);
    clock.advance(120_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.connections).toHaveLength(1);
  });

  it('stops for good when this device connected from somewhere else', async () => {
    const { server, client, clock, errors } = await connected();
    server.latest.socket.close(RELAY_CLOSE.replaced);
    await vi.waitFor(() => expect(client.status.value).toBe('closed'));
    expect(codes(errors)).toEqual(['replaced']);
    clock.advance(120_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.connections).toHaveLength(1);
  });

  it('stops for good and says so when this device was removed from its account', async () => {
    const { server, client, clock, errors } = await connected();
    server.latest.socket.close(RELAY_CLOSE.deviceRemoved, 'this device signed out');
    await vi.waitFor(() => expect(client.status.value).toBe('closed'));
    expect(codes(errors)).toEqual(['device-removed']);
    clock.advance(120_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.connections).toHaveLength(1);
  });

  it.each([
    ['tooManyFrames', RELAY_CLOSE.tooManyFrames],
    ['tooManyConnections', RELAY_CLOSE.tooManyConnections],
    ['goingAway', RELAY_CLOSE.goingAway],
  ] as const)('reconnects after the server closed for %s, and says why until connected again', async (cause, code) => {
    const { server, client, clock, errors } = await connected();
    expect(client.closeCause.value).toBeNull();
    server.latest.socket.close(code);
    await vi.waitFor(() => expect(client.status.value).toBe('reconnecting'));
    expect(client.closeCause.value).toBe(cause);
    expect(errors).toEqual([]);
    clock.advance(500);
    await vi.waitFor(() => expect(client.status.value).toBe('open'));
    expect(client.closeCause.value).toBeNull();
  });

  it('tells the cause with a close that stops it, and none for a network drop', async () => {
    const { server, client, errors } = await connected();
    server.drop();
    await vi.waitFor(() => expect(client.status.value).toBe('reconnecting'));
    expect(client.closeCause.value).toBeNull();
    const again = await connected();
    again.server.latest.socket.close(RELAY_CLOSE.replaced);
    await vi.waitFor(() => expect(again.client.status.value).toBe('closed'));
    expect(again.client.closeCause.value).toBe('replaced');
    expect(again.errors.map((error) => error.details.closeCause)).toEqual(['replaced']);
    expect(errors).toEqual([]);
  });

  it('connects again when asked to after a close', async () => {
    const { server, client } = await connected();
    client.close();
    client.connect();
    await vi.waitFor(() => expect(client.status.value).toBe('open'));
    expect(server.connections).toHaveLength(2);
  });
});

// ── group calls: SFU requests ─────────────────────────────────────────────────────────────────

describe('RelayClient SFU requests', () => {
  it('answers a request with the body of its sfu-result, and refusals as sfu-rejected with the server code', async () => {
    const { server, client } = await connected();
    const joined = client.sfu({ op: 'join', callId: 'call-1' });
    await vi.waitFor(() => expect(server.framesOf('sfu')).toHaveLength(1));
    const [join] = server.framesOf('sfu');
    expect(join?.request).toEqual({ op: 'join', callId: 'call-1' });
    const self = { index: 0, userId: 'alice', deviceId: 1, publishing: false, joinedAt: 5 };
    server.push({ t: 'sfu-result', ref: join!.id, ok: true, body: { self, participants: [] } });
    await expect(joined).resolves.toEqual({ self, participants: [] });

    const refused = client.sfu({ op: 'join', callId: 'call-2' });
    await vi.waitFor(() => expect(server.framesOf('sfu')).toHaveLength(2));
    server.push({ t: 'sfu-result', ref: server.framesOf('sfu')[1]!.id, ok: false, code: 'not_invited', message: 'not invited' });
    await expect(refused).rejects.toMatchObject({ code: 'sfu-rejected', serverCode: 'not_invited' });
  });

  it('fails at once while offline and when the connection drops mid-request; never resends', async () => {
    const { server, client } = await setup();
    await expect(client.sfu({ op: 'leave', callId: 'c' })).rejects.toMatchObject({ code: 'offline' });
    expect(server.connections).toHaveLength(0);

    client.connect();
    await vi.waitFor(() => expect(client.status.value).toBe('open'));
    const pending = client.sfu({ op: 'leave', callId: 'c' });
    await vi.waitFor(() => expect(server.framesOf('sfu')).toHaveLength(1));
    const first = server.latest;
    server.drop();
    await expect(pending).rejects.toMatchObject({ code: 'offline' });
    expect(server.framesOf('sfu', first)).toHaveLength(1);
  });

  it('times out a request the server never answers', async () => {
    const { server, client, clock } = await connected();
    const pending = client.sfu({ op: 'substream', callId: 'c', participant: 2, substream: 0 });
    await vi.waitFor(() => expect(server.framesOf('sfu')).toHaveLength(1));
    clock.advance(10_000);
    await expect(pending).rejects.toMatchObject({ code: 'sfu-timeout' });
  });

  it('refuses a malformed request without writing it', async () => {
    const { server, client } = await connected();
    await expect(client.sfu({ op: 'substream', callId: 'c', participant: 2, substream: 7 })).rejects.toMatchObject({ code: 'sfu-rejected', serverCode: 'bad_request' });
    expect(server.framesOf('sfu')).toHaveLength(0);
  });

  it('publishes sfu-event frames on sfuEvents$, not on the bus', async () => {
    const { server, client, bus } = await connected();
    const events: unknown[] = [];
    client.sfuEvents$.subscribe((frame) => events.push(frame));
    const contents = published(bus);
    const frame = { t: 'sfu-event', callId: 'c', event: { kind: 'left', participant: 3 } } as const;
    server.push(frame);
    await vi.waitFor(() => expect(events).toEqual([frame]));
    expect(contents).toEqual([]);
  });
});
