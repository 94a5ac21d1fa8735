/**
 * Call links through the real shell: Alice's "Call links" panel makes a link (its secret only in
 * the URL fragment) and joins its call; a guest without an account opens the link and joins with a
 * name.
 */
import { type Browser, type BrowserContext, type Page, expect } from '@playwright/test';
import { groupCall } from './group-calls.js';
import { recordPeerConnections } from './peer-connections.js';
import { tapSFrameWorkers } from './sframe-wire.js';
import { newPerson } from './users.js';

/** The "Call links" panel of `page`: makes a link named `name` and returns its URL. */
export async function makeLink(page: Page, name: string, approval = false): Promise<string> {
  const panel = page.getByTestId('call-links');
  if (!(await panel.evaluate((el) => (el as HTMLDetailsElement).open))) await panel.locator('summary').click();
  const form = panel.getByRole('form', { name: 'New call link' });
  await form.getByLabel('Call name (optional)').fill(name);
  if (approval) await form.getByLabel('Ask me to admit each person').check();
  await form.getByRole('button', { name: 'Create link' }).click();
  const url = panel.getByTestId('call-link').filter({ hasText: name }).getByTestId('call-link-url');
  await expect(url).toHaveValue(/\/call#[A-Za-z0-9_-]{22}$/);
  return url.inputValue();
}

/** The link's maker joins its call from the panel. */
export async function joinOwnLink(page: Page, name: string): Promise<void> {
  await page.getByTestId('call-links').getByTestId('call-link').filter({ hasText: name }).getByRole('button', { name: 'Join' }).click();
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
