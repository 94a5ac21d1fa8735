/**
 * Where a device's `sfu` frame is served (issue 22, milestone 4): on this node when it owns the
 * call (call-leases.ts), else on the owner, forwarded over the node link (sfu-node-link.ts). The
 * owner's gateway holds the device's Janus handles and the call's registry; its events reach the
 * device through the relay hub, which passes notices to whichever node holds the socket.
 *
 * When the owner dies: its lease runs out (at most the lease time), and the next request for the
 * call — a forward that found nobody listening waits for that — takes the call over here; the
 * room is recreated on the first join (the registry's restart path). Devices that were in the call
 * through this node are told `restarted` as soon as the lease is seen gone or taken (checked every
 * third of the lease time), so they join again; devices of the dead node rejoin when their relay
 * connection comes back (the call engine does on reconnect).
 *
 * Routing: `create` runs here (the new call is this node's); `join-link` goes to the owner of the
 * link's running call, or — none running — to whoever claimed starting it (`link:<room id>`, a
 * claim that just runs out), so two nodes never start two calls for one link; every other request
 * names its call. Every request tells the owner's gateway which node holds the device's socket:
 * when a socket closes and the device does not come back to that node within the grace, the node
 * sends its leave, which the owner ignores for a call the device joined again through another node
 * meanwhile (a reconnect to a third node keeps its fresh join). Without Redis there is no link
 * between nodes: a call is served by its owner alone and a device connected to another node is
 * refused `sfu_unavailable` (a single node, or several with every call's participants on one node,
 * keeps working).
 */
import type { WallClock } from '@parley/clock';
import type { ServerFrame, SfuRequest, SfuRequestFrame } from '@parley/contracts';
import type { Logger } from 'pino';
import type { CallLinkStore, DeviceAddress, GroupCallStore, LeaseStore } from '../storage/storage.js';
import { type CallLeases, callLeaseName } from './call-leases.js';
import { SfuError } from './sfu-error.js';
import { type RequestOrigin, type SfuGateway, failure } from './sfu-gateway.js';
import { type ForwardedReply, NodeUnreachableError, type SfuNodeLink } from './sfu-node-link.js';

/** What the relay socket hands `sfu` frames and disconnects to. */
export type SfuFrames = Pick<SfuGateway, 'handle' | 'disconnected'>;

export interface SfuRouterOptions {
  gateway: SfuGateway;
  leases: CallLeases;
  /** Null without Redis: no forwarding. */
  link: SfuNodeLink | null;
  storage: Pick<LeaseStore, 'lease'> & Pick<CallLinkStore, 'callLink'> & Pick<GroupCallStore, 'groupCall'>;
  notify: (device: DeviceAddress, frame: ServerFrame) => void;
  clock: WallClock;
  log: Logger;
  /** As the gateway's: how long a device whose socket closed stays in the calls it joined through here. */
  disconnectGraceMs: number;
}

/** A call owned elsewhere that devices connected here joined. */
interface RemoteCall {
  holder: string;
  devices: Map<string, DeviceAddress>;
}

/** Tries of one request: a forward answered `moved` (the owner changed) is routed again. */
const ROUTE_ATTEMPTS = 3;

