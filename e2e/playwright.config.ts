import { defineConfig } from '@playwright/test';

// Debian's Chromium (Playwright cannot download its own here); flags from ENVIRONMENT.md.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
];

export default defineConfig({
  testDir: './tests',
  // A stray test.only must not turn a CI run into a run of one test.
  forbidOnly: !!process.env.CI,
  // Two cores: one browser-heavy test at a time keeps timings honest.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: {
    timeout: 10_000,
    // Screenshot tests (tests/screenshots.spec.ts): a fraction of a percent of differing pixels
    // absorbs antialiasing; a moved element or a changed colour is far more.
    toHaveScreenshot: { maxDiffPixelRatio: 0.005, animations: 'disabled', caret: 'hide', scale: 'css' },
  },
  // Baselines, committed: one name per screen and theme, no platform or browser suffix (the tests
  // run in Debian Chromium only). Update them with `--update-snapshots` (see README).
  snapshotPathTemplate: '{testDir}/../screenshots/{arg}{ext}',
  // CI compares and never writes a baseline: a missing one fails the run.
  updateSnapshots: process.env.CI ? 'none' : 'missing',
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: '../.tmp/e2e-results',
  use: {
    browserName: 'chromium',
    headless: true,
    locale: 'en-US',
    launchOptions: { executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
  },
});
