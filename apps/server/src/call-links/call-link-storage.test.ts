import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import type { CallLinkRecord } from '../storage/storage.js';
import { databaseBeforeMigration, tempFolderPerTest } from '../testing/test-support.js';

const link = (roomId: string, overrides: Partial<CallLinkRecord> = {}): CallLinkRecord => ({
  roomId,
  verifierHash: randomBytes(32),
  encryptedName: randomBytes(40),
  approval: false,
  creator: 'alice',
  createdAt: 1_000,
  lastUsedAt: 1_000,
  revokedAt: null,
  callId: null,
  ...overrides,
});

describe('call links in SQLite (migration 5)', () => {
  const folder = tempFolderPerTest();
  const clock = new ManualClock(1_000);

  it('upgrades a database from before call links: existing accounts are not guests', async () => {
    // The schema as the server before call links left it (its code would not run on this one's statements).
    const db = databaseBeforeMigration(folder.path, 4);
    db.prepare("INSERT INTO accounts (user_id, handle, display_name, identity_key, created_at) VALUES ('u1', 'old.user', 'Old', x'05', 1)").run();
    db.close();

    const storage = new SqliteStorage({ dataDir: folder.path, clock });
    await storage.open();
    expect((await storage.appliedMigrations()).find((m) => m.version === 5)).toMatchObject({ name: 'call links, guest accounts' });
    expect(await storage.accountById('u1')).toMatchObject({ handle: 'old.user', guest: false });
    await storage.close();
  });

  it('stores, resets atomically, revokes, and sweeps by the given times', async () => {
    const storage = new SqliteStorage({ dataDir: folder.path, clock });
    await storage.open();
    try {
      expect(await storage.createCallLink(link('a'))).toBe('created');
      expect(await storage.createCallLink(link('a'))).toBe('exists');
      await storage.createCallLink(link('taken'));
      // A reset onto a taken room id changes nothing.
      expect(await storage.resetCallLink('a', { roomId: 'taken', verifierHash: randomBytes(32), encryptedName: null }, 2_000)).toBe('exists');
      expect((await storage.callLink('a'))?.revokedAt).toBeNull();
      await storage.updateCallLink('a', { callId: 'call-1', approval: true });
      expect(await storage.resetCallLink('a', { roomId: 'b', verifierHash: randomBytes(32), encryptedName: null }, 2_000)).toBe('reset');
      expect(await storage.callLink('a')).toMatchObject({ revokedAt: 2_000, callId: null, encryptedName: null });
      expect(await storage.callLink('b')).toMatchObject({ approval: true, callId: 'call-1', createdAt: 1_000, lastUsedAt: 2_000, creator: 'alice' });
      expect((await storage.callLinkOfCall('call-1'))?.roomId).toBe('b');
      expect(await storage.updateCallLink('a', { approval: false })).toBe(false);
      // Newest first: the reset wrote b after taken.
      expect((await storage.callLinksOf('alice')).map((l) => l.roomId)).toEqual(['b', 'taken']);

      // b is unused since 2 000: expiring it drops its name and call and returns it once.
      const first = await storage.sweepCallLinks({ expireUnusedSince: 2_000, forgetRevokedSince: 0, forgetUnusedSince: 0 });
      expect(first.expired.map((l) => [l.roomId, l.callId])).toEqual([
        ['taken', null],
        ['b', 'call-1'],
      ]);
      expect(first.forgotten).toBe(0);
      expect((await storage.sweepCallLinks({ expireUnusedSince: 2_000, forgetRevokedSince: 0, forgetUnusedSince: 0 })).expired).toEqual([]);
      const second = await storage.sweepCallLinks({ expireUnusedSince: 2_000, forgetRevokedSince: 2_000, forgetUnusedSince: 1_000 });
      expect(second.forgotten).toBe(2);
      expect(await storage.callLink('a')).toBeUndefined();
      expect(await storage.callLink('taken')).toBeUndefined();
      expect(await storage.callLink('b')).toBeDefined();
    } finally {
      await storage.close();
    }
  });
});
