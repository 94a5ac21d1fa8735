/**
 * The chat side of the interface (issue 15): onboarding, the conversation list, a conversation and
 * Settings pass an accessibility audit in the light and the dark theme; a phone-sized window shows
 * the list and the chat as two screens with a back button and never scrolls sideways; the theme
 * switch in Settings applies at once and survives a reload; the favicon exists.
 */
import type { Browser, Page } from '@playwright/test';
import { seriousViolationsOn } from '../support/axe.js';
import { expect, test } from '../support/fixtures.js';
import { type NodeDevice, startNodeDevice } from '../support/node-device.js';
import type { RunningSystem } from '../support/system.js';
import { onboard, registerContact, uniqueHandle } from '../support/users.js';

/** Whether the page scrolls sideways: it must not, at any width. */
const scrollsSideways = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth > window.innerWidth);

/** Bob, a contact on a Node device, who sends `text` to the person with `handle`. */
async function bobWrites(system: RunningSystem, handle: string, text: string): Promise<NodeDevice> {
  const account = await registerContact(system, uniqueHandle('bob'), 'Bob Dylan');
  const bob = await startNodeDevice(system, account.credentials, account.store);
  const conversation = await bob.messenger.findUser(handle);
  await bob.messenger.sendText(conversation.conversationId, text);
  return bob;
}

async function personWith(browser: Browser, options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } }) {
  const context = await browser.newContext({ locale: 'en-US', ...options });
  return { context, page: await context.newPage() };
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`onboarding, the chat list, a conversation and Settings have no serious accessibility violations (${colorScheme})`, async ({ browser, system }) => {
    const { context, page } = await personWith(browser, { colorScheme });
    await page.goto(system.addresses.shell);
    await expect(page.getByTestId('onboarding')).toBeVisible();
    expect(await seriousViolationsOn(page, `onboarding (${colorScheme})`), 'onboarding').toEqual([]);

    const handle = uniqueHandle('alice');
    await onboard(page, system, handle, 'Alice Liddell');
    await expect(page.getByText('Parley for the web')).toBeVisible();
    expect(await seriousViolationsOn(page, `empty chat list (${colorScheme})`), 'empty chat list').toEqual([]);

    const bob = await bobWrites(system, handle, 'Hello Alice');
    const item = page.getByTestId('conversation-item').filter({ hasText: 'Bob Dylan' });
    await expect(item.getByTestId('conversation-unread')).toHaveText('1');
    expect(await seriousViolationsOn(page, `chat list (${colorScheme})`), 'chat list').toEqual([]);

    await item.click();
    await page.getByRole('textbox', { name: 'Message' }).fill('Hi Bob');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await expect(page.getByTestId('message')).toHaveCount(2);
    await expect(page.getByTestId('day-separator')).toHaveText('Today');
    expect(await seriousViolationsOn(page, `conversation (${colorScheme})`), 'conversation').toEqual([]);

    await page.getByRole('button', { name: 'Chat options' }).click();
    await expect(page.getByRole('menuitem').first()).toBeFocused();
    expect(await seriousViolationsOn(page, `chat options menu (${colorScheme})`), 'chat options menu').toEqual([]);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('button', { name: 'Chat options' })).toBeFocused();

    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByRole('dialog', { name: 'Settings' })).toBeVisible();
    expect(await seriousViolationsOn(page, `settings (${colorScheme})`), 'settings').toEqual([]);
    bob.stop();
    await context.close();
  });
}

test('a phone-sized window shows the list and the chat as two screens, with a back button and no sideways scrolling', async ({ browser, system }) => {
  const { context, page } = await personWith(browser, { viewport: { width: 390, height: 844 } });
  await page.goto(system.addresses.shell);
  await expect(page.getByTestId('onboarding')).toBeVisible();
  expect(await scrollsSideways(page)).toBe(false);
  const handle = uniqueHandle('alice');
  await onboard(page, system, handle, 'Alice Liddell');
  const bob = await bobWrites(system, handle, 'A message long enough to need more than one line on a phone screen, with alongwordthatmustwrapratherthanpushthepagesideways');

  const list = page.getByRole('navigation', { name: 'Conversations' });
  const item = page.getByTestId('conversation-item').filter({ hasText: 'Bob Dylan' });
  await expect(item).toBeVisible();
  await expect(page.getByTestId('conversation')).toHaveCount(0);
  expect(await scrollsSideways(page)).toBe(false);

  await item.click();
  await expect(page.getByTestId('conversation')).toBeVisible();
  await expect(list).toBeHidden();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeInViewport();
  expect(await scrollsSideways(page)).toBe(false);
  // The one pane takes the whole width (it once kept the two-pane grid's first column, 18rem).
  expect((await page.getByTestId('conversation').boundingBox())!.width).toBeGreaterThanOrEqual(389);
  expect(await seriousViolationsOn(page, 'conversation at 390×844 (light)'), 'conversation at 390×844').toEqual([]);

  await page.getByRole('button', { name: 'Back to chats' }).click();
  await expect(list).toBeVisible();
  expect((await list.boundingBox())!.width).toBeGreaterThanOrEqual(389);
  await expect(page.getByTestId('conversation')).toHaveCount(0);
  expect(await scrollsSideways(page)).toBe(false);

  // The search box filters the list as you type.
  const search = page.getByRole('search').getByRole('textbox');
  await search.fill('zzz');
  await expect(item).toHaveCount(0);
  await expect(page.getByTestId('conversation-list-empty')).toContainText('No chats match');
  await search.fill('bob');
  await expect(item).toBeVisible();
  bob.stop();
  await context.close();
});

test('Settings switches the theme at once, keeps it across reloads, and is a keyboard dialog', async ({ browser, system }) => {
  const { context, page } = await personWith(browser, { colorScheme: 'dark' });
  await onboard(page, system, uniqueHandle('alice'), 'Alice Liddell');
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const theme = () => page.evaluate(() => document.documentElement.getAttribute('data-theme'));
  // System: the OS says dark.
  expect(await theme()).toBeNull();
  expect(await background()).toBe('rgb(11, 20, 26)');

  const settingsButton = page.getByRole('button', { name: 'Settings' });
  await settingsButton.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('radio', { name: 'System' })).toBeChecked();
  await dialog.getByRole('radio', { name: 'Light' }).check();
  expect(await theme()).toBe('light');
  expect(await background()).toBe('rgb(234, 230, 223)');
  // Focus stays in the modal dialog; Escape closes it and gives the focus back.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((element) => element.contains(document.activeElement) || document.activeElement === document.body)).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(settingsButton).toBeFocused();

  // Kept, and on the page before the app starts (public/theme-boot.js).
  await page.reload();
  expect(await theme()).toBe('light');
  await expect(page.getByTestId('chat-app')).toBeVisible();
  expect(await background()).toBe('rgb(234, 230, 223)');

  await settingsButton.click();
  await dialog.getByRole('radio', { name: 'System' }).check();
  expect(await theme()).toBeNull();
  expect(await background()).toBe('rgb(11, 20, 26)');
  await dialog.getByRole('radio', { name: 'Side by side with the chat' }).check();
  await dialog.getByRole('button', { name: 'Close settings' }).click();
  expect(await page.evaluate(() => localStorage.getItem('parley.call-layout'))).toBe('split');
  await context.close();
});

test('the favicon exists', async ({ request, system }) => {
  const response = await request.get(`${system.addresses.shell}/favicon.ico`);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('image/x-icon');
  expect((await request.get(`${system.addresses.shell}/favicon.svg`)).status()).toBe(200);
});
