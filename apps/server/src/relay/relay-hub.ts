/**
 * The relay's in-memory registry of authenticated connections, one per device, shared by every
 * listener that accepts relay sockets (the API port and the shell's origin), so a device reaches
 * any other whichever port each connected to. The queue itself lives in the store; the hub only
 * tells a connected device that something new was queued for it. Scaling out later puts Redis
 * pub/sub behind this same surface.
 */
import type { RelayCloseCause, RelayCloseReason, ServerFrame } from '@parley/contracts';
import type { DeviceAddress, QueuedEnvelope } from '../storage/storage.js';

/** One authenticated relay connection, as the hub sees it. */
export interface RelayConnection extends DeviceAddress {
  /** Queues a frame to this connection; must not throw when it is closing. */
  deliver(frame: ServerFrame): void;
  /** Envelopes just queued (durably) for this device, oldest first. */
  offer(envelopes: QueuedEnvelope[]): void;
  /** Closes the connection for `cause`, with one of its reasons. */
  close<C extends RelayCloseCause>(cause: C, reason: RelayCloseReason<C>): void;
}

const keyOf = (device: DeviceAddress) => `${device.userId}\u0000${device.deviceId}`;

/** Live relay connections, by device. */
export class RelayHub {
  private readonly byDevice = new Map<string, RelayConnection>();

  /**
   * Registers an authenticated connection. A device has one relay connection (ARCHITECTURE "Who
   * owns what"): an older one of the same device is returned so the caller closes it as replaced.
   */
  add(connection: RelayConnection): RelayConnection | undefined {
    const key = keyOf(connection);
    const previous = this.byDevice.get(key);
    this.byDevice.set(key, connection);
    return previous === connection ? undefined : previous;
  }

  /** Forgets a connection (not a newer one of the same device); safe to call twice. */
  remove(connection: RelayConnection): void {
    const key = keyOf(connection);
    if (this.byDevice.get(key) === connection) this.byDevice.delete(key);
  }

  /** The connection of one device right now. */
  connectionOf(device: DeviceAddress): RelayConnection | undefined {
    return this.byDevice.get(keyOf(device));
  }

  /** Number of live connections. */
  get size(): number {
    return this.byDevice.size;
  }

  /** Sends a frame to a device if it is connected; true when it was. */
  notify(device: DeviceAddress, frame: ServerFrame): boolean {
    const connection = this.connectionOf(device);
    connection?.deliver(frame);
    return connection !== undefined;
  }

  /** Hands newly queued envelopes to their recipients' connections, in queue order per device. */
  offer(envelopes: QueuedEnvelope[]): void {
    const byRecipient = new Map<RelayConnection, QueuedEnvelope[]>();
    for (const envelope of envelopes) {
      const connection = this.connectionOf(envelope.recipient);
      if (!connection) continue;
      let list = byRecipient.get(connection);
      if (!list) byRecipient.set(connection, (list = []));
      list.push(envelope);
    }
    for (const [connection, list] of byRecipient) connection.offer(list);
  }

  /** Closes a device's connection, e.g. when the device was removed. */
  closeDevice<C extends RelayCloseCause>(device: DeviceAddress, cause: C, reason: RelayCloseReason<C>): void {
    const connection = this.connectionOf(device);
    if (!connection) return;
    this.remove(connection);
    connection.close(cause, reason);
  }
}
