import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAccount } from './account-setup.js';
import { toBase64 } from '@parley/bytes';
import { linkDevice } from './device-link.js';
import type { HistoryMessage } from './messenger-api.js';
import { IdentityKeyPair } from '@parley/signal-protocol';
import {
  apiFor,
  FakeParleyServer,
  inMemoryStore,
  linkNewDevice,
  RunningDevices,
  reinstallWithNewIdentity,
  startDevice,
  TEST_PREKEY_COUNTS,
  type TestDevice,
} from './testing/index.js';

const running = new RunningDevices();
afterEach(() => running.stop());

const world = (...handles: string[]) => running.world(handles);

const history = (device: TestDevice, conversationId: string) => firstValueFrom(device.messenger.history$(conversationId));
const bodies = (messages: readonly HistoryMessage[]) => messages.map((m) => `${m.direction} ${m.body}`);
const self = (device: TestDevice) => device.setup.credentials;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expectHistory(device: TestDevice, conversationId: string, expected: string[]) {
  await vi.waitFor(async () => expect(bodies(await history(device, conversationId))).toEqual(expected), { timeout: 5_000 });
}

describe('account creation', () => {
  it('generates the identity and prekeys, keeps the private halves in the store and uploads the public ones', async () => {
    const server = new FakeParleyServer();
    const { credentials, store } = await createAccount({
      api: apiFor(server),
      createStore: inMemoryStore,
      handle: 'ada',
      displayName: 'Ada',
      preKeyCounts: TEST_PREKEY_COUNTS,
    });
    expect(credentials).toMatchObject({ deviceId: 1, handle: 'ada', displayName: 'Ada' });
    expect(credentials.token.length).toBeGreaterThanOrEqual(43);
    expect(server.preKeyCount(credentials.userId, 1)).toEqual({ oneTimePreKeys: 12, kyberOneTimePreKeys: 12 });

    const user = await apiFor(server, credentials.token).getUser(credentials.userId);
    expect(user.identityKey).toBe(toBase64((await store.getIdentityKeyPair()).publicKey.serialize()));
    // Every key the server hands out has its private half in the store.
    const bundle = (await apiFor(server, credentials.token).fetchPreKeyBundles(credentials.userId)).devices[0]!;
    expect(await store.loadSignedPreKey(bundle.signedPreKey.keyId)).toBeDefined();
    expect(await store.loadPreKey(bundle.preKey!.keyId)).toBeDefined();
    expect(await store.loadKyberPreKey(bundle.kyberPreKey.keyId)).toBeDefined();
  });

  it('refuses a taken handle with the server code', async () => {
    const server = new FakeParleyServer();
    const make = () => createAccount({ api: apiFor(server), createStore: inMemoryStore, handle: 'ada', displayName: 'Ada', preKeyCounts: TEST_PREKEY_COUNTS });
    await make();
    await expect(make()).rejects.toMatchObject({ code: 'handle_taken', status: 409 });
  });

  it('tops one-time prekeys up when the server says they run low', async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    const api = apiFor(server, self(ada).token);
    for (let i = 0; i < 3; i++) await api.fetchPreKeyBundles(self(bob).userId);
    expect(server.preKeyCount(self(bob).userId, 1).oneTimePreKeys).toBeLessThan(12);
    await vi.waitFor(() => expect(server.preKeyCount(self(bob).userId, 1)).toEqual({ oneTimePreKeys: 12, kyberOneTimePreKeys: 12 }));
    // The new keys work: a session from a fresh bundle decrypts.
    for (let i = 0; i < 3; i++) await api.fetchPreKeyBundles(self(bob).userId);
    await ada.messenger.findUser('bob');
    await ada.messenger.sendText(self(bob).userId, 'after refill');
    await expectHistory(bob, self(ada).userId, ['in after refill']);
  });
});

