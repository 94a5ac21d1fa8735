/**
 * A real coturn for the relay-only call test, run with the deployment's configuration
 * (deploy/coturn/turnserver.conf, which the README shows): only its per-deployment lines (port,
 * secret, realm) are replaced, and the addresses, user database, pid and log are the test's.
 *
 * That configuration denies relaying to loopback and private peers, so coturn listens and relays
 * on the test namespace's public-looking address (PARLEY_TEST_PUBLIC_IP, 198.51.100.1 from
 * tools/test/in-loopback-namespace.sh, a TEST-NET-2 address the denied ranges leave alone).
 * Outside the namespace (not root) there is only loopback: then, and only then, the test adds
 * `allowed-peer-ip=127.0.0.1`, a documented test-only override of the deployment's denial.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Why coturn cannot run here, or null when it can. */
export function coturnMissing(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v turnserver'], { encoding: 'utf8' });
  return found.status === 0 ? null : 'coturn is not installed (`apt-get install coturn`; CI installs it): the relay-only call test needs `turnserver`';
}

export interface RunningCoturn {
  /** `turn:<address>:<port>?transport=udp`. */
  readonly url: string;
  /** Where it listens and relays. */
  readonly address: string;
  readonly port: number;
  readonly secret: string;
  /** What coturn logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/** The deployment's coturn configuration, without the lines each deployment sets (and the test replaces). */
export const DEPLOYMENT_CONFIG = fileURLToPath(new URL('../../deploy/coturn/turnserver.conf', import.meta.url));

function deploymentConfig(): string[] {
  return readFileSync(DEPLOYMENT_CONFIG, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !/^(listening-port|static-auth-secret|realm)=/.test(line));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, process.env.PARLEY_TEST_PUBLIC_IP ?? '127.0.0.1', () => {
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
  const address = process.env.PARLEY_TEST_PUBLIC_IP ?? '127.0.0.1';
  writeFileSync(
    join(dir, 'turnserver.conf'),
    [
      ...deploymentConfig(),
      `listening-ip=${address}`,
      `relay-ip=${address}`,
      `listening-port=${port}`,
      'min-port=50000',
      'max-port=50999',
      `static-auth-secret=${secret}`,
      'realm=parley.test',
      // Test-only, without the namespace's public address: see the header.
      ...(address === '127.0.0.1' ? ['allowed-peer-ip=127.0.0.1'] : []),
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
    url: `turn:${address}:${port}?transport=udp`,
    address,
    port,
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
