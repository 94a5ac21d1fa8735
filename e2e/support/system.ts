/**
 * Starts the real Parley server (API, relay, and each built app on its own origin) in this test
 * process, on free loopback ports and a temporary data folder, and edits its manifest file the way
 * an operator would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Addresses, type ManifestFile, type StaticOrigin, configFromEnv, createParleyServer, localRelease, serveStatic } from '@parley/server';
import { pino } from 'pino';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;
export const distOf = (app: string, folder = 'dist') => join(REPO_ROOT, 'apps', app, folder);

export interface RunningSystem {
  readonly addresses: Required<Addresses>;
  readonly dataDir: string;
  writeManifest(remotes: ManifestFile['remotes']): void;
  /** The default remotes: chat and call from their own origins. */
  defaultRemotes(): ManifestFile['remotes'];
  /** Serves a folder as one more remote origin, e.g. on another loopback address. */
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
}

export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  const env = { PARLEY_DATA_DIR: dataDir, PARLEY_API_PORT: '0', PARLEY_SHELL_PORT: '0', PARLEY_CHAT_PORT: '0', PARLEY_CALL_PORT: '0', PARLEY_LOG_LEVEL: 'warn' };
  const server = createParleyServer({
    ...configFromEnv(env, REPO_ROOT),
    writeDefaultManifest: false,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
  });
  const addresses = (await server.start()) as Required<Addresses>;
  const extras: StaticOrigin[] = [];
  let stopped = false;

  const system: RunningSystem = {
    addresses,
    dataDir,
    writeManifest(remotes) {
      writeFileSync(join(dataDir, 'manifest.json'), JSON.stringify({ remotes }, null, 2));
    },
    defaultRemotes: () => ({
      chat: localRelease(distOf('chat'), addresses.chat, 'chat'),
      call: localRelease(distOf('call'), addresses.call, 'call'),
    }),
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
  system.writeManifest(system.defaultRemotes());
  return system;
}