describe('a recipient device with a full queue', () => {
  it('fails the send with queue-full naming whose device, marks the message failed, and sends again once it has room', async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    await bob.messenger.findUser('ada');
    // Ada's only device is away; the server holds one envelope for it at most.
    server.pause(self(ada).userId, 1);
    server.limitQueues(1);
    await bob.messenger.sendText(self(ada).userId, 'first');
    const failure = await bob.messenger.sendText(self(ada).userId, 'second').then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'queue-full', userId: self(ada).userId });
    // Nothing of the server's wording or code reaches the history: only the state.
    expect((await history(bob, self(ada).userId)).map((m) => [m.body, m.delivery])).toEqual([
      ['first', 'sent'],
      ['second', 'failed'],
    ]);
    // Ada comes back and reads: there is room again.
    server.resume(self(ada).userId, 1);
    await expectHistory(ada, self(bob).userId, ['in first']);
    await vi.waitFor(() => expect(server.queued(self(ada).userId, 1)).toHaveLength(0));
    await bob.messenger.sendText(self(ada).userId, 'third');
    await expectHistory(ada, self(bob).userId, ['in first', 'in third']);
  });
});

describe('messaging between two users', () => {
  it('sends the first message as a PreKey message, the reply and what follows as Signal messages, and the server sees only ciphertext', async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    const conversation = await ada.messenger.findUser('bob');
    expect(conversation).toMatchObject({ conversationId: self(bob).userId, peer: { handle: 'bob', displayName: 'bob' }, lastMessage: null, unread: 0 });

    const sent = await ada.messenger.sendText(conversation.conversationId, 'hello bob');
    expect(sent).toMatchObject({ direction: 'out', body: 'hello bob', delivery: 'sent' });
    await expectHistory(bob, self(ada).userId, ['in hello bob']);
    await bob.messenger.sendText(self(ada).userId, 'hi ada');
    await expectHistory(ada, self(bob).userId, ['out hello bob', 'in hi ada']);
    await ada.messenger.sendText(self(bob).userId, 'how are you');
    await expectHistory(bob, self(ada).userId, ['in hello bob', 'out hi ada', 'in how are you']);

    const types = (to: string) => server.sends.filter((f) => f.to === to).map((f) => f.messages[0]!.type);
    expect(types(self(bob).userId)[0]).toBe(3);
    expect(types(self(bob).userId).at(-1)).toBe(2);
    expect(types(self(ada).userId)[0]).toBe(2);
    const wire = JSON.stringify(server.sends);
    for (const plaintext of ['hello bob', 'hi ada', 'how are you', 'receipt']) expect(wire).not.toContain(plaintext);

    const bobsList = await firstValueFrom(bob.messenger.conversations$);
    expect(bobsList).toHaveLength(1);
    expect(bobsList[0]).toMatchObject({ conversationId: self(ada).userId, peer: { handle: 'ada' }, unread: 2, lastMessage: { body: 'how are you' } });
    expect(ada.failures).toEqual([]);
    expect(bob.failures).toEqual([]);
  });

  it('lists conversations most recent first, with previews and unread counts, and updates the list on every change', async () => {
    const { devices } = await world('ada', 'bob', 'cyd');
    const [ada, bob, cyd] = devices as [TestDevice, TestDevice, TestDevice];
    const lists: string[][] = [];
    const subscription = ada.messenger.conversations$.subscribe((list) =>
      lists.push(list.map((c) => `${c.peer.handle}:${c.unread}:${c.lastMessage?.body ?? '-'}`)),
    );
    await ada.messenger.findUser('bob');
    await ada.messenger.findUser('cyd');
    await bob.messenger.findUser('ada');
    await bob.messenger.sendText(self(ada).userId, 'from bob');
    await vi.waitFor(() => expect(lists.at(-1)).toEqual(['bob:1:from bob', 'cyd:0:-']));
    await sleep(2);
    await cyd.messenger.findUser('ada');
    await cyd.messenger.sendText(self(ada).userId, 'from cyd');
    await vi.waitFor(() => expect(lists.at(-1)).toEqual(['cyd:1:from cyd', 'bob:1:from bob']));
    subscription.unsubscribe();
    await expect(ada.messenger.findUser('nobody')).rejects.toMatchObject({ code: 'user-not-found' });
  });

  it('stores an incoming text before the relay acks it', async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    const atAck: Promise<HistoryMessage | undefined>[] = [];
    server.onAck = (device, envelope) => {
      // The in-memory store reads synchronously: this is what it held at the moment of the ack.
      if (device.userId === self(bob).userId) atAck.push(bob.history.getMessage(self(ada).userId, envelope.frame.messageId!));
    };
    await ada.messenger.findUser('bob');
    await ada.messenger.sendText(self(bob).userId, 'durable');
    await vi.waitFor(() => expect(atAck).toHaveLength(1));
    expect(await atAck[0]).toMatchObject({ body: 'durable', direction: 'in' });
  });

  it('publishes delivered text on the bus after storing it, for apps that listen', async () => {
    const { devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    const seen: string[] = [];
    bob.bus.on('content.text').subscribe((delivered) => seen.push(delivered.content.body));
    await ada.messenger.findUser('bob');
    await ada.messenger.sendText(self(bob).userId, 'on the bus');
    await vi.waitFor(() => expect(seen).toEqual(['on the bus']));
  });

  it('moves the ticks from sent to delivered automatically and to read on markRead', async () => {
    const { devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    await ada.messenger.findUser('bob');
    const sent = await ada.messenger.sendText(self(bob).userId, 'tick tock');
    await vi.waitFor(async () => expect((await history(ada, self(bob).userId))[0]?.delivery).toBe('delivered'));

    await bob.messenger.markRead(self(ada).userId, [sent.messageId]);
    await vi.waitFor(async () => expect((await history(ada, self(bob).userId))[0]?.delivery).toBe('read'));
    expect((await history(bob, self(ada).userId))[0]?.read).toBe(true);
    expect((await firstValueFrom(bob.messenger.conversations$))[0]?.unread).toBe(0);
  });

  it('shows messages delivered out of order and more than once exactly once, in the order they were written', async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    await ada.messenger.findUser('bob');
    server.pause(self(bob).userId, 1);
    for (const body of ['one', 'two', 'three']) {
      await ada.messenger.sendText(self(bob).userId, body);
      await sleep(2);
    }
    const queued = server.queued(self(bob).userId, 1);
    expect(queued).toHaveLength(3);
    server.resume(self(bob).userId, 1, (queue) => [queue[2]!, queue[0]!, queue[2]!, queue[1]!, queue[0]!]);
    await expectHistory(bob, self(ada).userId, ['in one', 'in two', 'in three']);
    await vi.waitFor(() => expect(server.queued(self(bob).userId, 1)).toEqual([]));

    // The same ciphertext again under a new envelope id (an ack the server lost): still once.
    server.redeliverAsNew(self(bob).userId, 1, queued[1]!);
    await vi.waitFor(() => expect(server.queued(self(bob).userId, 1)).toEqual([]));
    await expectHistory(bob, self(ada).userId, ['in one', 'in two', 'in three']);
    expect(bob.relayErrors).toEqual([]);
  });

  it('keeps what arrived while a device was offline and delivers it in order once it is back', async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    await ada.messenger.findUser('bob');
    bob.relay.close();
    for (const body of ['a', 'b', 'c']) {
      await ada.messenger.sendText(self(bob).userId, body);
      await sleep(2);
    }
    // The same device comes back (same store and history, a new relay connection).
    const again = await startDevice(server, bob.setup, { history: bob.history });
    running.push(again);
    await expectHistory(again, self(ada).userId, ['in a', 'in b', 'in c']);
  });
});

