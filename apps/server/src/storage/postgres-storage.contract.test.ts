import { ManualClock } from '@parley/clock/testing';
import { PostgresStorage } from './postgres-storage.js';
import { describeStorageContract } from './storage-contract.js';
import { scratchPostgresPerFile } from '../testing/test-support.js';

const cluster = scratchPostgresPerFile();
const clock = new ManualClock(1_000);
const urls = new WeakMap<PostgresStorage, string>();

async function opened(url: string): Promise<PostgresStorage> {
  const storage = new PostgresStorage({ url, clock, poolSize: 4 });
  await storage.open();
  urls.set(storage, url);
  return storage;
}

describeStorageContract('PostgreSQL', {
  fresh: async () => opened(await cluster.createDatabase()),
  // Another pool on the same database: a second server node.
  peer: (first) => opened(urls.get(first as PostgresStorage)!),
});
