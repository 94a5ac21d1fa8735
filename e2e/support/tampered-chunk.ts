/**
 * Chunks changed on their way to the browser, as a compromised server or proxy would change them:
 * the integrity specs check that Subresource Integrity refuses them and that none of them runs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Page, expect } from '@playwright/test';
import { distOf } from './system.js';

/** The path of the shell's one lazily loaded script whose code holds `marker`. */
export function shellChunkWith(marker: string): string {
  const asyncDir = join(distOf('shell'), 'static', 'js', 'async');
  const found = readdirSync(asyncDir).filter((name) => name.endsWith('.js') && readFileSync(join(asyncDir, name), 'utf8').includes(marker));
  expect(found).toHaveLength(1);
  return `/static/js/async/${found[0]}`;
}

/** Serves `url` with a statement appended that marks the page if it ever runs (see tamperedCodeRan). */
export async function tamperInTransit(page: Page, url: string): Promise<void> {
  await page.route(url, async (route) => {
    const genuine = await route.fetch();
    await route.fulfill({ response: genuine, body: `${await genuine.text()}\n;globalThis.__tamperedChunk = true;\n` });
  });
}

/** Whether the statement tamperInTransit appended ran in the page. */
export async function tamperedCodeRan(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as { __tamperedChunk?: boolean }).__tamperedChunk ?? false);
}

/** What the shell says when part of Parley's code was refused (or could not be loaded). */
export const REFUSED = 'Part of Parley could not be loaded, or was not the code this version was built with. Reload the page.';

/**
 * Fills in onboarding and presses "Create account" while `chunkUrl` is tampered with: onboarding
 * says the code was refused, the chunk was asked for, none of it ran, and no account was made.
 */
export async function expectAccountRefused(page: Page, requests: readonly string[], chunkUrl: string, handle: string): Promise<void> {
  const onboarding = page.getByTestId('onboarding');
  await onboarding.getByLabel('Handle', { exact: true }).fill(handle);
  await onboarding.getByLabel('Display name').fill('Mallory');
  await onboarding.getByRole('button', { name: 'Create account' }).click();

  await expect(onboarding.getByRole('alert')).toHaveText(REFUSED);
  expect(requests).toContain(chunkUrl);
  expect(await tamperedCodeRan(page)).toBe(false);
  expect(requests.some((url) => new URL(url).pathname.startsWith('/api/accounts'))).toBe(false);
  await expect(page.getByTestId('chat-app')).toHaveCount(0);
}
