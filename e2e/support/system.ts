/**
 * Starts the real Parley server (API, relay, and each built app on its own origin) in this test
 * process, on free loopback ports and a temporary data folder. On start it publishes the built chat
 * and call as releases and makes them the default (what `npm start` does); tests then drive the
 * release registry the way the release CLI does (publish, promote, roll back, kill).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Addresses,
  type ReleaseRegistry,
  type StaticOrigin,
  browserFacing,
  configFromEnv,
  createParleyServer,
  serveStatic,
} from '@parley/server';
import { testServerEnvironment } from '@parley/server/testing';
import { pino } from 'pino';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;
export const distOf = (app: string, folder = 'dist') => join(REPO_ROOT, 'apps', app, folder);
/** The committed DEVELOPMENT key pair: a shell built with PARLEY_DEV_MANIFEST_KEYS=1 pins its public half. */
export const DEV_MANIFEST_KEY_FILE = join(REPO_ROOT, 'tools', 'dev', 'manifest-dev-keys.json');

export interface RunningSystem {
  /** The API and the three app origins (the metrics listener is not started here). */
  readonly addresses: Required<Omit<Addresses, 'metrics'>>;
  readonly dataDir: string;
  /** The release registry of this server (what `tools/release` drives). */
  readonly registry: ReleaseRegistry;
  /** The origin a browser loads a remote's releases from. */
  remoteOrigin(remote: 'chat' | 'call'): string;
  /** The URL of a published release's entry. */
  releaseEntry(remote: 'chat' | 'call', version: string): string;
  /** Where a published release's files are. */
  releaseDir(remote: 'chat' | 'call', version: string): string;
  /** Serves a folder as one more origin, e.g. on another loopback address. */
  extraOrigin(root: string, host?: string): Promise<string>;
  /** Stops the server (once); removes the data folder unless `keepData` (to inspect it after). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/** How to start a system: the default logs warnings only, to the test's output. */
export interface SystemOptions {
  /** Log level for this run (e.g. `debug` to check what logging on writes). */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn';
  /** Where log lines go instead of stdout. */
  readonly logDestination?: { write(line: string): void };
  /** Publish the built remotes as the default releases at start (true). */
  readonly publishLocalBuilds?: boolean;
  /** More `PARLEY_*` variables, read as `npm start` reads them (e.g. a TURN server). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  const env = testServerEnvironment(dataDir, options.env);
  const server = createParleyServer({
    ...configFromEnv(env, REPO_ROOT),
    publishLocalBuilds: options.publishLocalBuilds ?? true,
    manifestKeyFile: DEV_MANIFEST_KEY_FILE,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
  });
  const addresses = (await server.start()) as Required<Omit<Addresses, 'metrics'>>;
  const extras: StaticOrigin[] = [];
  let stopped = false;

  const system: RunningSystem = {
    addresses,
    dataDir,
    registry: server.registry,
    remoteOrigin: (remote) => browserFacing(addresses[remote]),
    releaseEntry: (remote, version) => `${browserFacing(addresses[remote])}/releases/${version}/remoteEntry.js`,
    releaseDir: (remote, version) => join(dataDir, 'releases', remote, version),
    async extraOrigin(root, host = '127.0.0.1') {
      const origin = serveStatic({ appName: 'extra', root, cors: true, spaFallback: false, host, port: 0, logger: pino({ level: 'silent' }) });
      extras.push(origin);
      return origin.listen();
    },
    async stop({ keepData = false } = {}) {
      if (!stopped) {
        stopped = true;
        await Promise.all(extras.map((origin) => origin.close()));
        await server.stop();
      }
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return system;
}
