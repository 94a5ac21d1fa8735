/**
 * The device sweep runs on one node and sees only that node's connections: a device connected to
 * another node for longer than the unseen limit must still not be removed.
 */
import { ManualClock } from '@parley/clock/testing';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DISK_LIMITS } from '../limits/disk-limits.js';
import { type RelayConnection, RelayHub } from '../relay/relay-hub.js';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import { testAccount } from '../storage/storage-contract.js';
import { markConnectedDevicesSeen, runStorageSweeps } from '../storage/storage-sweeps.js';
import { tempFolderPerTest } from '../testing/test-support.js';

const folder = tempFolderPerTest();
const DAY = 24 * 60 * 60_000;
const log = pino({ level: 'silent' });

/** A relay connection as the hub sees it, doing nothing. */
const connection = (userId: string, deviceId: number): RelayConnection => ({ userId, deviceId, deliver() {}, offer() {}, close() {}, lookAgain() {} });

describe('devices connected to another node', () => {
  let storage: SqliteStorage | undefined;
  afterEach(async () => {
    await storage?.close();
  });

  it('are marked seen by the node holding them, so the sweeping node keeps them past the unseen limit', async () => {
    const clock = new ManualClock(1_000_000);
    storage = new SqliteStorage({ dataDir: folder.path, clock });
    await storage.open();
    await storage.createAccount(testAccount('held', 1), clock.now());
    await storage.createAccount(testAccount('gone', 2), clock.now());
    const sweeping = new RelayHub();
    const holding = new RelayHub();
    holding.add(connection('held', 1));
    const sweep = () => runStorageSweeps({ storage: storage!, hub: sweeping, clock, log, limits: DEFAULT_DISK_LIMITS });

    // Connected on the other node all along; that node marks it seen once a day.
    for (let day = 0; day < DEFAULT_DISK_LIMITS.deviceUnseenTtlMs / DAY + 5; day++) {
      clock.advance(DAY);
      expect(await markConnectedDevicesSeen({ storage, hub: holding, clock })).toBe(1);
      await sweep();
    }
    expect(await storage.devices('held')).toHaveLength(1);
    expect(await storage.accountById('gone')).toBeUndefined();

    // Without the marking it would have gone like the other.
    clock.advance(DEFAULT_DISK_LIMITS.deviceUnseenTtlMs + 1);
    expect(await sweep()).toMatchObject({ devices: 1, accounts: 1 });
  });
});
