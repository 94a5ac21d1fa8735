import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { BrowserSuiteResult } from './browser-suite.js';

// Node side of the Chromium run: bundles browser-suite.ts, opens it in Debian's Chromium on a
// localhost origin served by request interception (a secure context, no socket), runs it.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM);

const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Runs the suite in a fresh Chromium and returns its results plus the browser version. */
export async function runInChromium(options: { seed: number; schedules: number; benchSeconds?: number }): Promise<BrowserSuiteResult & { browser: string }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundle = await build({
    stdin: {
      contents: `import { runBrowserSuite } from './browser-suite.ts'; globalThis.runBrowserSuite = (o) => runBrowserSuite({ ...o, factory: indexedDB });`,
      resolveDir: here,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    minify: false,
  });
  const script = bundle.outputFiles[0]!.text;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage();
    await page.route('http://localhost/**', (route) =>
      route.fulfill(
        route.request().url().endsWith('.js')
          ? { contentType: 'text/javascript', body: script }
          : { contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><script src="/suite.js"></script>' },
      ),
    );
    await page.goto('http://localhost/');
    const result = (await page.evaluate(
      (o) => (globalThis as unknown as { runBrowserSuite(o: unknown): Promise<BrowserSuiteResult> }).runBrowserSuite(o),
      options,
    )) as BrowserSuiteResult;
    return { ...result, browser: browser.version() };
  } finally {
    await browser.close();
  }
}
