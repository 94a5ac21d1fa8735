/**
 * Real accounts for the browser tests: a person onboarded in a page (keys made in that browser,
 * in IndexedDB), or a contact registered from the test process through the accounts API with
 * real keys (the messenger's own account setup, an in-memory Signal store).
 */
import { ParleyApiClient, createAccount } from '@parley/messenger';
import { InMemorySignalProtocolStore } from '@parley/signal-protocol';
import { type Browser, type BrowserContext, type Locator, type Page, expect } from '@playwright/test';
import type { RunningSystem } from './system.js';

/** A handle no other test of this run uses (the server keeps accounts per system, but be plain). */
export function uniqueHandle(prefix: string): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Onboards a new account in `page` (the shell's onboarding screen) and waits for the chat. */
export async function onboard(page: Page, system: Pick<RunningSystem, 'addresses'>, handle: string, displayName: string): Promise<void> {
  await page.goto(system.addresses.shell);
  const onboarding = page.getByTestId('onboarding');
  await onboarding.getByLabel('Handle', { exact: true }).fill(handle);
  await onboarding.getByLabel('Display name').fill(displayName);
  await onboarding.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('chat-app')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('shell-identity')).toContainText(displayName);
}

/** Registers an account from the test process (no browser): someone to find and to call. */
export async function registerContact(system: RunningSystem, handle: string, displayName: string) {
  const api = new ParleyApiClient({ baseUrl: system.addresses.api, fetch: (input, init) => fetch(input, init) });
  const setup = await createAccount({
    api,
    createStore: (identity, registrationId) => new InMemorySignalProtocolStore(identity, registrationId),
    handle,
    displayName,
    preKeyCounts: { oneTimePreKeys: 5, kyberOneTimePreKeys: 2 },
  });
  return setup;
}

/** Opens (or starts) the conversation with `handle` through the chat's "find by handle". */
export async function openConversation(page: Page, handle: string): Promise<void> {
  const chat = page.getByTestId('chat-app');
  await chat.getByRole('search').getByLabel('Handle').fill(handle);
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.getByTestId('conversation')).toHaveAttribute('data-handle', handle);
}

/** A browser context in the suite's locale, and a page in it. */
export async function newPerson(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US' });
  return { context, page: await context.newPage() };
}

/** Opens Settings → "Link a device" in `page` (a signed-in browser): the dialog and the one-time code it shows. */
export async function showLinkCode(page: Page): Promise<{ settings: Locator; code: string }> {
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByTestId('settings');
  await settings.getByRole('button', { name: 'Link a device' }).click();
  const code = (await settings.getByTestId('link-code').textContent())!;
  return { settings, code };
}

/** In Settings' device list (`settings`), removes the newest device, as a person does, and waits until the list shows one. */
export async function removeLastDevice(settings: Locator): Promise<void> {
  const deviceId = await settings.getByTestId('device').last().getAttribute('data-device-id');
  await settings.getByRole('button', { name: `Remove device ${deviceId}` }).click();
  await expect(settings.getByTestId('device')).toHaveCount(1);
}

/** `page`, a browser removed from its account, says so: keys and messages wiped. */
export async function expectRemovedHere(page: Page): Promise<void> {
  await expect(page.getByTestId('device-removed')).toHaveText(
    'This device was removed from your account. Its keys and messages were deleted from this browser.',
    { timeout: 20_000 },
  );
}

/** Types a link code into a new browser's onboarding ("Link this browser") and waits for its chat. */
export async function linkWithTypedCode(page: Page, shell: string, code: string): Promise<void> {
  await page.goto(shell);
  const onboarding = page.getByTestId('onboarding');
  await onboarding.getByLabel('Link code').fill(code);
  await onboarding.getByRole('button', { name: 'Link this browser' }).click();
  await expect(page.getByTestId('chat-app')).toBeVisible({ timeout: 30_000 });
}
