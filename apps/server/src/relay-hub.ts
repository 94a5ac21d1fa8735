/**
 * The relay's in-memory registry of authenticated connections, shared by every listener that
 * accepts relay sockets (the API port and the shell's origin), so a device reaches any other
 * whichever port each connected to.
 *
 * Foundation scope: delivery is live only. Nothing is stored for offline devices and a delivery
 * needs no ack; the per-device queue and acks come with the chat issue. Scaling out later puts
 * Redis pub/sub behind this same surface.
 */
import type { DeliverFrame, SendFrame, ServerFrame } from '@parley/contracts';

/** One authenticated relay connection, as the hub sees it. */
export interface RelayConnection {
  readonly userId: string;
  readonly deviceId: number;
  /** Queues a frame to this connection; must not throw when it is closing. */
  deliver(frame: ServerFrame): void;
}

/** Live relay connections, by user. */
export class RelayHub {
  private readonly byUser = new Map<string, Set<RelayConnection>>();

  /** Registers an authenticated connection; a user may hold several (tabs, devices). */
  add(connection: RelayConnection): void {
    let set = this.byUser.get(connection.userId);
    if (!set) this.byUser.set(connection.userId, (set = new Set()));
    set.add(connection);
  }

  /** Forgets a connection; safe to call twice. */
  remove(connection: RelayConnection): void {
    const set = this.byUser.get(connection.userId);
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) this.byUser.delete(connection.userId);
  }

  /** Connections of one user right now. */
  connectionsOf(userId: string): RelayConnection[] {
    return [...(this.byUser.get(userId) ?? [])];
  }

  /** Number of live connections, all users together. */
  get size(): number {
    let total = 0;
    for (const set of this.byUser.values()) total += set.size;
    return total;
  }

  /**
   * Delivers a `send` to every connection of the recipient and to the sender's other connections
   * (so a user's other tabs see what was sent), each getting the ciphertext addressed to its
   * device id. Returns how many deliveries were made. Until devices are registered every
   * connection is device 1, so all of them get the device-1 ciphertext; with real devices the
   * sender addresses its own other devices explicitly (the chat issue).
   */
  fanOut(sender: RelayConnection, frame: SendFrame): number {
    const targets = new Set([...this.connectionsOf(frame.to), ...this.connectionsOf(sender.userId)]);
    targets.delete(sender);
    let delivered = 0;
    for (const target of targets) {
      const message = frame.messages.find((m) => m.deviceId === target.deviceId);
      if (!message) continue;
      const deliver: DeliverFrame = {
        t: 'deliver',
        id: frame.id,
        from: { userId: sender.userId, deviceId: sender.deviceId },
        ciphertext: message.ciphertext,
      };
      target.deliver(deliver);
      delivered += 1;
    }
    return delivered;
  }
}
