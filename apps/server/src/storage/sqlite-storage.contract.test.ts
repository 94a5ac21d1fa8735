import { ManualClock } from '@parley/clock/testing';
import { SqliteStorage } from './sqlite-storage.js';
import { describeStorageContract } from './storage-contract.js';
import { tempFolderPerTest } from '../testing/test-support.js';

const folder = tempFolderPerTest();
const clock = new ManualClock(1_000);

async function opened(dataDir: string): Promise<SqliteStorage> {
  const storage = new SqliteStorage({ dataDir, clock });
  await storage.open();
  return storage;
}

describeStorageContract('SQLite', {
  fresh: () => opened(folder.path),
  // A second connection to the same file, as the release CLI or the commit thread has.
  peer: (first) => opened((first as SqliteStorage).path.replace(/\/[^/]+$/, '')),
});
