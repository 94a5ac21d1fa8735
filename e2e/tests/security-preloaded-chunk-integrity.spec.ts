/**
 * Integrity of the chunks the shell's page preloads (issue 20). Beside its entry, the page hints the
 * chunks every visit loads next (the bootstrap, Preact, rxjs, the bus), each with the
 * sha384 its chunk loader holds (tools/mf-build/startup-preload-plugin.mjs), so they download while
 * the entry does. Here the bootstrap chunk is changed on its way to the browser: the preloaded bytes
 * are refused as the loader's own request would be, none of the chunk runs and the shell does not
 * start. Untouched, each preloaded chunk is downloaded once (the loader takes the preloaded response)
 * and onboarding shows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleMessage } from '@playwright/test';
import { expect, test } from '../support/fixtures.js';
import { distOf } from '../support/system.js';
import { shellChunkWith, tamperInTransit, tamperedCodeRan } from '../support/tampered-chunk.js';

/** The preload hints of the built shell page, each as its attributes. */
function preloadHints(): Record<string, string>[] {
  const html = readFileSync(join(distOf('shell'), 'index.html'), 'utf8');
  const links = [...html.matchAll(/<link\b([^>]*)>/gi)].map(([, attributes]) =>
    Object.fromEntries([...attributes!.matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map(([, name, value]) => [name!, value ?? ''])),
  );
  return links.filter((link) => link.rel === 'preload');
}

/** The shell's bootstrap chunk (bootstrap.tsx throws this when the page lacks its root). */
const bootstrapChunk = () => shellChunkWith('The page has no #root element');

test('the page preloads the bootstrap chunk with the integrity its loader holds, as the loader asks for it', () => {
  const hints = preloadHints();
  const bootstrap = hints.find((hint) => hint.href === bootstrapChunk());
  expect(bootstrap).toEqual(expect.objectContaining({ as: 'script', crossorigin: 'anonymous', integrity: expect.stringMatching(/^sha384-/) }));
  for (const hint of hints) expect(hint.integrity, hint.href).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
});

test('a preloaded chunk changed in transit is refused: none of it runs and the shell does not start', async ({ page, system, requests }) => {
  const url = `${system.addresses.shell}${bootstrapChunk()}`;
  await tamperInTransit(page, url);
  const refusals: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' && message.text().includes('integrity')) refusals.push(message.text());
  });

  // The loader's own request for the chunk fails too: the entry's import of the bootstrap rejects.
  const importFailed = page.waitForEvent('pageerror', { predicate: (error) => /chunk/i.test(error.message) });
  await page.goto(system.addresses.shell);
  await importFailed;
  expect(requests).toContain(url);
  expect(refusals.some((text) => text.includes(bootstrapChunk()))).toBe(true);
  expect(await tamperedCodeRan(page)).toBe(false);
  await expect(page.locator('#root')).toBeEmpty();
  await expect(page.getByTestId('onboarding')).toHaveCount(0);
});

test('positive control: untouched, each preloaded chunk is downloaded once and onboarding shows', async ({ page, system, requests }) => {
  const warnings: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (/preload/i.test(message.text())) warnings.push(message.text());
  });
  await page.goto(system.addresses.shell);
  await expect(page.getByTestId('onboarding').getByLabel('Handle', { exact: true })).toBeVisible();
  for (const { href } of preloadHints()) {
    expect(requests.filter((url) => url === `${system.addresses.shell}${href}`), href).toHaveLength(1);
  }
  expect(warnings).toEqual([]);
});
