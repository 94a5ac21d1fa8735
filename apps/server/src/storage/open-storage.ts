/**
 * Which backend a process uses: PostgreSQL when a database URL is configured (PARLEY_DATABASE_URL),
 * else the SQLite file in the data folder. The server and the release CLI choose alike, so a
 * release published on a PostgreSQL deployment reaches every node.
 */
import type { WallClock } from '@parley/clock';
import { databaseFromEnv } from '../config.js';
import { PostgresStorage } from './postgres-storage.js';
import { SqliteStorage } from './sqlite-storage.js';
import type { Storage } from './storage.js';

export interface StorageChoice {
  dataDir: string;
  /** `postgres://…`; absent: SQLite in `dataDir`. */
  databaseUrl?: string;
  clock: WallClock;
  /** SQLite only: commit the relay's writes on a worker thread (see SqliteStorageOptions). */
  commitThread?: boolean;
  onWarning?: (message: string) => void;
}

/** The configured backend, not opened yet. */
export function storageFor(choice: StorageChoice): Storage {
  if (choice.databaseUrl) return new PostgresStorage({ url: choice.databaseUrl, clock: choice.clock });
  return new SqliteStorage({ dataDir: choice.dataDir, clock: choice.clock, commitThread: choice.commitThread, onWarning: choice.onWarning });
}

/** The backend the environment names (PARLEY_DATABASE_URL), for tools beside the server. */
export function storageFromEnv(env: NodeJS.ProcessEnv, dataDir: string, clock: WallClock): Storage {
  return storageFor({ dataDir, clock, ...databaseFromEnv(env) });
}
