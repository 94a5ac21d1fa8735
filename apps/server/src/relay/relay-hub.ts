/**
 * The relay's in-memory registry of authenticated connections, one per device, shared by every
 * listener that accepts relay sockets (the API port and the shell's origin), so a device reaches
 * any other whichever port each connected to. The queue itself lives in the store; the hub only
 * tells a connected device that something new was queued for it. With several nodes a cluster
 * bus (cluster-bus.ts, Redis) carries the same news to the node holding a device elsewhere.
 */
import type { RelayCloseCause, RelayCloseReason, ServerFrame } from '@parley/contracts';
import type { DeviceAddress, QueuedEnvelope } from '../storage/storage.js';
import type { ClusterBus, ClusterListener, ClusterNote } from './cluster-bus.js';

/** One authenticated relay connection, as the hub sees it. */
export interface RelayConnection extends DeviceAddress {
  /** Queues a frame to this connection; must not throw when it is closing. */
  deliver(frame: ServerFrame): void;
  /** Envelopes just queued (durably) for this device, oldest first. */
  offer(envelopes: QueuedEnvelope[]): void;
  /** Closes the connection for `cause`, with one of its reasons. */
  close<C extends RelayCloseCause>(cause: C, reason: RelayCloseReason<C>): void;
  /** Reads the device's queue again: something was queued for it on another node. */
  lookAgain(): void;
}

const keyOf = (device: DeviceAddress) => `${device.userId}\u0000${device.deviceId}`;

/** Live relay connections, by device. */
export class RelayHub implements ClusterListener {
  private readonly byDevice = new Map<string, RelayConnection>();
  private bus: ClusterBus | null = null;
  private onBusError: (error: Error) => void = () => {};

  /**
   * Joins the other nodes: from now on this hub claims its devices in Redis and tells other nodes
   * about what it queued for theirs. A failing bus only delays delivery to a reconnect.
   */
  attachBus(bus: ClusterBus, onError: (error: Error) => void): void {
    this.bus = bus;
    this.onBusError = onError;
    this.onReconnected();
  }

  /**
   * Registers an authenticated connection. A device has one relay connection (ARCHITECTURE "Who
   * owns what"): an older one of the same device is returned so the caller closes it as replaced.
   */
  add(connection: RelayConnection): RelayConnection | undefined {
    const key = keyOf(connection);
    const previous = this.byDevice.get(key);
    this.byDevice.set(key, connection);
    if (this.bus) this.viaBus(this.bus.claim(connection));
    return previous === connection ? undefined : previous;
  }

  /** Forgets a connection (not a newer one of the same device); safe to call twice. */
  remove(connection: RelayConnection): void {
    const key = keyOf(connection);
    if (this.byDevice.get(key) !== connection) return;
    this.byDevice.delete(key);
    if (this.bus) this.viaBus(this.bus.release(connection));
  }

  /** The connection of one device right now. */
  connectionOf(device: DeviceAddress): RelayConnection | undefined {
    return this.byDevice.get(keyOf(device));
  }

  /** The devices connected here right now. */
  devices(): DeviceAddress[] {
    return [...this.byDevice.values()].map(({ userId, deviceId }) => ({ userId, deviceId }));
  }

  /** Number of live connections. */
  get size(): number {
    return this.byDevice.size;
  }

  /**
   * Sends a frame to a device if it is connected: here (true), or through the bus to the node
   * holding it (false: whether it is connected there is not known here).
   */
  notify(device: DeviceAddress, frame: ServerFrame): boolean {
    const connection = this.connectionOf(device);
    if (connection) connection.deliver(frame);
    else if (this.bus) this.viaBus(this.bus.notifyElsewhere(device, frame));
    return connection !== undefined;
  }

  /**
   * Hands newly queued envelopes to their recipients' connections, in queue order per device;
   * resolves once the nodes holding the others were told (at once when none are, or Redis is away).
   */
  offer(envelopes: QueuedEnvelope[]): Promise<void> | undefined {
    const byRecipient = new Map<RelayConnection, QueuedEnvelope[]>();
    const elsewhere = new Map<string, DeviceAddress>();
    for (const envelope of envelopes) {
      const connection = this.connectionOf(envelope.recipient);
      if (!connection) {
        elsewhere.set(keyOf(envelope.recipient), envelope.recipient);
        continue;
      }
      let list = byRecipient.get(connection);
      if (!list) byRecipient.set(connection, (list = []));
      list.push(envelope);
    }
    for (const [connection, list] of byRecipient) connection.offer(list);
    // Only "look again": the node holding the device reads the queue, which has it all, in order.
    if (this.bus && elsewhere.size > 0 && this.bus.connected) {
      return this.bus.lookAgain([...elsewhere.values()]).catch((error: unknown) => this.onBusError(error as Error));
    }
    return undefined;
  }

  /** Closes a device's connection, e.g. when the device was removed. */
  closeDevice<C extends RelayCloseCause>(device: DeviceAddress, cause: C, reason: RelayCloseReason<C>): void {
    if (this.bus) this.viaBus(this.bus.closeElsewhere(device, cause, reason));
    this.closeHere(device, cause, reason);
  }

  onNote(note: ClusterNote): void {
    switch (note.t) {
      case 'look':
        return this.connectionOf(note.device)?.lookAgain();
      case 'displaced':
        // Not through remove(): the presence is the newer node's now and must stay.
        return this.closeHere(note.device, 'replaced', 'this device connected again elsewhere', false);
      case 'close':
        // The note came from another node of this cluster, which typed it the same way.
        return this.closeHere(note.device, note.cause, note.reason as RelayCloseReason<typeof note.cause>);
      case 'frame':
        return void this.connectionOf(note.device)?.deliver(note.frame);
    }
  }

  onReconnected(): void {
    // Redis is no source of truth: after it lost everything, presence is claimed again and every
    // local device reads its queue for what was queued meanwhile on other nodes.
    for (const connection of this.byDevice.values()) if (this.bus) this.viaBus(this.bus.claim(connection));
    this.lookAgainAll();
  }

  /** Every local device reads its queue again (after Redis returned, or polling without Redis). */
  lookAgainAll(): void {
    for (const connection of this.byDevice.values()) connection.lookAgain();
  }

  private closeHere<C extends RelayCloseCause>(device: DeviceAddress, cause: C, reason: RelayCloseReason<C>, release = true): void {
    const connection = this.connectionOf(device);
    if (!connection) return;
    if (release) this.remove(connection);
    else this.byDevice.delete(keyOf(device));
    connection.close(cause, reason);
  }

  private viaBus(work: Promise<unknown>): void {
    work.catch((error: unknown) => this.onBusError(error as Error));
  }
}
