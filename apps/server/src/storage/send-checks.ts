/**
 * The checks of a `send` that every backend's relay commit makes the same way, on the devices and
 * queue use it read inside its transaction.
 */
import type { OutgoingCiphertext, OutgoingMessage, QueueQuota, SubmitOutcome } from './relay-queue-store.js';

/** What a device's queue holds, as its row says plus what the current batch added. */
export interface QueueUse {
  envelopes: number;
  bytes: number;
}

/**
 * `devices_changed` when the send does not address exactly the recipient's current devices (each
 * once); a copy to the sender's own other devices never goes back to the sending device.
 */
export function devicesChanged(send: OutgoingMessage, deviceIds: Iterable<number>): Extract<SubmitOutcome, { kind: 'devices_changed' }> | undefined {
  const current = new Set(deviceIds);
  if (send.to === send.sender.userId) current.delete(send.sender.deviceId);
  const addressed = new Set(send.messages.map((m) => m.deviceId));
  const missing = [...current].filter((id) => !addressed.has(id)).sort((a, b) => a - b);
  const extra = [...addressed].filter((id) => !current.has(id)).sort((a, b) => a - b);
  if (missing.length > 0 || extra.length > 0 || addressed.size !== send.messages.length) return { kind: 'devices_changed', missing, extra };
  return undefined;
}

/** Whether one more message fits in a queue holding `use`. */
export function fitsQuota(use: QueueUse, message: OutgoingCiphertext, quota: QueueQuota): boolean {
  return use.envelopes + 1 <= quota.queueEnvelopes && use.bytes + message.ciphertext.byteLength <= quota.queueBytes;
}