describe('call signaling', () => {
  it('reaches the bus as soon as it is decrypted, before the session state is stored; the relay acks it once stored', async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    await ada.messenger.findUser('bob');
    const published: string[] = [];
    bob.bus.events$.subscribe((event) => {
      if (event.type.startsWith('content.')) published.push(event.type);
    });
    // Bob's Signal store holds its session writes until released.
    const store = bob.setup.store;
    const storeSession = store.storeSession.bind(store);
    let release!: () => void;
    let held = new Promise<void>((resolve) => (release = resolve));
    store.storeSession = async (address, record) => {
      await held;
      return storeSession(address, record);
    };
    const signal = { type: 'call-signaling', callId: 'call-1', signal: { kind: 'offer', media: 'video', sdp: 'v=0', callerName: 'ada', key: { suite: 4, generation: 0, secret: 'A'.repeat(43) + '=' } } } as const;
    await ada.messenger.sendContent(self(bob).userId, signal);
    await vi.waitFor(() => expect(published).toEqual(['content.call-signaling']));
    expect(server.queued(self(bob).userId, self(bob).deviceId)).toHaveLength(1);
    release();
    await vi.waitFor(() => expect(server.queued(self(bob).userId, self(bob).deviceId)).toHaveLength(0));

    // Anything else waits until the message is fully handled.
    held = new Promise<void>((resolve) => (release = resolve));
    await ada.messenger.sendText(self(bob).userId, 'are you there');
    await sleep(50);
    expect(published).toEqual(['content.call-signaling']);
    release();
    await vi.waitFor(() => expect(published).toEqual(['content.call-signaling', 'content.text']));
    expect(published.filter((type) => type === 'content.call-signaling')).toHaveLength(1);
  });
});

