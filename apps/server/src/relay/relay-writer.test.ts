import { ManualClock } from '@parley/clock/testing';
import { describe, expect, it } from 'vitest';
import type { OutgoingMessage, QueuedEnvelope, RelayQueueStore, RelayWrites } from '../storage/storage.js';
import { RelayWriter } from './relay-writer.js';

const QUOTA = { queueEnvelopes: 1_000, queueBytes: 1_000_000 };

/** A store that queues every send as one envelope for bob's device 1. */
function fakeStore(): RelayQueueStore {
  let seq = 0;
  return {
    async commitRelayWrites(writes: RelayWrites) {
      return writes.sends.map((send) => ({
        kind: 'queued' as const,
        envelopes: [{ seq: ++seq, recipient: { userId: 'bob', deviceId: 1 }, sender: send.sender, messageId: send.messageId, type: 2, ciphertext: new Uint8Array(1), serverTimestamp: 0 }],
      }));
    },
    async pendingEnvelopes() {
      return [];
    },
    async expireEnvelopes() {
      return 0;
    },
  };
}

const message = (messageId: string): OutgoingMessage => ({ sender: { userId: 'alice', deviceId: 1 }, to: 'bob', messageId, messages: [{ deviceId: 1, type: 2, ciphertext: new Uint8Array(1) }] });

describe('RelayWriter', () => {
  it('answers a batch only once the other nodes were told about it (so an acknowledged send was announced)', async () => {
    let announce!: () => void;
    let offered!: (envelopes: QueuedEnvelope[]) => void;
    const offeredBatch = new Promise<QueuedEnvelope[]>((resolve) => (offered = resolve));
    const writer = new RelayWriter(fakeStore(), new ManualClock(0), (envelopes) => {
      offered(envelopes);
      return new Promise<void>((resolve) => (announce = resolve));
    }, QUOTA);
    let answered = false;
    const submitted = writer.submit(message('m1')).then((outcome) => {
      answered = true;
      return outcome;
    });
    expect((await offeredBatch).map((envelope) => envelope.messageId)).toEqual(['m1']);
    // Committed and offered, the announcement still on its way: the sender has no answer yet.
    await Promise.resolve();
    expect(answered).toBe(false);
    announce();
    expect(await submitted).toMatchObject({ kind: 'queued' });
  });
});
