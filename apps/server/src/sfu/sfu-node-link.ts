/**
 * SFU requests between server nodes (issue 22, milestone 4): a node hands a device's `sfu` frame
 * to the node owning the call and gets the `sfu-result` back, over Redis request/reply on each
 * node's own channel. Redis, not HTTP between nodes: every node already has it (the cluster bus),
 * nodes need no reachable address or credentials of their own, and a PUBLISH says how many
 * listen — zero means the owner is gone, so a request does not wait out a timeout to learn it.
 * The call's events go the way every notice to a device goes (the hub's cluster bus).
 * Without Redis there is no link: a call is served by its owner node alone (sfu-router.ts).
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { ServerFrame, SfuRequestFrame } from '@parley/contracts';
import { closeRedisClient, redisClientOptions } from '../relay/cluster-bus.js';
import type { DeviceAddress } from '../storage/storage.js';
import type { RequestOrigin } from './sfu-gateway.js';

/** What a node answers a forwarded request: the reply frame, or `moved` (it does not own the call). */
export type ForwardedReply = ServerFrame | 'moved';

/** Serves what other nodes hand to this one. */
export interface ForwardedHandlers {
  /** A device's request for a call this node is believed to own, from the node holding its socket. */
  request(device: DeviceAddress, frame: SfuRequestFrame, origin: RequestOrigin): Promise<ForwardedReply>;
  /** Ends a call this node runs (its call link was revoked or expired through another node). */
  end(callId: string, reason: string): Promise<void>;
}

/** A call's owner did not answer: it is not listening (dead) or did not reply in time. */
export class NodeUnreachableError extends Error {}

/** Hands requests to other nodes. */
export interface SfuNodeLink {
  /** Hands a device's request to node `nodeId`; `afterDisconnect`: the leave sent once its socket here is gone. */
  forward(nodeId: string, device: DeviceAddress, frame: SfuRequestFrame, afterDisconnect?: boolean): Promise<ForwardedReply>;
  /** Has node `nodeId` end a call it runs; resolves once it did. */
  end(nodeId: string, callId: string, reason: string): Promise<void>;
  stop(): Promise<void>;
}

type LinkMessage =
  | { t: 'request'; id: string; from: string; device: DeviceAddress; frame: SfuRequestFrame; afterDisconnect?: true }
  | { t: 'end'; id: string; from: string; callId: string; reason: string }
  | { t: 'reply'; id: string; reply: ForwardedReply };

const channelOf = (nodeId: string) => `parley:sfu:${nodeId}`;

/** The link on Redis (node-redis): one connection for publishing, one subscribed to this node's channel. */
export class RedisSfuNodeLink implements SfuNodeLink {
  private readonly pending = new Map<string, { resolve(reply: ForwardedReply): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  private readonly commands;
  private readonly subscriber;

  private constructor(
    url: string,
    private readonly nodeId: string,
    private readonly timeoutMs: number,
    onError: (error: Error) => void,
  ) {
    this.commands = createClient(redisClientOptions(url));
    this.subscriber = this.commands.duplicate();
    this.commands.on('error', onError);
    this.subscriber.on('error', onError);
  }

  /** Connects and serves what is handed to `nodeId` with `serve`; a forward waits at most `timeoutMs` for its reply. */
  static async start(url: string, nodeId: string, serve: ForwardedHandlers, options: { timeoutMs: number; onError(error: Error): void }): Promise<RedisSfuNodeLink> {
    const link = new RedisSfuNodeLink(url, nodeId, options.timeoutMs, options.onError);
    await link.commands.connect();
    await link.subscriber.connect();
    await link.subscriber.subscribe(channelOf(nodeId), (raw) => {
      let message: LinkMessage;
      try {
        message = JSON.parse(raw) as LinkMessage;
      } catch (error) {
        options.onError(error as Error);
        return;
      }
      if (message.t === 'reply') {
        const waiting = link.pending.get(message.id);
        if (!waiting) return; // timed out already
        link.pending.delete(message.id);
        clearTimeout(waiting.timer);
        waiting.resolve(message.reply);
        return;
      }
      const served =
        message.t === 'request'
          ? serve.request(message.device, message.frame, { via: message.from, ...(message.afterDisconnect ? { afterDisconnect: true } : {}) })
          : serve.end(message.callId, message.reason).then(() => 'moved' as const);
      void served.then((reply) => link.send(message.from, { t: 'reply', id: message.id, reply })).catch(options.onError);
    });
    return link;
  }

  forward(nodeId: string, device: DeviceAddress, frame: SfuRequestFrame, afterDisconnect = false): Promise<ForwardedReply> {
    return this.ask(nodeId, (id) => ({ t: 'request', id, from: this.nodeId, device, frame, ...(afterDisconnect ? { afterDisconnect: true as const } : {}) }));
  }

  async end(nodeId: string, callId: string, reason: string): Promise<void> {
    await this.ask(nodeId, (id) => ({ t: 'end', id, from: this.nodeId, callId, reason }));
  }

  /** Publishes a message to `nodeId` and waits for its reply. */
  private async ask(nodeId: string, message: (id: string) => LinkMessage): Promise<ForwardedReply> {
    const id = randomUUID();
    const reply = new Promise<ForwardedReply>((resolve, reject) => {
      const timer = setTimeout(() => this.drop(id, `node ${nodeId} did not answer within ${this.timeoutMs} ms`), this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    let listeners: number;
    try {
      listeners = await this.send(nodeId, message(id));
    } catch (error) {
      listeners = 0;
      this.drop(id, `Redis did not take the request: ${(error as Error).message}`);
    }
    if (listeners === 0) this.drop(id, `node ${nodeId} is not listening`);
    return reply;
  }

  async stop(): Promise<void> {
    for (const id of [...this.pending.keys()]) this.drop(id, 'this node is stopping');
    await Promise.allSettled([closeRedisClient(this.subscriber), closeRedisClient(this.commands)]);
  }

  private send(nodeId: string, message: LinkMessage): Promise<number> {
    return this.commands.publish(channelOf(nodeId), JSON.stringify(message));
  }

  /** Fails a forward still waiting for its reply. */
  private drop(id: string, why: string): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.pending.delete(id);
    waiting.reject(new NodeUnreachableError(why));
  }
}
