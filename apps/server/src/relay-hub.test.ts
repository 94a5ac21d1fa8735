import type { ServerFrame } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { type RelayConnection, RelayHub } from './relay-hub.js';

function connection(userId: string, deviceId = 1): RelayConnection & { received: ServerFrame[] } {
  const received: ServerFrame[] = [];
  return { userId, deviceId, received, deliver: (frame) => received.push(frame) };
}

describe('RelayHub', () => {
  it('tracks connections per user and forgets closed ones', () => {
    const hub = new RelayHub();
    const a1 = connection('alice');
    const a2 = connection('alice');
    hub.add(a1);
    hub.add(a2);
    hub.add(connection('bob'));
    expect(hub.size).toBe(3);
    hub.remove(a1);
    hub.remove(a1);
    expect(hub.connectionsOf('alice')).toEqual([a2]);
    hub.remove(a2);
    expect(hub.connectionsOf('alice')).toEqual([]);
    expect(hub.size).toBe(1);
  });

  it('gives each target the ciphertext addressed to its device and skips devices with none', () => {
    const hub = new RelayHub();
    const sender = connection('alice');
    const bobPhone = connection('bob', 1);
    const bobLaptop = connection('bob', 2);
    const bobTablet = connection('bob', 3);
    for (const c of [sender, bobPhone, bobLaptop, bobTablet]) hub.add(c);

    const delivered = hub.fanOut(sender, {
      t: 'send',
      id: 'm-1',
      to: 'bob',
      messages: [
        { deviceId: 1, ciphertext: 'AAAA' },
        { deviceId: 2, ciphertext: 'BBBB' },
      ],
    });

    expect(delivered).toBe(2);
    expect(bobPhone.received).toEqual([{ t: 'deliver', id: 'm-1', from: { userId: 'alice', deviceId: 1 }, ciphertext: 'AAAA' }]);
    expect(bobLaptop.received.map((f) => (f.t === 'deliver' ? f.ciphertext : null))).toEqual(['BBBB']);
    expect(bobTablet.received).toEqual([]);
    expect(sender.received).toEqual([]);
  });

  it('delivers nothing when nobody is connected', () => {
    const hub = new RelayHub();
    const sender = connection('alice');
    hub.add(sender);
    expect(hub.fanOut(sender, { t: 'send', id: 'm', to: 'bob', messages: [{ deviceId: 1, ciphertext: 'AAAA' }] })).toBe(0);
  });
});
