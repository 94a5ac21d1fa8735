/** Tests that need something of the machine (coturn, nftables, Janus): skip here, fail in CI. */
import { test } from '@playwright/test';

/**
 * Skips the running test when `missing` says what it lacks; in CI (env CI set) fails it instead,
 * since there a missing prerequisite is a broken runner, and a skip would pass unnoticed.
 */
export function skipWhenMissing(missing: string | null): void {
  if (missing === null) return;
  if (process.env.CI) throw new Error(`cannot run in CI: ${missing}`);
  test.skip(true, missing);
}