describe('safety numbers', () => {
  it('are the same 60 digits on both sides, grouped by five', async () => {
    const { devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    await ada.messenger.findUser('bob');
    await bob.messenger.findUser('ada');
    const ours = await ada.messenger.safetyNumber(self(bob).userId);
    expect(ours).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(await bob.messenger.safetyNumber(self(ada).userId)).toBe(ours);
  });
});

describe('identity changes', () => {
  it("warns when a contact's identity key changes, holds their messages and sends nothing until the user accepts", async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    await ada.messenger.findUser('bob');
    await ada.messenger.sendText(self(bob).userId, 'before');
    await expectHistory(bob, self(ada).userId, ['in before']);
    await bob.messenger.findUser('ada');
    const before = await ada.messenger.safetyNumber(self(bob).userId);
    expect(await bob.messenger.safetyNumber(self(ada).userId)).toBe(before);

    // Bob reinstalls: same account, a new identity key and a new device.
    const bob2 = await reinstallWithNewIdentity(server, bob);
    running.push(bob2);

    await bob2.messenger.findUser('ada');
    await bob2.messenger.sendText(self(ada).userId, 'new phone');
    await vi.waitFor(async () =>
      expect(await firstValueFrom(ada.messenger.notices$)).toEqual([expect.objectContaining({ kind: 'identity-changed', userId: self(bob).userId })]),
    );
    // Held back, not shown, and nothing goes out under the new key until accepted.
    expect(bodies(await history(ada, self(bob).userId))).toEqual(['out before']);
    await expect(ada.messenger.sendText(self(bob).userId, 'are you bob?')).rejects.toMatchObject({ code: 'identity-untrusted' });
    expect(await ada.messenger.safetyNumber(self(bob).userId)).toBe(before);

    await ada.messenger.acceptIdentity(self(bob).userId);
    const after = await ada.messenger.safetyNumber(self(bob).userId);
    expect(after).not.toBe(before);
    expect(await bob2.messenger.safetyNumber(self(ada).userId)).toBe(after);
    expect((await firstValueFrom(ada.messenger.notices$)).filter((n) => n.kind === 'identity-changed')).toEqual([]);
    // The held message shows (written before the refused one); the refused one stays failed.
    await expectHistory(ada, self(bob).userId, ['out before', 'in new phone', 'out are you bob?']);
    expect((await history(ada, self(bob).userId)).at(-1)?.delivery).toBe('failed');

    await ada.messenger.sendText(self(bob).userId, 'welcome back');
    await expectHistory(bob2, self(ada).userId, ['out new phone', 'in welcome back']);
  });
});

