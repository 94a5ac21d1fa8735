/**
 * The relay queue: envelopes waiting for each recipient device, written in batches (group commit).
 */
import type { DeviceAddress } from './account-store.js';

/** Ciphertext for one device, as a `send` carries it. */
export interface OutgoingCiphertext {
  deviceId: number;
  type: number;
  ciphertext: Uint8Array;
}

/** A `send` frame from an authenticated device. */
export interface OutgoingMessage {
  sender: DeviceAddress;
  to: string;
  messageId: string;
  messages: OutgoingCiphertext[];
}

/** A queued envelope for one device; `seq` orders the queue and is the envelope id on the wire. */
export interface QueuedEnvelope {
  seq: number;
  recipient: DeviceAddress;
  sender: DeviceAddress;
  messageId: string;
  type: number;
  ciphertext: Uint8Array;
  serverTimestamp: number;
}

/** What became of one `send`. `envelopes` holds only those queued now (a retry queues none twice). */
export type SubmitOutcome =
  | { kind: 'queued'; envelopes: QueuedEnvelope[] }
  | { kind: 'unknown_user' }
  | { kind: 'devices_changed'; missing: number[]; extra: number[] }
  /** A recipient device's queue is at its quota: nothing of the send was queued. */
  | { kind: 'queue_full' };

/** Most envelopes and ciphertext bytes queued for one recipient device (disk-limits.ts). */
export interface QueueQuota {
  queueEnvelopes: number;
  queueBytes: number;
}

/** Writes of the relay committed together (group commit): new messages and acknowledgements. */
export interface RelayWrites {
  sends: OutgoingMessage[];
  acks: Array<DeviceAddress & { seq: number }>;
  now: number;
  /** Each send is refused (`queue_full`) when it would take a recipient device past this. */
  quota: QueueQuota;
}

/** The durable per-device queue the relay writes and reads. */
export interface RelayQueueStore {
  /**
   * Checks each send against the recipient's devices and queues the accepted ones, and deletes
   * the acknowledged envelopes, all in ONE durable transaction: once it resolves, every queued
   * envelope survives a crash. Outcomes are in the order of `writes.sends`.
   */
  commitRelayWrites(writes: RelayWrites): Promise<SubmitOutcome[]>;
  /** Envelopes waiting in every device queue (metrics); absent where counting is not cheap. */
  queuedEnvelopeCount?(): Promise<number>;
  /** Queued envelopes of a device after `afterSeq`, oldest first. */
  pendingEnvelopes(device: DeviceAddress, afterSeq: number, limit: number): Promise<QueuedEnvelope[]>;
  /** Deletes envelopes queued (server timestamp) before `time`, in short transactions; returns how many. */
  expireEnvelopes(time: number): Promise<number>;
  /**
   * Folds the queue removals counted apart from the device rows back into them (PostgreSQL,
   * migration 11), so neither count grows without bound; returns how many devices it folded.
   * Absent where removals lower the device rows directly.
   */
  foldQueueRemovals?(): Promise<number>;
}
