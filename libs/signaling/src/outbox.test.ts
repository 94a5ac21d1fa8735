import type { SendFrame } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { Outbox, type PendingSend } from './outbox.js';

function pending(id: string): PendingSend {
  const frame: SendFrame = { t: 'send', id, to: 'bob', messages: [{ deviceId: 1, type: 2, ciphertext: 'AAAA' }] };
  return { frame, resolve: () => {}, reject: () => {}, timer: null };
}

const ids = (sends: PendingSend[]) => sends.map((send) => send.frame.id);

describe('Outbox', () => {
  it('drains queued sends oldest first and keeps them until settled', () => {
    const outbox = new Outbox();
    for (const id of ['a', 'b', 'c']) outbox.enqueue(pending(id));
    expect(ids(outbox.drain())).toEqual(['a', 'b', 'c']);
    expect(outbox.drain()).toEqual([]);
    expect(outbox.has('b')).toBe(true);
    expect(outbox.settle('b')?.frame.id).toBe('b');
    expect(outbox.has('b')).toBe(false);
    expect(outbox.settle('b')).toBeUndefined();
  });

  it('puts in-flight sends back in front of queued ones, in the order they were written', () => {
    const outbox = new Outbox();
    outbox.enqueue(pending('a'));
    outbox.enqueue(pending('b'));
    outbox.drain();
    outbox.enqueue(pending('c'));
    expect(ids(outbox.requeueInFlight())).toEqual(['a', 'b']);
    expect(ids(outbox.drain())).toEqual(['a', 'b', 'c']);
  });

  it('hands back everything when cleared', () => {
    const outbox = new Outbox();
    outbox.enqueue(pending('a'));
    outbox.drain();
    outbox.enqueue(pending('b'));
    expect(outbox.size).toBe(2);
    expect(ids(outbox.clear())).toEqual(['a', 'b']);
    expect(outbox.size).toBe(0);
  });
});
