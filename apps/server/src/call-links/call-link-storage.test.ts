import { describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import { databaseBeforeMigration, tempFolderPerTest } from '../testing/test-support.js';

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
});
