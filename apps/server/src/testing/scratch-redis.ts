/**
 * A throwaway Redis for tests: `redis-server` (Debian package `redis-server`) on a unix socket in a
 * temp folder, no TCP port, nothing saved to disk; removed when stopped. It can be restarted on the
 * same socket, empty, as a Redis that lost everything.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running scratch Redis. */
export interface ScratchRedis {
  /** `unix:/…/redis.sock`, as PARLEY_REDIS_URL takes it. */
  readonly url: string;
  /** The redis-server process now (it changes with a restart). */
  processId(): number;
  /** Kills it and starts it again on the same socket, with nothing in it. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const REDIS_SERVER = '/usr/bin/redis-server';

/** Starts redis-server in a new temp folder; resolves once its socket exists. */
export async function startScratchRedis(): Promise<ScratchRedis> {
  if (!existsSync(REDIS_SERVER)) throw new Error('redis-server is not installed: run `bash tools/test/ensure-system-packages.sh`');
  const folder = await mkdtemp(join(tmpdir(), 'parley-redis-'));
  const socket = join(folder, 'redis.sock');
  let server: ChildProcess;
  let exited: Promise<void>;
  const launch = async () => {
    server = spawn(REDIS_SERVER, ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', folder], {
      stdio: 'ignore',
    });
    exited = new Promise((resolve) => server.once('exit', () => resolve()));
    for (let attempt = 0; !existsSync(socket); attempt++) {
      if (attempt > 100 || server.exitCode !== null) throw new Error('scratch redis-server did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const kill = async () => {
    server.kill('SIGKILL');
    await exited;
    await rm(socket, { force: true });
  };
  await launch();
  return {
    url: `unix:${socket}`,
    processId: () => server.pid!,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      await kill();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
