/**
 * Which node runs the periodic sweeps when several share a database (issue 22): the holder of a
 * lease in that database (storage/lease-store.ts). Every node tries to take or renew it every
 * third of its length; the holder keeps it by renewing, and when the holder dies (or loses the
 * database) it expires and the next node to try takes it over, within one lease length and a
 * third. A clean stop releases it, so another node takes over at its next try.
 *
 * The lease spares the database duplicate work; it is not what keeps a sweep correct: every sweep
 * re-checks in its own transaction what it removes, so a sweep still finishing on a node that
 * just lost the lease next to one starting on the new holder removes nothing twice.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { WallClock } from '@parley/clock';
import type { Logger } from 'pino';
import type { LeaseStore } from '../storage/lease-store.js';

/** How long a node's lease lasts without a renewal (PARLEY_LEADER_LEASE_MS). */
export const DEFAULT_LEADER_LEASE_MS = 30_000;

/** This process's holder id: host and pid (so an operator sees who leads) and a random part (two servers in one process differ). */
export function nodeHolderId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

export interface LeaderLeaseOptions {
  store: LeaseStore;
  /** The lease's name: nodes competing for it use the same one. */
  name: string;
  clock: WallClock;
  log: Logger;
  ttlMs?: number;
  holder?: string;
}

/** One node's side of a lease it competes for. */
export class LeaderLease {
  readonly holder: string;
  private readonly ttlMs: number;
  /** When this node's lease ends by its clock; 0 while it does not hold it. */
  private heldUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<boolean> | null = null;

  constructor(private readonly options: LeaderLeaseOptions) {
    this.holder = options.holder ?? nodeHolderId();
    this.ttlMs = options.ttlMs ?? DEFAULT_LEADER_LEASE_MS;
  }

  /** Tries once now, then every third of the lease. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), Math.max(1, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /**
   * Whether this node holds the lease now. It counts as held a third of the lease less than it
   * lasts: what a renewal that came late or clocks that drift apart could cost is not spent acting.
   */
  holds(): boolean {
    return this.options.clock.now() < this.heldUntil - this.ttlMs / 3;
  }

  /** Takes or renews the lease now; resolves whether this node holds it. */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.tryOnce().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Stops trying and gives the lease up if held, so another node need not wait for it to expire. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
    if (this.heldUntil === 0) return;
    this.heldUntil = 0;
    await this.options.store.releaseLease(this.options.name, this.holder).catch(() => undefined);
  }

  private async tryOnce(): Promise<boolean> {
    const { store, name, clock, log } = this.options;
    const now = clock.now();
    let held: boolean;
    try {
      held = (await store.takeLease(name, this.holder, now, now + this.ttlMs)).holder === this.holder;
    } catch (error) {
      // The database is away: the lease runs out on its own time (holds() turns false by then).
      log.warn({ lease: name, err: { message: (error as Error).message } }, 'could not renew the leader lease');
      return this.holds();
    }
    const was = this.heldUntil > now;
    this.heldUntil = held ? now + this.ttlMs : 0;
    if (held !== was) log.info({ lease: name, holder: this.holder }, held ? 'took the leader lease' : 'another node holds the leader lease');
    return held;
  }
}
