import type { RelayCloseCause, ServerFrame } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { type RelayConnection, RelayHub } from './relay-hub.js';
import type { QueuedEnvelope } from '../storage/storage.js';

function connection(userId: string, deviceId: number) {
  const frames: ServerFrame[] = [];
  const offered: number[] = [];
  const closed: RelayCloseCause[] = [];
  const conn: RelayConnection = {
    userId,
    deviceId,
    deliver: (frame) => frames.push(frame),
    offer: (envelopes) => offered.push(...envelopes.map((e) => e.seq)),
    close: (cause) => closed.push(cause),
  };
  return { conn, frames, offered, closed };
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
});
