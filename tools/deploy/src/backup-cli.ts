/**
 * `npm run backup -- [--data-dir /var/lib/parley] [--to <folder>]`: backs up the data folder while
 * the server runs (SQLite's online backup, the keys 0600, the releases). Restore: stop the server,
 * copy the backup folder to an empty data folder (`cp -a <backup>/. /var/lib/parley/`, owned by
 * the parley user), start the server. README "Backup and restore".
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BackupError, backupDataDir } from '@parley/server';
import { PATHS } from './settings.js';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, to: { type: 'string' } } });
const dataDir = resolve(values['data-dir'] ?? process.env.PARLEY_DATA_DIR ?? PATHS.dataDir);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const target = resolve(values.to ?? join('/var/backups/parley', stamp));
if (process.env.PARLEY_DATABASE_URL) {
  // This backup takes SQLite's file; PostgreSQL has its own tools, and a snapshot of one node's
  // folder would miss what the other nodes wrote.
  process.stderr.write(
    'The database is in PostgreSQL (PARLEY_DATABASE_URL): back it up with pg_dump or your PostgreSQL backups, and copy the keys and releases of the data folder yourself.\n',
  );
  process.exit(1);
}
try {
  const summary = await backupDataDir(dataDir, target);
  process.stdout.write(`Backed up ${dataDir} to ${summary.target}: ${summary.files.join(', ')}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof BackupError ? error.message : `Backup failed: ${(error as Error).message}`}\n`);
  process.exitCode = 1;
}
