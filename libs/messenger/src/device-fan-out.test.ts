import { fromBase64, fromUtf8, utf8 } from '@parley/bytes';
import { systemClock } from '@parley/clock';
import type { SendFrame } from '@parley/contracts';
import { RelayError } from '@parley/signaling';
import { describe, expect, it } from 'vitest';
import { ContactDirectory } from './contact-directory.js';
import { ConversationChanges } from './conversation-changes.js';
import { type DeviceRound, MAX_DEVICE_ROUNDS, PairwiseFanOut, sendToEveryDevice } from './device-fan-out.js';
import { InMemoryHistoryStore } from './history-store.js';
import { SessionStarter } from './session-starter.js';
import { selfOf, sessionWith } from './signal-sessions.js';
import { apiFor, FakeParleyServer, registerDevice, linkNewDevice, type TestDevice } from './testing/index.js';

const devicesChanged = (missing: number[] = [2]) =>
  new RelayError('send-rejected', 'devices changed', { serverCode: 'devices_changed', devices: { missing, extra: [], stale: [] } });

/** A relay whose sends fail with `failures`, one per send, then succeed; it keeps what it was asked to send. */
function scriptedRelay(...failures: Error[]) {
  const sent: SendFrame[] = [];
  return {
    sent,
    send: async (frame: SendFrame) => {
      sent.push(frame);
      const failure = failures.shift();
      if (failure) throw failure;
    },
  };
}

/** A round over a fixed device list that records what the server said changed. */
function round(deviceIds: number[], recover = true) {
  const changes: unknown[] = [];
  const plan: DeviceRound = {
    messages: async () => (deviceIds.length === 0 ? 'nobody' : deviceIds.map((deviceId) => ({ deviceId, type: 2 as const, ciphertext: 'AAAA' }))),
    devicesChanged: async (changed) => {
      changes.push(changed);
      deviceIds.push(...(changed?.missing ?? []));
      return recover;
    },
  };
  return { plan, changes };
}

describe('sending to every device of a recipient', () => {
  it('sends one frame with a copy per device', async () => {
    const relay = scriptedRelay();
    await sendToEveryDevice(relay, 'bob', 'm1', round([1, 2]).plan);
    expect(relay.sent).toEqual([{ t: 'send', id: 'm1', to: 'bob', messages: [expect.objectContaining({ deviceId: 1 }), expect.objectContaining({ deviceId: 2 })] }]);
  });

  it('fixes the device list when the server says it changed, and sends again under the same id', async () => {
    const relay = scriptedRelay(devicesChanged([2]));
    const { plan, changes } = round([1]);
    await sendToEveryDevice(relay, 'bob', 'm1', plan);
    expect(changes).toEqual([{ missing: [2], extra: [], stale: [] }]);
    expect(relay.sent.map((frame) => [frame.id, frame.messages.map((m) => m.deviceId)])).toEqual([
      ['m1', [1]],
      ['m1', [1, 2]],
    ]);
  });

  it(`gives up with devices-changed-loop after ${MAX_DEVICE_ROUNDS} changes, naming whose list it was`, async () => {
    const relay = scriptedRelay(...Array.from({ length: MAX_DEVICE_ROUNDS }, () => devicesChanged([])));
    await expect(sendToEveryDevice(relay, 'bob', 'm1', round([1]).plan, 'a group member')).rejects.toMatchObject({
      code: 'devices-changed-loop',
      message: expect.stringContaining('a group member'),
    });
    expect(relay.sent).toHaveLength(MAX_DEVICE_ROUNDS);
  });

  it('does not retry a full device queue: it fails with queue-full naming the recipient', async () => {
    const relay = scriptedRelay(new RelayError('send-rejected', 'full', { serverCode: 'queue_full' }));
    await expect(sendToEveryDevice(relay, 'bob', 'm1', round([1]).plan)).rejects.toMatchObject({ code: 'queue-full', userId: 'bob' });
    expect(relay.sent).toHaveLength(1);
  });

  it("fails with the server's error when the round cannot recover from the change", async () => {
    const refused = devicesChanged();
    await expect(sendToEveryDevice(scriptedRelay(refused), 'bob', 'm1', round([1], false).plan)).rejects.toBe(refused);
  });

  it('sends nothing when the recipient has no device to send to', async () => {
    const relay = scriptedRelay();
    await sendToEveryDevice(relay, 'ada', 'm1', round([]).plan);
    expect(relay.sent).toEqual([]);
  });
});

describe('pairwise fan-out', () => {
  /** Ada's fan-out over the fake server, with a relay that only records. */
  function fanOutOf(server: FakeParleyServer, ada: TestDevice) {
    const self = selfOf(ada.setup.credentials);
    const api = apiFor(server, ada.setup.credentials.token);
    const store = ada.setup.store;
    const directory = new ContactDirectory({ self, api, store, history: new InMemoryHistoryStore(), changes: new ConversationChanges(), clock: systemClock });
    const sessions = new SessionStarter({ self, api, store, directory, clock: systemClock });
    const relay = scriptedRelay();
    return { fanOut: new PairwiseFanOut({ self, store, relay, directory, sessions, clock: systemClock }), relay, directory };
  }

  it("starts sessions from the server's bundles and encrypts for every device of the recipient, each of which can read it", async () => {
    const server = new FakeParleyServer();
    const ada = await registerDevice(server, 'ada');
    const bob = await registerDevice(server, 'bob');
    const bob2 = await linkNewDevice(server, bob);
    const { fanOut, relay } = fanOutOf(server, ada);
    const bobId = bob.setup.credentials.userId;
    await fanOut.send(bobId, 'm1', utf8('hello'));
    const [frame] = relay.sent;
    expect(frame).toMatchObject({ id: 'm1', to: bobId });
    expect(frame!.messages.map((m) => [m.deviceId, m.type])).toEqual([
      [1, 3],
      [2, 3],
    ]);
    for (const device of [bob, bob2]) {
      const { deviceId } = device.setup.credentials;
      const copy = frame!.messages.find((m) => m.deviceId === deviceId)!;
      const session = sessionWith(device.setup.store, selfOf(device.setup.credentials), { name: ada.setup.credentials.userId, deviceId: 1 }, systemClock);
      expect(fromUtf8(await session.decrypt({ type: 3, serialized: fromBase64(copy.ciphertext) }))).toBe('hello');
    }
    for (const device of [ada, bob, bob2]) device.stop();
  });

  it('refuses to send to a contact whose identity changed until the user accepts it', async () => {
    const server = new FakeParleyServer();
    const ada = await registerDevice(server, 'ada');
    const bob = await registerDevice(server, 'bob');
    const { fanOut, relay, directory } = fanOutOf(server, ada);
    const bobId = bob.setup.credentials.userId;
    await directory.contactFor(bobId);
    await directory.identityChanged(bobId, (await ada.setup.store.getIdentityKeyPair()).publicKey);
    await expect(fanOut.send(bobId, 'm1', new Uint8Array([1]))).rejects.toMatchObject({ code: 'identity-untrusted' });
    expect(relay.sent).toEqual([]);
    for (const device of [ada, bob]) device.stop();
  });
});
