/**
 * The periodic clean-up that bounds the disk (issue 21, disk-limits.ts): undelivered envelopes
 * older than envelopeTtlMs, expired link codes with their requests, idle guest accounts, and
 * devices unseen for deviceUnseenTtlMs. Like the call-link sweeps (call-links/call-link-sweeps.ts)
 * it reads the injectable clock, so tests run it by calling runStorageSweeps after moving time; the
 * server runs it every STORAGE_SWEEP_INTERVAL_MS on one node (cluster/sweeps.ts).
 *
 * "Seen" is the device's last authentication (device-auth.ts) or a relay connection open right
 * now: a socket may stay open for weeks without authenticating again, so a connected device found
 * by a sweep is marked seen instead of removed, and is counted from there once it disconnects.
 */
import type { WallClock } from '@parley/clock';
import type { Logger } from 'pino';
import { sweepGuestAccounts } from '../call-links/guest-accounts.js';
import type { DiskLimits } from '../limits/disk-limits.js';
import type { RelayHub } from '../relay/relay-hub.js';
import type { AccountStore, DeviceLinkStore, DeviceSweepStore, RelayQueueStore } from './storage.js';

export interface StorageSweepsOptions {
  storage: AccountStore & DeviceSweepStore & Pick<RelayQueueStore, 'expireEnvelopes' | 'foldQueueRemovals'> & Pick<DeviceLinkStore, 'sweepLinkCodes'>;
  hub: RelayHub;
  clock: WallClock;
  log: Logger;
  limits: Pick<DiskLimits, 'envelopeTtlMs' | 'deviceUnseenTtlMs' | 'guestIdleMs'>;
}

/**
 * Devices looked at per run: the first run on an old installation may find many, each removal a
 * transaction of its own; the rest wait for the next run.
 */
const DEVICES_PER_SWEEP = 1_000;

/** Lets the event loop serve requests between two removals (SQLite answers synchronously). */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What one run removed. */
export interface StorageSweepReport {
  envelopes: number;
  linkCodes: number;
  guests: number;
  devices: number;
  /** Accounts deleted because their last device was removed as unseen. */
  accounts: number;
}

/** Runs every storage sweep once, now. */
export async function runStorageSweeps(options: StorageSweepsOptions): Promise<StorageSweepReport> {
  const { storage, clock, limits, log } = options;
  const now = clock.now();
  const envelopes = await storage.expireEnvelopes(now - limits.envelopeTtlMs);
  await storage.foldQueueRemovals?.();
  const linkCodes = await storage.sweepLinkCodes(now);
  const guests = await sweepGuestAccounts(storage, options.hub, clock, log, limits.guestIdleMs);
  const { devices, accounts } = await sweepUnseenDevices(options, now - limits.deviceUnseenTtlMs);
  const report = { envelopes, linkCodes, guests, devices, accounts };
  if (envelopes + linkCodes + devices > 0) log.info(report, 'storage sweep');
  return report;
}

/**
 * Removes devices unseen since `seenBefore` the way a removal by their owner does (token, keys and
 * queue go; senders, the owner's other devices included, hear `devices_changed` on their next send
 * and the device list no longer shows it). The account's last device takes the account along, as
 * signing out of the last device does (DELETE /api/devices/self): nobody holds a token for it any more.
 */
async function sweepUnseenDevices(options: StorageSweepsOptions, seenBefore: number): Promise<{ devices: number; accounts: number }> {
  const { storage, hub, clock } = options;
  let devices = 0;
  let accounts = 0;
  for (const device of await storage.unseenDevices(seenBefore, DEVICES_PER_SWEEP)) {
    await breathe();
    if (hub.connectionOf(device)) {
      await storage.touchDevice(device, clock.now());
      continue;
    }
    const outcome = await storage.dropUnseenDevice(device, seenBefore);
    if (outcome === 'kept') continue;
    devices += 1;
    if (outcome === 'account_deleted') accounts += 1;
    // Not connected a moment ago; one that just connected is told like any removed device.
    hub.closeDevice(device, 'deviceRemoved', 'this device was not seen for too long and was removed');
  }
  return { devices, accounts };
}

/**
 * Marks every device connected to this node seen now. The device sweep runs on one node of several
 * (cluster/sweeps.ts) and sees only its own connections, so each node tells the store about its own:
 * once a day is plenty against a 60-day limit. Returns how many it marked.
 */
export async function markConnectedDevicesSeen(options: Pick<StorageSweepsOptions, 'hub' | 'clock'> & { storage: Pick<AccountStore, 'touchDevice'> }): Promise<number> {
  const devices = options.hub.devices();
  for (const [index, device] of devices.entries()) {
    if (index % 100 === 99) await breathe();
    await options.storage.touchDevice(device, options.clock.now());
  }
  return devices.length;
}
