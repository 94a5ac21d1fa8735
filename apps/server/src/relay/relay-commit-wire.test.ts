import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { packOutcomes, packWrites, unpackOutcomes, unpackWrites } from './relay-commit-wire.js';
import type { RelayWrites, SubmitOutcome } from '../storage/storage.js';

const alice = { userId: 'alice', deviceId: 2 };
const bytes = (text: string) => Buffer.from(text);

const quota = { queueEnvelopes: 10_000, queueBytes: 100 * 1024 * 1024 };

const writes: RelayWrites = {
  now: 1_700_000_000_000,
  quota,
  acks: [
    { userId: 'alice', deviceId: 2, seq: 17 },
    { userId: 'bob', deviceId: 1, seq: 2 ** 40 },
  ],
  sends: [
    { sender: alice, to: 'bob', messageId: 'm-1', messages: [{ deviceId: 1, type: 3, ciphertext: bytes('to bob 1') }, { deviceId: 4, type: 2, ciphertext: bytes('to bob 4') }] },
    { sender: alice, to: 'nobody', messageId: 'm-2', messages: [{ deviceId: 1, type: 2, ciphertext: bytes('lost') }] },
    { sender: alice, to: 'carol', messageId: 'm-3', messages: [{ deviceId: 1, type: 2, ciphertext: new Uint8Array(0) }] },
    { sender: alice, to: 'alice', messageId: 'm-4', messages: [{ deviceId: 1, type: 7, ciphertext: bytes('own device') }, { deviceId: 3, type: 7, ciphertext: bytes('again') }] },
  ],
};

/** Transfers a message through a real MessagePort, as to the commit thread. */
async function postThrough<T>(message: T, transfer: ArrayBuffer[] = []): Promise<T> {
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<T>((resolve) => port2.once('message', resolve));
  port1.postMessage(message, transfer);
  try {
    return await received;
  } finally {
    port1.close();
  }
}

describe('relay commit wire format', () => {
  it('carries every send and ack to the commit thread unchanged', async () => {
    const packed = packWrites(writes);
    const received = unpackWrites(await postThrough(packed, [packed.ciphertexts]));
    expect(received.now).toBe(writes.now);
    expect(received.acks).toEqual(writes.acks);
    expect(received.sends.map((send) => ({ ...send, messages: send.messages.map((m) => ({ ...m, ciphertext: Buffer.from(m.ciphertext).toString() })) }))).toEqual(
      writes.sends.map((send) => ({ ...send, messages: send.messages.map((m) => ({ ...m, ciphertext: Buffer.from(m.ciphertext).toString() })) })),
    );
  });

  it('transfers a buffer of its own, leaving the senders\' ciphertexts (and Node\'s buffer pool) intact', async () => {
    const pooled = Buffer.from('c2hhcmVkIHBvb2w=', 'base64');
    const packed = packWrites({ now: 1, quota, acks: [], sends: [{ sender: alice, to: 'bob', messageId: 'm', messages: [{ deviceId: 1, type: 2, ciphertext: pooled }] }] });
    await postThrough(packed, [packed.ciphertexts]);
    expect(packed.ciphertexts.byteLength).toBe(0);
    expect(pooled.toString()).toBe('shared pool');
    expect(Buffer.from('still usable').toString()).toBe('still usable');
  });

  it('brings the outcomes back as the commit returned them, envelopes rebuilt from the writes', async () => {
    const outcomes: SubmitOutcome[] = [
      {
        kind: 'queued',
        envelopes: [
          { seq: 10, recipient: { userId: 'bob', deviceId: 1 }, sender: alice, messageId: 'm-1', type: 3, ciphertext: bytes('to bob 1'), serverTimestamp: writes.now },
          { seq: 11, recipient: { userId: 'bob', deviceId: 4 }, sender: alice, messageId: 'm-1', type: 2, ciphertext: bytes('to bob 4'), serverTimestamp: writes.now },
        ],
      },
      { kind: 'unknown_user' },
      { kind: 'devices_changed', missing: [2, 5], extra: [] },
      // A retry: the copy to device 1 was queued before, the one to device 3 is new.
      {
        kind: 'queued',
        envelopes: [{ seq: 2 ** 40, recipient: { userId: 'alice', deviceId: 3 }, sender: alice, messageId: 'm-4', type: 7, ciphertext: bytes('again'), serverTimestamp: writes.now }],
      },
    ];
    const received = unpackOutcomes(writes, await postThrough(packOutcomes(writes, outcomes)));
    expect(received).toEqual(outcomes);
    // Nothing but numbers crossed: the envelopes carry the main thread's own ciphertexts.
    expect((received[0] as { envelopes: Array<{ ciphertext: Uint8Array }> }).envelopes[0]!.ciphertext).toBe(writes.sends[0]!.messages[0]!.ciphertext);
  });
});
