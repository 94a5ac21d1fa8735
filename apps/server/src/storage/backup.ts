/**
 * Backup of a data folder while the server runs: the database through SQLite's online backup
 * (a consistent snapshot, taken page by page without stopping writers: WAL lets both go on), the
 * manifest signing keys and the SFU room key (0600, as in the folder), and the published releases
 * (immutable files). Restoring is copying the backup into an empty data folder and starting the
 * server on it: what was queued for a device at the moment of the backup is delivered then.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MANIFEST_KEY_FILE_NAME, MANIFEST_PUBLIC_KEYS_FILE_NAME } from '../releases/manifest-keys.js';
import { ROOM_KEY_FILE_NAME } from '../sfu/room-secret.js';
import { SQLITE_FILE_NAME } from './sqlite-storage.js';

/** Files copied as they are, and whether they are secrets (kept 0600). */
const FILES: ReadonlyArray<readonly [name: string, secret: boolean]> = [
  [MANIFEST_KEY_FILE_NAME, true],
  [MANIFEST_PUBLIC_KEYS_FILE_NAME, false],
  [ROOM_KEY_FILE_NAME, true],
];

/** What a backup holds. */
export interface BackupSummary {
  readonly target: string;
  readonly files: string[];
}

/** A refused backup: says why, for the operator. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** Backs up `dataDir` (in use or not) into `target`, a new or empty folder (mode 0700). */
export async function backupDataDir(dataDir: string, target: string): Promise<BackupSummary> {
  const database = join(dataDir, SQLITE_FILE_NAME);
  if (!existsSync(database)) throw new BackupError(`${dataDir} holds no Parley database (${SQLITE_FILE_NAME})`);
  if (existsSync(target) && readdirSync(target).length > 0) throw new BackupError(`${target} is not empty: back up into a new folder`);
  mkdirSync(target, { recursive: true, mode: 0o700 });
  chmodSync(target, 0o700);

  const source = new Database(database, { readonly: true, fileMustExist: true });
  try {
    await source.backup(join(target, SQLITE_FILE_NAME));
  } finally {
    source.close();
  }
  chmodSync(join(target, SQLITE_FILE_NAME), 0o600);
  const files = [SQLITE_FILE_NAME];
  for (const [name, secret] of FILES) {
    if (!existsSync(join(dataDir, name))) continue;
    cpSync(join(dataDir, name), join(target, name), { preserveTimestamps: true });
    if (secret) chmodSync(join(target, name), 0o600);
    files.push(name);
  }
  if (existsSync(join(dataDir, 'releases'))) {
    // Releases are immutable once published: a plain copy is consistent (timestamps kept, so their
    // precompressed copies stay valid).
    cpSync(join(dataDir, 'releases'), join(target, 'releases'), { recursive: true, preserveTimestamps: true });
    files.push('releases/');
  }
  return { target, files };
}
