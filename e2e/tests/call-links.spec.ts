/**
 * Call links end to end: the link is made in Alice's browser (its secret only ever in the URL
 * fragment), someone signed in joins through it, a guest without an account joins through it and
 * leaves (their temporary account removed), admin approval admits and refuses, and wrong or
 * revoked links are refused with a message that says why.
 */
import type { Page } from '@playwright/test';
import { type CallPerson, callPerson } from '../support/calls.js';
import { expect, test } from '../support/fixtures.js';
import { groupCall, groupMediaStats } from '../support/group-calls.js';
import { joinAsGuest, joinOwnLink, makeLink, openCallLinks } from '../support/call-links.js';
import { expectEncryptedMedia } from '../support/sframe-wire.js';

async function decodes(person: { page: Page; name?: string }, others: number): Promise<void> {
  await expect
    .poll(async () => (await groupMediaStats(person.page)).videoFrames.filter((n) => n > 10).length, { timeout: 45_000, message: `${person.name ?? 'guest'} decodes ${others}` })
    .toBeGreaterThanOrEqual(others);
}

test('a signed-in user and a guest join through a link; the guest leaves and their account goes', async ({ browser, system }) => {
  test.setTimeout(180_000);
  const alice = await callPerson(browser, system, 'Alice Liddell');
  const bob = await callPerson(browser, system, 'Bob Dylan');
  // By keyboard from the conversation list's header: "Call links" is a dialog; Escape, or its Close
  // button, gives the focus back to the button that opened it.
  const listButton = alice.page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Call links' });
  await listButton.focus();
  await alice.page.keyboard.press('Enter');
  const dialog = alice.page.getByRole('dialog', { name: 'Call links' });
  await expect(dialog).toBeVisible();
  await alice.page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(listButton).toBeFocused();
  await (await openCallLinks(alice.page)).getByRole('button', { name: 'Close call links' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(listButton).toBeFocused();
  // From Settings → Calls: Settings closes, the dialog opens, and closing it lands on Settings' button.
  const settingsButton = alice.page.getByRole('button', { name: 'Settings' });
  await settingsButton.click();
  await alice.page.getByRole('dialog', { name: 'Settings' }).getByRole('region', { name: 'Calls' }).getByRole('button', { name: 'Call links' }).click();
  await expect(alice.page.getByRole('dialog', { name: 'Settings' })).toHaveCount(0);
  await expect(dialog).toBeVisible();
  await alice.page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(settingsButton).toBeFocused();
  const url = await makeLink(alice.page, 'Book club');
  expect(url.startsWith(system.addresses.shell)).toBe(true);
  await joinOwnLink(alice.page, 'Book club');
  await expect(groupCall(alice.page).getByTestId('group-call-title')).toHaveText('Group call: Book club');

  // Bob, signed in, opens the link: the address loses the secret, and he is in the call.
  await bob.page.goto(url);
  await expect(groupCall(bob.page)).toHaveAttribute('data-phase', 'active', { timeout: 30_000 });
  expect(new URL(bob.page.url()).hash).toBe('');
  await expect(groupCall(bob.page).getByTestId('group-call-title')).toHaveText('Group call: Book club');

  // A guest: no account, just a name.
  const guest = await joinAsGuest(browser, url, 'Visiting Vera');
  for (const person of [alice, bob]) await expect(person.page.getByTestId('group-call-count')).toContainText('3 participants', { timeout: 20_000 });
  const list = alice.page.getByTestId('group-call-participants');
  await list.locator('summary').click();
  const vera = list.getByTestId('group-call-participant').filter({ hasText: 'Visiting Vera' });
  await expect(vera.getByTestId('group-call-guest')).toBeVisible();
  await expect(vera.getByTestId('group-call-via-link')).toBeVisible();
  await decodes(alice, 2);
  await decodes(guest, 2);
  // Encrypted end to end, the guest included.
  await expectEncryptedMedia([alice, bob, guest], ['audio', 'video']);

  // The guest leaves: the temporary account is removed on the server and in the browser.
  await groupCall(guest.page).getByRole('button', { name: 'Leave' }).click();
  await expect(guest.page.getByTestId('guest-left')).toBeVisible({ timeout: 20_000 });
  for (const person of [alice, bob]) await expect(person.page.getByTestId('group-call-count')).toContainText('2 participants', { timeout: 30_000 });
  await guest.page.reload();
  await expect(guest.page.getByTestId('onboarding')).toBeVisible();

  for (const person of [alice, bob]) await person.context.close();
  await guest.context.close();
});

test('admin approval admits and refuses; wrong and revoked links are refused saying why', async ({ browser, system }) => {
  test.setTimeout(180_000);
  const alice = await callPerson(browser, system, 'Alice Liddell');
  const bob = await callPerson(browser, system, 'Bob Dylan');
  const carol: CallPerson = await callPerson(browser, system, 'Carol King');
  const url = await makeLink(alice.page, 'Council', true);
  await joinOwnLink(alice.page, 'Council');

  await bob.page.goto(url);
  await expect(bob.page.getByTestId('group-call-waiting')).toBeVisible({ timeout: 30_000 });
  await carol.page.goto(url);
  await expect(carol.page.getByTestId('group-call-waiting')).toBeVisible({ timeout: 30_000 });
  const requests = alice.page.getByTestId('group-call-join-request');
  await expect(requests).toHaveCount(2, { timeout: 20_000 });
  await alice.page.getByRole('button', { name: 'Admit Bob Dylan' }).click();
  await alice.page.getByRole('button', { name: 'Refuse Carol King' }).click();
  await expect(groupCall(bob.page)).toHaveAttribute('data-phase', 'active', { timeout: 30_000 });
  await expect(carol.page.getByTestId('group-call-error')).toHaveText('The host did not let you in.', { timeout: 20_000 });
  await decodes(bob, 1);

  // A wrong secret (one character changed) names no link.
  const wrong = url.replace(/#(.)/, (_, c: string) => `#${c === 'A' ? 'B' : 'A'}`);
  await carol.page.goto(wrong);
  await expect(carol.page.getByTestId('group-call-error')).toHaveAttribute('data-code', 'link_not_found', { timeout: 20_000 });
  await expect(carol.page.getByTestId('group-call-error')).toContainText('does not exist');

  // Alice revokes the link: opening it now says so (and her call ends for everyone).
  const panel = await openCallLinks(alice.page);
  await panel.getByTestId('call-link').filter({ hasText: 'Council' }).getByRole('button', { name: 'Revoke' }).click();
  await expect(panel.getByTestId('call-link').filter({ hasText: 'Council' })).toHaveCount(0);
  await carol.page.goto(url);
  await expect(carol.page.getByTestId('group-call-error')).toHaveText('This call link was revoked by the person who made it.', { timeout: 20_000 });

  for (const person of [alice, bob, carol]) await person.context.close();
});
