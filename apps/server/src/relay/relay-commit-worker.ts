/**
 * Worker thread of RelayCommitThread: holds its own connection and commits the relay's batches,
 * so the main thread never waits for an fsync.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { configureConnection, relayCommitter } from './relay-commit.js';
import { type PackedWrites, packOutcomes, unpackWrites } from './relay-commit-wire.js';

const port = parentPort!;
try {
  const db = new Database((workerData as { path: string }).path);
  configureConnection(db);
  const commit = relayCommitter(db);
  port.on('message', ({ id, writes: packed }: { id: number; writes: PackedWrites }) => {
    try {
      const writes = unpackWrites(packed);
      port.postMessage({ id, outcomes: packOutcomes(writes, commit(writes)) });
    } catch (error) {
      port.postMessage({ id, error: (error as Error).message });
    }
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ error: (error as Error).message });
}
