/**
 * A throwaway PostgreSQL for tests: a cluster made by initdb in a temp folder, listening only on a
 * unix socket there (no TCP, no system service), removed when stopped. Each test takes a fresh
 * database of it. Needs the Debian package `postgresql` (tools/test/ensure-system-packages.sh
 * installs it); initdb refuses to run as root, so as root the cluster runs as the `postgres` user
 * the package creates.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A running scratch cluster. */
export interface ScratchPostgres {
  /** The cluster's `postgres` database (for createScratchDatabase from another process). */
  readonly adminUrl: string;
  /** A new empty database; returns its URL (user `parley`, over the unix socket). */
  createDatabase(): Promise<string>;
  /** The postmaster and its children (backends, writers): whose CPU a benchmark counts. */
  processIds(): number[];
  /** Stops the cluster and removes its folder. */
  stop(): Promise<void>;
}

/** Where Debian puts the server binaries: the newest /usr/lib/postgresql/<major>/bin, or PARLEY_POSTGRES_BIN. */
export function postgresBinaries(): string {
  if (process.env.PARLEY_POSTGRES_BIN) return process.env.PARLEY_POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'initdb'))) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL is not installed: run `bash tools/test/ensure-system-packages.sh` (Debian package postgresql)');
  return join(root, newest, 'bin');
}

/**
 * Starts a cluster in a new temp folder; resolves once it accepts connections. `settings` are
 * extra server settings (`-c name=value`), e.g. to prove the server refuses `fsync = off`.
 */
export async function startScratchPostgres(settings: Record<string, string> = {}): Promise<ScratchPostgres> {
  const bin = postgresBinaries();
  const asRoot = process.getuid?.() === 0;
  // As root, /tmp: the postgres user must reach the folder, and a TMPDIR may be private to root.
  const folder = await mkdtemp(join(asRoot ? '/tmp' : tmpdir(), 'parley-pg-'));
  // initdb and postgres refuse root: hand the folder to the package's user and run as it.
  const runAs = (command: string, args: string[]) => (asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]) as [string, string[]];
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(folder, uid, gid);
  }
  const data = join(folder, 'data');
  // --no-sync: a scratch cluster need not survive a power cut while it is made; the server itself
  // runs with fsync on, as PostgresStorage requires.
  execFileSync(...runAs(join(bin, 'initdb'), ['-D', data, '-U', 'parley', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']), { stdio: 'pipe' });
  const server: ChildProcess = spawn(
    ...runAs(join(bin, 'postgres'), ['-D', data, '-k', folder, '-c', 'listen_addresses=', '-c', 'max_connections=200', '-c', 'shared_buffers=32MB', ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])]),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr?.on('data', (chunk) => (log += String(chunk)));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = (database: string) => `postgres://parley@${encodeURIComponent(folder)}/${database}`;

  const stop = async () => {
    // SIGQUIT to the postmaster's own pid: an immediate shutdown, no checkpoint (the cluster is
    // thrown away, and a checkpoint of every test database takes seconds on a busy machine).
    try {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      server.kill('SIGQUIT');
    }
    await exited;
    await rm(folder, { recursive: true, force: true });
  };

  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: url('postgres') });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if (attempt > 100 || server.exitCode !== null) {
        await stop().catch(() => {});
        throw new Error(`scratch PostgreSQL did not start: ${(error as Error).message}\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const postmaster = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    adminUrl: url('postgres'),
    processIds() {
      const parent = postmaster();
      const children = readdirSync('/proc')
        .filter((entry) => /^\d+$/.test(entry))
        .filter((pid) => {
          try {
            const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
            return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
          } catch {
            return false; // gone meanwhile
          }
        })
        .map(Number);
      return [parent, ...children];
    },
    createDatabase: () => createScratchDatabase(url('postgres')),
    stop,
  };
}

let databases = 0;

/**
 * A new empty database on the cluster whose `postgres` database `adminUrl` names (this process's
 * own name for it, so several test processes share one cluster); returns its URL.
 */
export async function createScratchDatabase(adminUrl: string): Promise<string> {
  const name = `parley_${process.pid}_${++databases}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}
