/**
 * A real coturn for the relay-only call test, configured as ENVIRONMENT "Network isolation"
 * says: loopback only, TURN REST secret (`use-auth-secret`), loopback peers allowed, no TLS, DTLS
 * or CLI, its user database, pid and log in a temp folder.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why coturn cannot run here, or null when it can. */
export function coturnMissing(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v turnserver'], { encoding: 'utf8' });
  return found.status === 0 ? null : 'coturn is not installed (`apt-get install coturn`; CI installs it): the relay-only call test needs `turnserver`';
}

export interface RunningCoturn {
  /** `turn:127.0.0.1:<port>?transport=udp`. */
  readonly url: string;
  readonly secret: string;
  /** What coturn logged so far. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts coturn on a free loopback port and waits until it listens. */
export async function startCoturn(): Promise<RunningCoturn> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-coturn-'));
  const port = await freePort();
  const secret = randomBytes(16).toString('hex');
  const logFile = join(dir, 'turnserver.log');
  writeFileSync(
    join(dir, 'turnserver.conf'),
    [
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      `listening-port=${port}`,
      'min-port=50000',
      'max-port=50999',
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      'realm=parley.test',
      'allow-loopback-peers',
      'no-tls',
      'no-dtls',
      'no-cli',
      'fingerprint',
      `userdb=${join(dir, 'turndb')}`,
      `pidfile=${join(dir, 'turnserver.pid')}`,
      `log-file=${logFile}`,
      'simple-log',
      'verbose',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('turnserver', ['-c', join(dir, 'turnserver.conf')], { stdio: 'ignore' });
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + 10_000;
  while (!/Total General servers/.test(log())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`coturn did not start:\n${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    secret,
    log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
