/**
 * What server nodes tell each other through Redis (issue 22, milestone 3), never what they keep:
 * the queue stays in PostgreSQL. Redis holds which node has each device's relay connection
 * (presence) and carries four notes to that node over its own channel: "look again" (something
 * was queued for the device: read the queue), "displaced" (the device connected on another node),
 * "close" (the device was removed) and "frame" (a notice that is not queued, such as a link
 * request or prekeys running low, for a device connected there). After Redis comes back from a restart every node claims
 * its devices again and looks again for all of them, so nothing depends on a note that was lost.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { RelayCloseCause, RelayCloseReason, ServerFrame } from '@parley/contracts';
import type { DeviceAddress } from '../storage/storage.js';

/** A note for the node holding a device's connection. */
export type ClusterNote =
  | { t: 'look'; device: DeviceAddress }
  | { t: 'displaced'; device: DeviceAddress }
  | { t: 'close'; device: DeviceAddress; cause: RelayCloseCause; reason: RelayCloseReason }
  | { t: 'frame'; device: DeviceAddress; frame: ServerFrame };

/** What the hub needs from the other nodes. */
export interface ClusterBus {
  readonly nodeId: string;
  /**
   * Whether Redis answers now. While it is away nothing is waited for: every node looks again at
   * all its devices when it returns.
   */
  readonly connected: boolean;
  /** Records that this node holds the device's connection; tells a node that held it before. */
  claim(device: DeviceAddress): Promise<void>;
  /** Forgets the claim if it is still this node's. */
  release(device: DeviceAddress): Promise<void>;
  /** Tells whichever other node holds each device to read its queue again. */
  lookAgain(devices: readonly DeviceAddress[]): Promise<void>;
  /** Closes the device's connection on whichever other node holds it. */
  closeElsewhere<C extends RelayCloseCause>(device: DeviceAddress, cause: C, reason: RelayCloseReason<C>): Promise<void>;
  /** Hands an unqueued notice to the device's connection on whichever other node holds it (best effort, like on one node). */
  notifyElsewhere(device: DeviceAddress, frame: ServerFrame): Promise<void>;
  stop(): Promise<void>;
}

/** What the bus hands to this node's hub. */
export interface ClusterListener {
  onNote(note: ClusterNote): void;
  /** Redis came back (or first connected): claim every local device again and look again for all. */
  onReconnected(): void;
}

const PREFIX = 'parley:';
const presenceKey = (device: DeviceAddress) => `${PREFIX}presence:${device.userId}:${device.deviceId}`;
const nodeChannel = (nodeId: string) => `${PREFIX}node:${nodeId}`;

/** Deletes a presence key only while it still names this node (a newer claim elsewhere stays). */
const RELEASE_IF_MINE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/** node-redis options for `redis://…`, or `unix:/path/to/redis.sock`. */
export function redisClientOptions(url: string): { url: string } | { socket: { path: string; tls: false } } {
  return url.startsWith('unix:') ? { socket: { path: url.slice('unix:'.length), tls: false } } : { url };
}

/** Closes a node-redis client: waits for its pending commands when connected, drops them when Redis is away (close would wait for it forever). */
export async function closeRedisClient(client: { readonly isReady: boolean; close(): Promise<unknown>; destroy(): void }): Promise<void> {
  if (client.isReady) await client.close().catch(() => {});
  else client.destroy();
}

/** The bus on Redis (node-redis): one connection for commands, one subscribed to this node's channel. */
export class RedisClusterBus implements ClusterBus {
  readonly nodeId = randomUUID();
  private readonly commands;
  private readonly subscriber;
  private connectedOnce = false;

  get connected(): boolean {
    return this.commands.isReady;
  }

  private constructor(url: string, private readonly onError: (error: Error) => void) {
    this.commands = createClient(redisClientOptions(url));
    this.subscriber = this.commands.duplicate();
    // Errors while Redis is away are reported and retried by the client; they must not crash the node.
    this.commands.on('error', (error: Error) => this.onError(error));
    this.subscriber.on('error', (error: Error) => this.onError(error));
  }

  /** Connects and subscribes; `listener` hears the notes for this node. */
  static async start(url: string, listener: ClusterListener, onError: (error: Error) => void): Promise<RedisClusterBus> {
    const bus = new RedisClusterBus(url, onError);
    await bus.commands.connect();
    await bus.subscriber.connect();
    await bus.subscriber.subscribe(nodeChannel(bus.nodeId), (message) => {
      try {
        listener.onNote(JSON.parse(message) as ClusterNote);
      } catch (error) {
        onError(error as Error);
      }
    });
    // 'ready' comes again after every reconnect (node-redis resubscribes by itself).
    bus.subscriber.on('ready', () => {
      if (bus.connectedOnce) listener.onReconnected();
    });
    bus.connectedOnce = true;
    return bus;
  }

  async claim(device: DeviceAddress): Promise<void> {
    const previous = await this.commands.set(presenceKey(device), this.nodeId, { GET: true });
    if (typeof previous === 'string' && previous !== this.nodeId) await this.publish(previous, { t: 'displaced', device });
  }

  async release(device: DeviceAddress): Promise<void> {
    await this.commands.eval(RELEASE_IF_MINE, { keys: [presenceKey(device)], arguments: [this.nodeId] });
  }

  async lookAgain(devices: readonly DeviceAddress[]): Promise<void> {
    if (devices.length === 0) return;
    const holders = await this.commands.mGet(devices.map(presenceKey));
    await Promise.all(
      devices.map((device, i) => {
        const holder = holders[i];
        return typeof holder === 'string' && holder !== this.nodeId ? this.publish(holder, { t: 'look', device }) : undefined;
      }),
    );
  }

  async closeElsewhere<C extends RelayCloseCause>(device: DeviceAddress, cause: C, reason: RelayCloseReason<C>): Promise<void> {
    await this.toHolder(device, { t: 'close', device, cause, reason });
  }

  async notifyElsewhere(device: DeviceAddress, frame: ServerFrame): Promise<void> {
    await this.toHolder(device, { t: 'frame', device, frame });
  }

  async stop(): Promise<void> {
    await Promise.allSettled([closeRedisClient(this.subscriber), closeRedisClient(this.commands)]);
  }

  /** Publishes `note` to the node holding `device`, when that is another node. */
  private async toHolder(device: DeviceAddress, note: ClusterNote): Promise<void> {
    const holder = await this.commands.get(presenceKey(device));
    if (typeof holder === 'string' && holder !== this.nodeId) await this.publish(holder, note);
  }

  private async publish(nodeId: string, note: ClusterNote): Promise<void> {
    await this.commands.publish(nodeChannel(nodeId), JSON.stringify(note));
  }
}
