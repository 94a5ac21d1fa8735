/**
 * This node's periodic sweeps (storage, call links, attachment blobs), each on the periodic runner,
 * run only while this node holds the lease `sweeps` (one node of all those sharing the database).
 * The blobs are swept under it too: several nodes keep them in the database they share
 * (postgres-blob-store.ts), and a SQLite data folder has one node.
 * Every node marks its own connected devices seen once a day, so the device sweep on the leader
 * never removes a device connected to another node. The group-call sweep stays with the SFU
 * service: it ends the calls this node holds live.
 */
import type { WallClock } from '@parley/clock';
import type { Logger } from 'pino';
import { BLOB_SWEEP_INTERVAL_MS } from '../blobs/blob-limits.js';
import type { BlobLibrary } from '../blobs/blob-library.js';
import type { CallLinkDirectory } from '../call-links/call-link-directory.js';
import { CALL_LINK_SWEEP_INTERVAL_MS } from '../call-links/call-link-sweeps.js';
import { STORAGE_SWEEP_INTERVAL_MS } from '../limits/disk-limits.js';
import type { LeaseStore } from '../storage/lease-store.js';
import { type StorageSweepsOptions, markConnectedDevicesSeen, runStorageSweeps } from '../storage/storage-sweeps.js';
import { LeaderLease, nodeHolderId } from './leader-lease.js';
import { startPeriodic } from './periodic-runner.js';

/** How often every node marks the devices connected to it seen (for the device sweep on the leader). */
export const CONNECTED_SEEN_INTERVAL_MS = 24 * 60 * 60_000;

/** The lease of the sweeps of the shared database. */
export const DATABASE_SWEEPS_LEASE = 'sweeps';

export interface SweepsOptions {
  leases: LeaseStore;
  clock: WallClock;
  log: Logger;
  /** Lease length (PARLEY_LEADER_LEASE_MS); DEFAULT_LEADER_LEASE_MS when absent. */
  leaseMs?: number;
  storage: StorageSweepsOptions;
  callLinks: CallLinkDirectory;
  blobs: BlobLibrary;
}

/** Takes or waits for the leases and starts the sweeps; returns their stop (which releases the leases). */
export async function startSweeps(options: SweepsOptions): Promise<() => Promise<void>> {
  const { leases, clock, log } = options;
  const holder = nodeHolderId();
  const lease = (name: string) => new LeaderLease({ store: leases, name, holder, clock, log: log.child({ component: 'leases' }), ...(options.leaseMs ? { ttlMs: options.leaseMs } : {}) });
  const databaseLease = lease(DATABASE_SWEEPS_LEASE);
  // Tried once before the first tick, so a node alone sweeps at start as it always did.
  await databaseLease.start();
  const blobLog = log.child({ component: 'blobs' });
  const stops = [
    startPeriodic({
      name: 'storage sweep',
      intervalMs: STORAGE_SWEEP_INTERVAL_MS,
      run: () => runStorageSweeps(options.storage),
      log: options.storage.log,
      gate: () => databaseLease.holds(),
    }),
    startPeriodic({
      name: 'call link sweep',
      intervalMs: CALL_LINK_SWEEP_INTERVAL_MS,
      run: () => options.callLinks.sweep(),
      log: log.child({ component: 'call-links' }),
      gate: () => databaseLease.holds(),
    }),
    startPeriodic({
      name: 'blob sweep',
      intervalMs: BLOB_SWEEP_INTERVAL_MS,
      run: async () => {
        const report = await options.blobs.sweep();
        if (report.expired + report.abandoned > 0) blobLog.info(report, 'blob sweep');
      },
      log: blobLog,
      gate: () => databaseLease.holds(),
    }),
    // Every node, no lease: each knows only its own connections.
    startPeriodic({
      name: 'marking connected devices seen',
      intervalMs: CONNECTED_SEEN_INTERVAL_MS,
      run: () => markConnectedDevicesSeen(options.storage),
      log: options.storage.log,
    }),
  ];
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
    await databaseLease.stop();
  };
}
