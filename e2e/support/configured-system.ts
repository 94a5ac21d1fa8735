/**
 * The real Parley server started the way `npm start` starts it — `configFromEnv` with the server's
 * own defaults (every remote built here is served and offered) — plus extra `PARLEY_*` variables,
 * e.g. a TURN server. For tests that need server configuration `startSystem` does not take.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Addresses, configFromEnv, createParleyServer } from '@parley/server';

export interface ConfiguredSystem {
  readonly addresses: Required<Addresses>;
  readonly dataDir: string;
  /** Stops the server (once); removes the data folder unless `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export async function startConfiguredSystem(
  extraEnv: Record<string, string>,
  options: { logDestination?: { write(line: string): void }; logLevel?: 'debug' | 'info' | 'warn' } = {},
): Promise<ConfiguredSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  const env = {
    PARLEY_DATA_DIR: dataDir,
    PARLEY_API_PORT: '0',
    PARLEY_SHELL_PORT: '0',
    PARLEY_CHAT_PORT: '0',
    PARLEY_CALL_PORT: '0',
    PARLEY_LOG_LEVEL: options.logLevel ?? 'warn',
    // Signs manifests with the committed development keys, which the test build of the shell pins.
    PARLEY_MANIFEST_KEY_FILE: join(new URL('../..', import.meta.url).pathname, 'tools', 'dev', 'manifest-dev-keys.json'),
    ...extraEnv,
  };
  const server = createParleyServer({ ...configFromEnv(env), ...(options.logDestination ? { logDestination: options.logDestination } : {}) });
  const addresses = (await server.start()) as Required<Addresses>;
  let stopped = false;
  return {
    addresses,
    dataDir,
    async stop({ keepData = false } = {}) {
      if (!stopped) {
        stopped = true;
        await server.stop();
      }
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
