/**
 * The real Parley server (shell, chat and call origins and the API), started in this process the way
 * `npm start` runs it: the built chat and call published as the default releases (precompressed, see
 * tools/mf-build/precompress.mjs), signed with the committed development keys the shell pins when
 * built with PARLEY_DEV_MANIFEST_KEYS=1. Shared by `npm run size` and `npm run bench`'s first-load part.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Addresses, configFromEnv, createParleyServer, REPO_ROOT } from '@parley/server';
import { testServerEnvironment } from '@parley/server/testing';
import { type Browser, chromium } from 'playwright-core';

/** A running server and the Chromium that visits it. */
export interface ParleyOrigins {
  readonly addresses: Required<Addresses>;
  readonly browser: Browser;
  /** Closes the browser, stops the server and removes its data folder. */
  close(): Promise<void>;
}

/** Debian's Chromium (PARLEY_CHROMIUM names another) with the e2e suite's quiet flags. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Starts the server on a fresh data folder and launches Chromium. */
export async function startParleyOrigins(): Promise<ParleyOrigins> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-size-'));
  const server = createParleyServer({
    ...configFromEnv(testServerEnvironment(dataDir)),
    publishLocalBuilds: true,
    manifestKeyFile: join(REPO_ROOT, 'tools/dev/manifest-dev-keys.json'),
  });
  const addresses = (await server.start()) as Required<Addresses>;
  const browser = await chromium.launch({ executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    addresses,
    browser,
    async close() {
      await browser.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
