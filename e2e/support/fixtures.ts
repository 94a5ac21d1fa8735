import { test as base, expect, type Page, type Request } from '@playwright/test';
import { type RunningSystem, startSystem } from './system.js';

/** A fresh system per test, and a log of every request the page made. */
export const test = base.extend<{ system: RunningSystem; requests: string[] }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take a destructured first argument.
  system: async ({}, use) => {
    const system = await startSystem();
    await use(system);
    await system.stop();
  },
  requests: async ({ page }, use) => {
    const urls: string[] = [];
    page.on('request', (request: Request) => urls.push(request.url()));
    await use(urls);
  },
});

export { expect };

/** Opens the shell and waits until chat (and call, unless told otherwise) are mounted. */
export async function openShell(page: Page, system: RunningSystem, { call = true } = {}) {
  await page.goto(system.addresses.shell);
  await expect(page.getByTestId('chat-app')).toBeVisible();
  if (call) await expect(page.getByTestId('call-app')).toBeVisible();
}
