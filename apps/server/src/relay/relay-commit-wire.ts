/**
 * How a batch of relay writes crosses to the commit thread and its outcomes come back. Posting
 * RelayWrites as they are made the main thread structured-clone one object graph per send (and
 * the pooled slab under every ciphertext), then deserialize every envelope, ciphertext included,
 * on the way back: more main-thread time than the commit itself. Here a batch is two flat arrays
 * and one buffer of ciphertexts that is transferred, not copied; the answer is numbers only, and
 * the main thread rebuilds the envelopes from the writes it still holds.
 */
import type { OutgoingCiphertext, OutgoingMessage, QueueQuota, QueuedEnvelope, RelayWrites, SubmitOutcome } from '../storage/storage.js';

/** RelayWrites, flattened. */
export interface PackedWrites {
  now: number;
  quota: QueueQuota;
  ackCount: number;
  sendCount: number;
  /** Per ack its user; then per send its recipient user, sender user and message id. */
  strings: string[];
  /** Per ack device and seq; then per send sender device, message count and per message device, type and ciphertext length. */
  numbers: number[];
  /** Every ciphertext of the batch back to back, in message order. */
  ciphertexts: ArrayBuffer;
}

/** Flattens `writes`; post the result with `[packed.ciphertexts]` as the transfer list. */
export function packWrites(writes: RelayWrites): PackedWrites {
  const strings: string[] = [];
  const numbers: number[] = [];
  for (const ack of writes.acks) {
    strings.push(ack.userId);
    numbers.push(ack.deviceId, ack.seq);
  }
  let bytes = 0;
  for (const send of writes.sends) {
    strings.push(send.to, send.sender.userId, send.messageId);
    numbers.push(send.sender.deviceId, send.messages.length);
    for (const message of send.messages) {
      numbers.push(message.deviceId, message.type, message.ciphertext.byteLength);
      bytes += message.ciphertext.byteLength;
    }
  }
  // A buffer of its own (never Node's shared pool): transferring detaches it.
  const ciphertexts = new Uint8Array(bytes);
  let offset = 0;
  for (const send of writes.sends) {
    for (const message of send.messages) {
      ciphertexts.set(message.ciphertext, offset);
      offset += message.ciphertext.byteLength;
    }
  }
  return { now: writes.now, quota: writes.quota, ackCount: writes.acks.length, sendCount: writes.sends.length, strings, numbers, ciphertexts: ciphertexts.buffer };
}

/** The commit thread's side of packWrites; ciphertexts are views into the transferred buffer. */
export function unpackWrites(packed: PackedWrites): RelayWrites {
  const { strings, numbers } = packed;
  let s = 0;
  let n = 0;
  let offset = 0;
  const acks: RelayWrites['acks'] = [];
  for (let i = 0; i < packed.ackCount; i++) acks.push({ userId: strings[s++]!, deviceId: numbers[n++]!, seq: numbers[n++]! });
  const sends: OutgoingMessage[] = [];
  for (let i = 0; i < packed.sendCount; i++) {
    const to = strings[s++]!;
    const sender = { userId: strings[s++]!, deviceId: numbers[n++]! };
    const messageId = strings[s++]!;
    const count = numbers[n++]!;
    const messages: OutgoingMessage['messages'] = [];
    for (let m = 0; m < count; m++) {
      const deviceId = numbers[n++]!;
      const type = numbers[n++]!;
      const length = numbers[n++]!;
      messages.push({ deviceId, type, ciphertext: Buffer.from(packed.ciphertexts, offset, length) });
      offset += length;
    }
    sends.push({ sender, to, messageId, messages });
  }
  return { sends, acks, now: packed.now, quota: packed.quota };
}

const QUEUED = 0;
const UNKNOWN_USER = 1;
const DEVICES_CHANGED = 2;
const QUEUE_FULL = 3;
/** In a packed `queued` outcome: this message was queued before (a retry) and not again now. */
const NOT_QUEUED = 0;

/**
 * Outcomes as numbers, one entry per send: `queued` with the seq of each of its messages (0 for
 * one queued before), `unknown_user`, `queue_full`, or `devices_changed` with both device lists.
 */
export function packOutcomes(writes: RelayWrites, outcomes: SubmitOutcome[]): number[] {
  const packed: number[] = [];
  outcomes.forEach((outcome, index) => {
    switch (outcome.kind) {
      case 'queued': {
        packed.push(QUEUED);
        // Envelopes come in message order, duplicates left out.
        let next = 0;
        for (const message of writes.sends[index]!.messages) {
          const envelope = outcome.envelopes[next];
          if (envelope && envelope.recipient.deviceId === message.deviceId) {
            packed.push(envelope.seq);
            next += 1;
          } else packed.push(NOT_QUEUED);
        }
        return;
      }
      case 'unknown_user':
        packed.push(UNKNOWN_USER);
        return;
      case 'queue_full':
        packed.push(QUEUE_FULL);
        return;
      case 'devices_changed':
        packed.push(DEVICES_CHANGED, outcome.missing.length, ...outcome.missing, outcome.extra.length, ...outcome.extra);
    }
  });
  return packed;
}

/** The main thread's side of packOutcomes: the same outcomes the commit returned, rebuilt from `writes`. */
export function unpackOutcomes(writes: RelayWrites, packed: readonly number[]): SubmitOutcome[] {
  let n = 0;
  return writes.sends.map((send): SubmitOutcome => {
    const kind = packed[n++];
    if (kind === UNKNOWN_USER) return { kind: 'unknown_user' };
    if (kind === QUEUE_FULL) return { kind: 'queue_full' };
    if (kind === DEVICES_CHANGED) {
      const missing = packed.slice(n + 1, n + 1 + packed[n]!);
      n += 1 + missing.length;
      const extra = packed.slice(n + 1, n + 1 + packed[n]!);
      n += 1 + extra.length;
      return { kind: 'devices_changed', missing, extra };
    }
    const envelopes: QueuedEnvelope[] = [];
    for (const message of send.messages) {
      const seq = packed[n++]!;
      if (seq === NOT_QUEUED) continue;
      envelopes.push(envelopeOf(send, message, seq, writes.now));
    }
    return { kind: 'queued', envelopes };
  });
}

/** The queued envelope of one message of a send, as the commit stored it under `seq`. */
export function envelopeOf(send: OutgoingMessage, message: OutgoingCiphertext, seq: number, now: number): QueuedEnvelope {
  return { seq, recipient: { userId: send.to, deviceId: message.deviceId }, sender: send.sender, messageId: send.messageId, type: message.type, ciphertext: message.ciphertext, serverTimestamp: now };
}