const keyOf = (device: DeviceAddress) => `${device.userId}\u0000${device.deviceId}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SfuRouter implements SfuFrames {
  /** Requests of one device run one after another, as in the gateway (a publish must not overtake its join). */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly remote = new Map<string, RemoteCall>();
  private readonly leaveTimers = new Map<string, NodeJS.Timeout>();
  private watch: NodeJS.Timeout | null = null;
  private nextId = 1;

  constructor(private readonly options: SfuRouterOptions) {}

  /** Starts watching the owners of the calls devices joined through here. */
  start(): void {
    this.watch ??= setInterval(() => {
      this.checkOwners().catch((error: unknown) => this.options.log.warn({ err: { message: (error as Error).message } }, 'could not check call owners'));
    }, Math.max(1, Math.floor(this.options.leases.ttlMs / 3)));
    this.watch.unref();
  }

  handle(device: DeviceAddress, frame: SfuRequestFrame, reply: (frame: ServerFrame) => void): void {
    const key = keyOf(device);
    const timer = this.leaveTimers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.leaveTimers.delete(key);
    }
    this.serially(device, async () => {
      try {
        reply(await this.route(device, frame));
      } catch (error) {
        reply(failure(frame.id, error instanceof SfuError ? error : new SfuError('sfu_error', (error as Error).message)));
      }
    });
  }

  disconnected(device: DeviceAddress, stillConnected: () => boolean): void {
    // Only the calls it joined through this node: back through another one, it joined again there.
    this.options.gateway.disconnected(device, stillConnected, this.options.leases.nodeId);
    const key = keyOf(device);
    if (![...this.remote.values()].some((call) => call.devices.has(key))) return;
    const previous = this.leaveTimers.get(key);
    if (previous) clearTimeout(previous);
    const timer = setTimeout(() => {
      this.leaveTimers.delete(key);
      if (stillConnected()) return;
      for (const [callId, call] of this.remote) {
        if (!call.devices.has(key)) continue;
        // The owner does not see this device's socket: it hears the leave from here (and ignores it
        // if the device joined again through another node meanwhile).
        this.serially(device, () => this.route(device, { t: 'sfu', id: `leave-${this.nextId++}`, request: { op: 'leave', callId } }, true).catch(() => undefined));
      }
    }, this.options.disconnectGraceMs);
    timer.unref();
    this.leaveTimers.set(key, timer);
  }

  /** A request forwarded by another node: served when this node owns its call, else `moved`. */
  async serveForwarded(device: DeviceAddress, frame: SfuRequestFrame, origin: RequestOrigin): Promise<ForwardedReply> {
    const name = await this.leaseNameOf(frame.request);
    if (name && !(await this.options.leases.owner(name, !name.startsWith('link:'))).mine) return 'moved';
    return this.local(device, frame, origin);
  }

  async stop(): Promise<void> {
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
    for (const timer of this.leaveTimers.values()) clearTimeout(timer);
    this.leaveTimers.clear();
    await Promise.allSettled([...this.queues.values()]);
  }

  private serially(device: DeviceAddress, work: () => Promise<unknown>): void {
    const key = keyOf(device);
    const run = (this.queues.get(key) ?? Promise.resolve()).then(work, work);
    this.queues.set(key, run);
    void run.finally(() => {
      if (this.queues.get(key) === run) this.queues.delete(key);
    });
  }

  /** Serves or forwards a request; `afterDisconnect`: the leave sent once the device's socket here is gone. */
  private async route(device: DeviceAddress, frame: SfuRequestFrame, afterDisconnect = false): Promise<ServerFrame> {
    const here: RequestOrigin = { via: this.options.leases.nodeId, ...(afterDisconnect ? { afterDisconnect } : {}) };
    const name = await this.leaseNameOf(frame.request);
    if (!name) return this.local(device, frame, here);
    const keep = !name.startsWith('link:');
    for (let attempt = 0; attempt < ROUTE_ATTEMPTS; attempt++) {
      const owner = await this.options.leases.owner(name, keep);
      if (owner.mine) {
        if (name.startsWith('call:')) this.tookOver(name.slice('call:'.length), device, frame.request);
        return this.local(device, frame, here);
      }
      const { link } = this.options;
      if (!link) {
        throw new SfuError('sfu_unavailable', 'This call runs on another server node, and nodes forward calls only through Redis (PARLEY_REDIS_URL).');
      }
      let reply: ForwardedReply;
      try {
        // The address only: the relay socket passes its whole connection as the device.
        reply = await link.forward(owner.holder, { userId: device.userId, deviceId: device.deviceId }, frame, afterDisconnect);
      } catch (error) {
        if (!(error instanceof NodeUnreachableError)) throw error;
        // The owner is gone (or hung): its lease runs out unless it renews it; then it is ours.
        const wait = owner.expiresAt - this.options.clock.now();
        this.options.log.warn({ node: owner.holder, waitMs: Math.max(0, wait), why: error.message }, 'the node owning a call does not answer');
        if (wait > this.options.leases.ttlMs) throw new SfuError('sfu_unavailable', 'The server node running this call does not answer; try again shortly.');
        await sleep(Math.max(0, wait) + 20);
        continue;
      }
      if (reply === 'moved') continue;
      this.track(device, frame.request, owner.holder, reply);
      return reply;
    }
    throw new SfuError('sfu_unavailable', 'The server node running this call changed while asking it; try again.');
  }

  /** Serves a request with this node's gateway. */
  private local(device: DeviceAddress, frame: SfuRequestFrame, origin: RequestOrigin): Promise<ServerFrame> {
    return new Promise((resolve) => this.options.gateway.handle(device, frame, resolve, origin));
  }

  /** The lease a request is routed by; null: served here (a new call). */
  private async leaseNameOf(request: SfuRequest): Promise<string | null> {
    switch (request.op) {
      case 'create':
        return null;
      case 'join-link': {
        const link = await this.options.storage.callLink(request.roomId);
        if (link?.callId && (await this.options.storage.groupCall(link.callId))) return callLeaseName(link.callId);
        return `link:${request.roomId}`;
      }
      default:
        return callLeaseName(request.callId);
    }
  }

  /** Remembers which devices here joined a call run elsewhere, to tell them if its owner dies. */
  private track(device: DeviceAddress, request: SfuRequest, holder: string, reply: ServerFrame): void {
    if (reply.t !== 'sfu-result' || !reply.ok) return;
    const callId = request.op === 'join' ? request.callId : request.op === 'join-link' ? reply.body?.callId : request.op === 'leave' ? request.callId : undefined;
    if (typeof callId !== 'string') return;
    const key = keyOf(device);
    if (request.op === 'leave') {
      const call = this.remote.get(callId);
      call?.devices.delete(key);
      if (call?.devices.size === 0) this.remote.delete(callId);
      return;
    }
    let call = this.remote.get(callId);
    if (!call || call.holder !== holder) this.remote.set(callId, (call = { holder, devices: new Map() }));
    call.devices.set(key, { userId: device.userId, deviceId: device.deviceId });
  }

  /**
   * This node now owns a call devices here joined through another node: they join again (their
   * handles died with the old owner), except the device whose own join is taking the call over.
   */
  private tookOver(callId: string, device: DeviceAddress, request: SfuRequest): void {
    const call = this.remote.get(callId);
    if (!call) return;
    this.remote.delete(callId);
    const joining = request.op === 'join' || request.op === 'join-link' ? keyOf(device) : null;
    for (const [key, other] of call.devices) {
      if (key !== joining) this.options.notify(other, { t: 'sfu-event', callId, event: { kind: 'restarted' } });
    }
  }

  /** Tells devices of calls whose owner's lease ran out or moved to join again. */
  private async checkOwners(): Promise<void> {
    const now = this.options.clock.now();
    for (const [callId, call] of [...this.remote]) {
      const lease = await this.options.storage.lease(callLeaseName(callId));
      if (lease && lease.holder === call.holder && lease.expiresAt > now) continue;
      if (this.remote.get(callId) !== call) continue;
      this.remote.delete(callId);
      // Ended (its lease released with it): the owner told the devices already.
      if (!(await this.options.storage.groupCall(callId))) continue;
      this.options.log.info({ callId, node: call.holder }, 'the node running a call is gone: its devices here join again');
      for (const device of call.devices.values()) this.options.notify(device, { t: 'sfu-event', callId, event: { kind: 'restarted' } });
    }
  }
}
