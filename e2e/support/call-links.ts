/**
 * Call links through the real shell: Alice opens "Call links" from the chat's menu or the list's header, makes a link
 * there (its secret only in the URL fragment) and joins its call; a guest without an account opens
 * the link and joins with a name.
 */
import { type Browser, type BrowserContext, type Locator, type Page, expect } from '@playwright/test';
import { groupCall } from './group-calls.js';
import { recordPeerConnections } from './peer-connections.js';
import { tapSFrameWorkers } from './sframe-wire.js';
import { newPerson } from './users.js';

/**
 * The "Call links" dialog of `page`, opened as a person would if it is not open yet: from the open
 * conversation's "Chat options" menu, or with no conversation open from the list header's button.
 */
export async function openCallLinks(page: Page): Promise<Locator> {
  const dialog = page.getByRole('dialog', { name: 'Call links' });
  if (await dialog.isVisible()) return dialog;
  const chatOptions = page.getByRole('button', { name: 'Chat options' });
  if (await chatOptions.isVisible()) {
    await chatOptions.click();
    await page.getByRole('menuitem', { name: 'Call links' }).click();
  } else {
    await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Call links' }).click();
  }
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Makes a link named `name` in the "Call links" dialog of `page` and returns its URL. */
export async function makeLink(page: Page, name: string, approval = false): Promise<string> {
  const panel = await openCallLinks(page);
  const form = panel.getByRole('form', { name: 'New call link' });
  await form.getByLabel('Call name (optional)').fill(name);
  if (approval) await form.getByLabel('Ask me to admit each person').check();
  await form.getByRole('button', { name: 'Create link' }).click();
  const url = panel.getByTestId('call-link').filter({ hasText: name }).getByTestId('call-link-url');
  await expect(url).toHaveValue(/\/call#[A-Za-z0-9_-]{22}$/);
  return url.inputValue();
}

/** The link's maker joins its call from the "Call links" dialog (it closes for the call). */
export async function joinOwnLink(page: Page, name: string): Promise<void> {
  const panel = await openCallLinks(page);
  await panel.getByTestId('call-link').filter({ hasText: name }).getByRole('button', { name: 'Join' }).click();
  await expect(page.getByRole('dialog', { name: 'Call links' })).toHaveCount(0);
  await expect(groupCall(page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
}

/**
 * Someone without an account opens `url` in a fresh context (peer connections recorded, SFrame
 * workers tapped; `prepare` runs before the page loads) and joins as a guest named `name`.
 */
export async function joinAsGuest(browser: Browser, url: string, name: string, prepare?: (context: BrowserContext) => Promise<unknown>): Promise<{ context: BrowserContext; page: Page; name: string }> {
  const guest = await newPerson(browser);
  await recordPeerConnections(guest.context);
  await tapSFrameWorkers(guest.context);
  await prepare?.(guest.context);
  await guest.page.goto(url);
  const card = guest.page.getByTestId('guest-join');
  await card.getByLabel('Your name').fill(name);
  await card.getByRole('button', { name: 'Join as guest' }).click();
  await expect(groupCall(guest.page)).toHaveAttribute('data-phase', 'active', { timeout: 30_000 });
  return { ...guest, name };
}
