/**
 * The remotes' full builds stay under the release's integrity chain (issue 20). Today's shell provides
 * its Module Federation runtime core and the chat's and call's remoteEntry.js run without one of their
 * own; a shell that provides none, or another version, makes that entry load `full/remoteEntry.js` instead,
 * checked against the sha384 the entry carries (tools/mf-build/runtime-fallback.mjs) — the entry's own
 * sha384 comes from the signed manifest. version-skew.spec.ts runs a real older shell; here today's
 * shell is made to announce another runtime version, so the chat takes its full build, and that full
 * entry is changed on its way to the browser: it is refused, none of it runs, the shell says the chat
 * is unavailable. Untouched, the chat runs from its full build and works, and so does the call app
 * (version-skew.spec.ts cannot show that for today's call: the older shell's contract is not in its range).
 */
import type { BrowserContext, Page } from '@playwright/test';
import { builtVersion } from '@parley/server';
import { callPerson, connect } from '../support/calls.js';
import { expect, test } from '../support/fixtures.js';
import { distOf } from '../support/system.js';
import { onboard, uniqueHandle } from '../support/users.js';

const fullEntry = (entry: string) => entry.replace(/remoteEntry\.js$/, 'full/remoteEntry.js');

/**
 * Before any script of the page runs: the runtime core the shell provides is announced as another
 * version (the shell's plugin still sets the core; its announcement is ignored).
 */
async function announceAnotherRuntime(page: Page | BrowserContext): Promise<void> {
  await page.addInitScript(() => {
    Object.defineProperty(globalThis, '_FEDERATION_RUNTIME_CORE_FROM', {
      configurable: false,
      get: () => ({ name: 'another-shell', version: '0.0.0' }),
      set: () => undefined,
    });
  });
}

test('in a shell that provides another runtime version, the chat runs from its full build', async ({ page, system, requests }) => {
  await announceAnotherRuntime(page);
  await onboard(page, system, uniqueHandle('grace'), 'Grace Hopper');
  const chat = page.getByTestId('chat-app');
  await expect(chat).toBeVisible();
  await expect(chat.getByRole('search')).toBeVisible();
  const entry = system.releaseEntry('chat', builtVersion(distOf('chat'))!);
  expect(requests).toContain(entry);
  expect(requests).toContain(fullEntry(entry));
});

test('a full entry changed in transit is refused by the sha384 its entry carries: none of it runs', async ({ page, system, requests }) => {
  await announceAnotherRuntime(page);
  const chatFull = fullEntry(system.releaseEntry('chat', builtVersion(distOf('chat'))!));
  await page.route(chatFull, async (route) => {
    const genuine = await route.fetch();
    await route.fulfill({ response: genuine, body: `${await genuine.text()}\n;globalThis.__tamperedFullEntry = true;\n` });
  });
  // Onboarding as onboard() does, without waiting for a chat that will not come.
  await page.goto(system.addresses.shell);
  const onboarding = page.getByTestId('onboarding');
  await onboarding.getByLabel('Handle', { exact: true }).fill(uniqueHandle('grace'));
  await onboarding.getByLabel('Display name').fill('Grace Hopper');
  await onboarding.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('shell-identity')).toContainText('Grace Hopper', { timeout: 20_000 });
  await expect(page.getByTestId('chat-unavailable').or(page.getByTestId('chat-crashed'))).toBeVisible({ timeout: 20_000 });
  expect(requests).toContain(chatFull);
  expect(await page.evaluate(() => (globalThis as { __tamperedFullEntry?: boolean }).__tamperedFullEntry ?? false)).toBe(false);
  // No chunk of the chat release was asked for: its runtime never ran.
  expect(requests.some((url) => url.startsWith(chatFull.replace(/full\/remoteEntry\.js$/, 'full/static/')))).toBe(false);
  await expect(page.getByTestId('chat-app')).toHaveCount(0);
});

test('in a shell that provides another runtime version, the call app runs from its full build: a video call connects', async ({ browser, system }) => {
  const entry = system.releaseEntry('call', builtVersion(distOf('call'))!);
  const release = entry.replace(/remoteEntry\.js$/, '');
  const requests: string[] = [];
  const prepare = async (context: BrowserContext) => {
    await announceAnotherRuntime(context);
    context.on('request', (request) => requests.push(request.url()));
  };
  const alice = await callPerson(browser, system, 'Alice Liddell', prepare);
  const bob = await callPerson(browser, system, 'Bob Dylan', prepare);
  await connect(alice, bob, 'Video call');
  expect(requests).toContain(entry);
  expect(requests).toContain(fullEntry(entry));
  // The full build's app and SFrame worker (which carries its own runtime), none of the slim build's chunks.
  expect(requests.some((url) => url.startsWith(`${release}full/static/js/async/__federation_expose_App.`))).toBe(true);
  expect(requests.some((url) => url.startsWith(`${release}full/static/js/async/sframe-worker.`))).toBe(true);
  expect(requests.filter((url) => url.startsWith(`${release}static/`))).toEqual([]);
  await alice.context.close();
  await bob.context.close();
});
