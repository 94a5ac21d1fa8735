/**
 * Which node owns each group call (issue 22, milestone 4), as LiveKit pins a room to one node:
 * the owner holds the lease `call:<id>` (storage/lease-store.ts) and renews every lease it holds a
 * third of the lease time; other nodes forward the call's SFU requests to it (sfu-router.ts). A node
 * that dies stops renewing: once its lease expired the next request for the call, on any node,
 * takes it over. A node that failed to renew in time (stalled) and finds the lease taken drops the
 * call here (`onLost`), so two nodes never both run it.
 */
import type { WallClock } from '@parley/clock';
import type { Logger } from 'pino';
import type { LeaseStore } from '../storage/storage.js';

/** Who owns a lease's subject: this node, or another until `expiresAt` (unless it renews). */
export type LeaseOwner = { mine: true } | { mine: false; holder: string; expiresAt: number };

export interface CallLeasesOptions {
  store: LeaseStore;
  /** This node's name as a holder (and on the node link). */
  nodeId: string;
  clock: WallClock;
  /** How long a lease lasts unless renewed: how long a dead owner's calls wait for a new one. */
  ttlMs: number;
  log: Logger;
  /** A lease this node held was taken by another node: its subject is no longer run here. */
  onLost(name: string): void;
}

/** The lease name of a group call. */
export const callLeaseName = (callId: string): string => `call:${callId}`;

/** This node's leases: taking, renewing, giving them up. */
export class CallLeases {
  /** Leases held and renewed, with the expiry last written. */
  private readonly held = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: CallLeasesOptions) {}

  get nodeId(): string {
    return this.options.nodeId;
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  /** Starts renewing every third of the lease time. */
  start(): void {
    this.timer ??= setInterval(() => {
      this.renewNow().catch((error: unknown) => this.options.log.warn({ err: { message: (error as Error).message } }, 'could not renew the call leases'));
    }, Math.max(1, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  /**
   * Who owns `name`, taking it when free or expired. With `keep` (the default) a lease taken is
   * renewed until released; without, it just runs out (a short claim, such as starting a link's call).
   */
  async owner(name: string, keep = true): Promise<LeaseOwner> {
    const now = this.options.clock.now();
    const until = this.held.get(name);
    // Held with time to spare: no database round trip on every request of a call run here.
    if (until !== undefined && until - now > this.options.ttlMs / 3) return { mine: true };
    const lease = await this.options.store.takeLease(name, this.options.nodeId, now, now + this.options.ttlMs);
    if (lease.holder === this.options.nodeId) {
      if (keep || until !== undefined) this.held.set(name, lease.expiresAt);
      return { mine: true };
    }
    if (until !== undefined) this.lost(name);
    return { mine: false, holder: lease.holder, expiresAt: lease.expiresAt };
  }

  /** Gives `name` up (the call ended), so the lease row does not outlive it. */
  async release(name: string): Promise<void> {
    this.held.delete(name);
    await this.options.store.releaseLease(name, this.options.nodeId);
  }

  /** Extends every lease held; those another node took meanwhile are dropped (`onLost`). */
  async renewNow(): Promise<void> {
    const names = [...this.held.keys()];
    if (names.length === 0) return;
    const expiresAt = this.options.clock.now() + this.options.ttlMs;
    const kept = new Set(await this.options.store.renewLeases(names, this.options.nodeId, expiresAt));
    for (const name of names) {
      if (!this.held.has(name)) continue; // released meanwhile
      if (kept.has(name)) this.held.set(name, expiresAt);
      else this.lost(name);
    }
  }

  /** Stops renewing and releases every lease, so other nodes take this node's calls at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const names = [...this.held.keys()];
    this.held.clear();
    await Promise.allSettled(names.map((name) => this.options.store.releaseLease(name, this.options.nodeId)));
  }

  private lost(name: string): void {
    this.held.delete(name);
    this.options.log.warn({ lease: name }, 'another node took over a lease this node held');
    this.options.onLost(name);
  }
}
