import type { RelayCloseCause, ServerFrame } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import type { ClusterBus } from './cluster-bus.js';
import { type RelayConnection, RelayHub } from './relay-hub.js';
import type { QueuedEnvelope } from '../storage/storage.js';

function connection(userId: string, deviceId: number) {
  const frames: ServerFrame[] = [];
  const offered: number[] = [];
  const closed: RelayCloseCause[] = [];
  const looks = { count: 0 };
  const conn: RelayConnection = {
    userId,
    deviceId,
    deliver: (frame) => frames.push(frame),
    offer: (envelopes) => offered.push(...envelopes.map((e) => e.seq)),
    close: (cause) => closed.push(cause),
    lookAgain: () => (looks.count += 1),
  };
  return { conn, frames, offered, closed, looks };
}

const envelope = (seq: number, userId: string, deviceId: number): QueuedEnvelope => ({
  seq,
  recipient: { userId, deviceId },
  sender: { userId: 'x', deviceId: 1 },
  messageId: `m${seq}`,
  type: 2,
  ciphertext: new Uint8Array([seq]),
  serverTimestamp: 0,
});

describe('RelayHub', () => {
  it('keeps one connection per device and returns the one a reconnect replaces', () => {
    const hub = new RelayHub();
    const first = connection('alice', 1);
    const second = connection('alice', 1);
    const other = connection('alice', 2);
    expect(hub.add(first.conn)).toBeUndefined();
    expect(hub.add(other.conn)).toBeUndefined();
    expect(hub.add(second.conn)).toBe(first.conn);
    expect(hub.size).toBe(2);
    // The replaced connection closing later must not unregister its successor.
    hub.remove(first.conn);
    expect(hub.connectionOf({ userId: 'alice', deviceId: 1 })).toBe(second.conn);
  });

  it('offers envelopes to each recipient device in queue order, skipping offline ones', () => {
    const hub = new RelayHub();
    const a1 = connection('alice', 1);
    const a2 = connection('alice', 2);
    hub.add(a1.conn);
    hub.add(a2.conn);
    hub.offer([envelope(1, 'alice', 1), envelope(2, 'alice', 2), envelope(3, 'alice', 1), envelope(4, 'bob', 1)]);
    expect(a1.offered).toEqual([1, 3]);
    expect(a2.offered).toEqual([2]);
  });

  it('notifies a connected device and closes a removed one', () => {
    const hub = new RelayHub();
    const a1 = connection('alice', 1);
    hub.add(a1.conn);
    expect(hub.notify({ userId: 'alice', deviceId: 1 }, { t: 'pong' })).toBe(true);
    expect(hub.notify({ userId: 'alice', deviceId: 9 }, { t: 'pong' })).toBe(false);
    expect(a1.frames).toEqual([{ t: 'pong' }]);
    hub.closeDevice({ userId: 'alice', deviceId: 1 }, 'deviceRemoved', 'this device was removed from its account');
    expect(a1.closed).toEqual(['deviceRemoved']);
    expect(hub.size).toBe(0);
  });

  it('tells the other nodes through the bus: claims, look-agains for devices held elsewhere, closes, and re-claims after Redis returns', async () => {
    const calls: string[] = [];
    const bus: ClusterBus = {
      nodeId: 'here',
      connected: true,
      claim: async (d) => void calls.push(`claim ${d.userId}/${d.deviceId}`),
      release: async (d) => void calls.push(`release ${d.userId}/${d.deviceId}`),
      lookAgain: async (ds) => void calls.push(`look ${ds.map((d) => `${d.userId}/${d.deviceId}`).join(',')}`),
      closeElsewhere: async (d, cause) => void calls.push(`close ${d.userId}/${d.deviceId} ${cause}`),
      notifyElsewhere: async (d, frame) => void calls.push(`frame ${d.userId}/${d.deviceId} ${frame.t}`),
      stop: async () => {},
    };
    const hub = new RelayHub();
    const a1 = connection('alice', 1);
    hub.add(a1.conn);
    hub.attachBus(bus, (error) => expect.fail(error.message));
    expect(a1.looks.count).toBe(1);
    const b1 = connection('bob', 1);
    hub.add(b1.conn);
    // Devices held elsewhere: the promise settles once their nodes were told; none: nothing to wait for.
    expect(hub.offer([envelope(1, 'alice', 1), envelope(2, 'carol', 1), envelope(3, 'carol', 1), envelope(4, 'dave', 2)])).toBeInstanceOf(Promise);
    expect(hub.offer([envelope(5, 'alice', 1)])).toBeUndefined();
    hub.closeDevice({ userId: 'erin', deviceId: 1 }, 'deviceRemoved', 'this device was removed from its account');
    // A notice for a device not held here goes to its node; one held here does not leave the node.
    expect(hub.notify({ userId: 'frank', deviceId: 3 }, { t: 'pong' })).toBe(false);
    expect(hub.notify({ userId: 'bob', deviceId: 1 }, { t: 'pong' })).toBe(true);
    expect(b1.frames).toEqual([{ t: 'pong' }]);
    hub.remove(b1.conn);
    await Promise.resolve();
    expect(calls).toEqual(['claim alice/1', 'claim bob/1', 'look carol/1,dave/2', 'close erin/1 deviceRemoved', 'frame frank/3 pong', 'release bob/1']);

    // Displaced by a newer connection on another node: closed as replaced, its presence left alone.
    calls.length = 0;
    hub.onNote({ t: 'displaced', device: { userId: 'alice', deviceId: 1 } });
    expect(a1.closed).toEqual(['replaced']);
    expect(hub.size).toBe(0);
    const c1 = connection('carol', 1);
    hub.add(c1.conn);
    hub.onNote({ t: 'look', device: { userId: 'carol', deviceId: 1 } });
    hub.onNote({ t: 'frame', device: { userId: 'carol', deviceId: 1 }, frame: { t: 'prekeys-low', oneTimePreKeys: 3, kyberOneTimePreKeys: 1 } });
    expect(c1.frames).toEqual([{ t: 'prekeys-low', oneTimePreKeys: 3, kyberOneTimePreKeys: 1 }]);
    hub.onNote({ t: 'close', device: { userId: 'carol', deviceId: 1 }, cause: 'deviceRemoved', reason: 'this device was removed from its account' });
    await Promise.resolve();
    expect(c1.looks.count).toBe(1);
    expect(c1.closed).toEqual(['deviceRemoved']);
    expect(calls).toEqual(['claim carol/1', 'release carol/1']);
  });
});