describe('linked devices', () => {
  it('links a device with a code; it receives both directions, and the contact sees a new-device notice', async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    await ada.messenger.findUser('bob');
    await ada.messenger.sendText(self(bob).userId, 'before linking');
    await expectHistory(bob, self(ada).userId, ['in before linking']);

    const ada2 = await linkNewDevice(server, ada);
    running.push(ada2);
    expect(self(ada2)).toMatchObject({ userId: self(ada).userId, deviceId: 2, handle: 'ada' });
    const identityOf = async (device: TestDevice) => toBase64((await device.setup.store.getIdentityKeyPair()).serialize());
    expect(await identityOf(ada2)).toBe(await identityOf(ada));

    // Ada's first device → Bob, with a copy to Ada's second device.
    const first = await ada.messenger.sendText(self(bob).userId, 'from ada 1');
    await expectHistory(bob, self(ada).userId, ['in before linking', 'in from ada 1']);
    await expectHistory(ada2, self(bob).userId, ['out from ada 1']);
    await vi.waitFor(async () => expect((await history(ada2, self(bob).userId))[0]?.delivery).toBe('delivered'));

    // Bob → Ada: his device list is stale (devices_changed), he recovers and reaches both.
    await bob.messenger.sendText(self(ada).userId, 'to both');
    await expectHistory(ada, self(bob).userId, ['out before linking', 'out from ada 1', 'in to both']);
    await expectHistory(ada2, self(bob).userId, ['out from ada 1', 'in to both']);
    expect(await firstValueFrom(bob.messenger.notices$)).toEqual([
      expect.objectContaining({ kind: 'new-device', userId: self(ada).userId, deviceId: 2 }),
    ]);

    // Ada's second device → Bob, with a copy to the first.
    await ada2.messenger.sendText(self(bob).userId, 'from ada 2');
    await expectHistory(bob, self(ada).userId, ['in before linking', 'in from ada 1', 'out to both', 'in from ada 2']);
    await expectHistory(ada, self(bob).userId, ['out before linking', 'out from ada 1', 'in to both', 'out from ada 2']);

    // Reading on one device marks it read on the other; Bob sees the read tick on both of his messages.
    const incoming = (await history(ada, self(bob).userId)).find((m) => m.body === 'to both')!;
    await ada.messenger.markRead(self(bob).userId, [incoming.messageId]);
    await vi.waitFor(async () => expect((await history(ada2, self(bob).userId)).find((m) => m.body === 'to both')?.read).toBe(true));
    await vi.waitFor(async () => expect((await history(bob, self(ada).userId)).find((m) => m.body === 'to both')?.delivery).toBe('read'));
    expect(first.delivery).toBe('sent');
    for (const device of [ada, ada2, bob]) expect(device.failures).toEqual([]);
  });

  it('refuses a link request whose ephemeral key the server swapped (the HMAC does not match)', async () => {
    const { server, devices } = await world('ada');
    const [ada] = devices as [TestDevice];
    const attacker = await IdentityKeyPair.generate();
    server.tamperLinkRequest = (request) => ({ ...request, ephemeralPublicKey: toBase64(attacker.publicKey.serialize()) });
    server.longPollMs = 50;
    const { code } = await ada.messenger.createLinkCode();
    await expect(linkDevice({ api: apiFor(server), code, createStore: inMemoryStore, preKeyCounts: TEST_PREKEY_COUNTS, maxPolls: 2 })).rejects.toMatchObject({
      code: 'timeout',
    });
    expect(ada.failures.map((f) => f.message)).toEqual([expect.stringContaining('bad-mac')]);
  });

  it('rejects a code the server does not know', async () => {
    const { server } = await world('ada');
    await expect(
      linkDevice({ api: apiFor(server), code: 'ffffffffffffffff-abcdefghijklmnop', createStore: inMemoryStore, preKeyCounts: TEST_PREKEY_COUNTS }),
    ).rejects.toMatchObject({ code: 'link-not-found' });
  });
});

describe('devices_changed', () => {
  it('drops a removed device, restarts a stale session, and gives up after a bounded number of rounds', async () => {
    const { server, devices } = await world('ada', 'bob');
    const [ada, bob] = devices as [TestDevice, TestDevice];
    const ada2 = await linkNewDevice(server, ada);
    running.push(ada2);
    await bob.messenger.findUser('ada');
    await bob.messenger.sendText(self(ada).userId, 'to two devices');
    await expectHistory(ada2, self(bob).userId, ['in to two devices']);

    // Extra: Ada removes her second device; Bob still lists it.
    await apiFor(server, self(ada).token).removeDevice(2);
    await bob.messenger.sendText(self(ada).userId, 'to one device');
    await expectHistory(ada, self(bob).userId, ['in to two devices', 'in to one device']);

    // Stale: the server says Bob's session with Ada's first device is stale; he starts a new one.
    server.markStale(self(ada).userId, 1);
    await bob.messenger.sendText(self(ada).userId, 'new session');
    await expectHistory(ada, self(bob).userId, ['in to two devices', 'in to one device', 'in new session']);
    expect(server.sends.filter((f) => f.to === self(ada).userId).at(-1)?.messages[0]?.type).toBe(3);

    // A device list that never settles ends in devices-changed-loop, and the message is marked failed.
    const relaySend = bob.relay.send.bind(bob.relay);
    bob.relay.send = async (frame) => {
      server.markStale(self(ada).userId, 1);
      return relaySend(frame);
    };
    await expect(bob.messenger.sendText(self(ada).userId, 'never')).rejects.toMatchObject({ code: 'devices-changed-loop' });
    expect((await history(bob, self(ada).userId)).at(-1)).toMatchObject({ body: 'never', delivery: 'failed' });
  });
});
