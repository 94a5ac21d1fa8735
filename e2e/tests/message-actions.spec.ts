import type { MessageActionContent } from '@parley/contracts';
import type { Locator, Page } from '@playwright/test';
import { seriousViolationsOn } from '../support/axe.js';
import { expect, test } from '../support/fixtures.js';
import { startNodeDevice } from '../support/node-device.js';
import { linkWithTypedCode, newPerson, onboard, openConversation, registerContact, showLinkCode, uniqueHandle } from '../support/users.js';

const messages = (page: Page) => page.getByTestId('message-list').getByTestId('message');
const bodies = (page: Page) => page.getByTestId('message-list').locator('.bubble__body');
/** The bubble whose own text (not a quote in it) contains `text`. */
const bubble = (page: Page, text: string) => messages(page).filter({ has: page.locator('.bubble__body', { hasText: text }) });

async function send(page: Page, text: string) {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
}

/** Opens a message's actions menu with the mouse: hover shows its button. */
async function menuOf(page: Page, message: Locator) {
  await message.hover();
  await message.getByRole('button', { name: 'Message actions' }).click();
  await expect(page.getByRole('menu', { name: 'Message actions' })).toBeVisible();
}

async function openChatWith(page: Page, name: string) {
  await page.getByTestId('conversation-item').filter({ hasText: name }).click();
  await expect(page.getByTestId('conversation')).toBeVisible();
}

/** What Bob and Alice's two browsers show of their conversation once everything below happened ("You" for oneself). */
async function expectFinalState(page: Page, quoteAuthor: string, reactor = 'Bob Dylan') {
  await expect(bodies(page)).toHaveText(['coffee at 11?', 'yes!', 'This message was deleted']);
  const coffee = bubble(page, 'coffee at 11?');
  await expect(coffee.getByTestId('message-edited')).toHaveText('edited');
  await expect(coffee.getByRole('button', { name: `👍 1: ${reactor}` })).toBeVisible();
  await expect(bubble(page, 'yes!').getByRole('button', { name: `Quoted message from ${quoteAuthor}: coffee at 10?. Go to it` })).toBeVisible();
  await expect(bubble(page, 'This message was deleted').getByTestId('message-deleted')).toBeVisible();
}

test('reply, react, edit and delete for everyone reach the other person and the sender’s linked browser, survive a reload, and a forged edit is ignored', async ({ browser, system }) => {
  test.setTimeout(180_000);
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  const [aliceHandle, bobHandle] = [uniqueHandle('alice'), uniqueHandle('bob')];
  await onboard(alice.page, system, aliceHandle, 'Alice Liddell');
  await onboard(bob.page, system, bobHandle, 'Bob Dylan');

  // Alice links a second browser (her laptop).
  const { settings, code } = await showLinkCode(alice.page);
  const laptop = await newPerson(browser);
  await linkWithTypedCode(laptop.page, system.addresses.shell, code);
  await expect(settings.getByTestId('link-done')).toBeVisible({ timeout: 15_000 });
  await settings.getByRole('button', { name: 'Close settings' }).click();

  await openConversation(alice.page, bobHandle);
  await send(alice.page, 'coffee at 10?');
  await openChatWith(bob.page, 'Alice Liddell');
  await openChatWith(laptop.page, 'Bob Dylan');
  for (const page of [bob.page, laptop.page]) await expect(bodies(page)).toHaveText(['coffee at 10?']);

  // Bob replies with the mouse (the hover button), and reacts with the keyboard alone.
  await menuOf(bob.page, bubble(bob.page, 'coffee at 10?'));
  await bob.page.getByRole('menuitem', { name: 'Reply' }).click();
  await expect(bob.page.getByTestId('reply-preview')).toContainText('Replying to Alice Liddell');
  await send(bob.page, 'yes!');
  await bubble(bob.page, 'coffee at 10?').focus();
  await bob.page.keyboard.press('Enter');
  await expect(bob.page.getByRole('menuitem', { name: 'Reply' })).toBeFocused();
  await bob.page.keyboard.press('ArrowDown');
  await expect(bob.page.getByRole('menuitem', { name: 'React' })).toBeFocused();
  await bob.page.keyboard.press('Enter');
  await expect(bob.page.getByRole('menuitemradio', { name: 'React with 👍' })).toBeFocused();
  expect(await seriousViolationsOn(bob.page, 'reaction picker', '[data-testid="conversation"]'), 'reaction picker').toEqual([]);
  await bob.page.keyboard.press('Enter');
  for (const page of [alice.page, laptop.page]) {
    await expect(bodies(page)).toHaveText(['coffee at 10?', 'yes!']);
    await expect(bubble(page, 'coffee at 10?').getByRole('button', { name: '👍 1: Bob Dylan' })).toBeVisible();
  }
  // The quote jumps to the original.
  await bubble(laptop.page, 'yes!').getByRole('button', { name: 'Quoted message from You: coffee at 10?. Go to it' }).click();
  await expect(bubble(laptop.page, 'coffee at 10?')).toBeFocused();

  // Alice fixes the time in place, and takes a message sent by mistake back.
  await menuOf(alice.page, bubble(alice.page, 'coffee at 10?'));
  await alice.page.getByRole('menuitem', { name: 'Edit' }).click();
  const editor = alice.page.getByRole('textbox', { name: 'Edit message' });
  await expect(editor).toHaveValue('coffee at 10?');
  await editor.fill('coffee at 11?');
  await editor.press('Enter');
  await send(alice.page, 'wrong chat, sorry');
  await expect(bubble(bob.page, 'wrong chat, sorry')).toBeVisible();
  await menuOf(alice.page, bubble(alice.page, 'wrong chat, sorry'));
  await alice.page.getByRole('menuitem', { name: 'Delete' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Delete message?' });
  await expect(dialog.getByRole('button', { name: 'Delete for me' })).toBeFocused();
  expect(await seriousViolationsOn(alice.page, 'delete dialog', '[data-testid="conversation"]'), 'delete dialog').toEqual([]);
  await dialog.getByRole('button', { name: 'Delete for everyone' }).click();

  await expectFinalState(bob.page, 'Alice Liddell', 'You');
  expect(await seriousViolationsOn(bob.page, 'quote, reaction, edited, tombstone', '[data-testid="conversation"]'), 'conversation').toEqual([]);
  await expectFinalState(laptop.page, 'You');
  await expectFinalState(alice.page, 'You');

  // Mallory, outside the conversation, crafts an edit, a deletion and a reaction of Alice's message
  // with a changed client and sends them to Bob over a real Signal session: Bob's browser ignores them.
  const [aliceId, messageId] = (await bubble(bob.page, 'coffee at 11?').getAttribute('data-message-key'))!.split(':') as [string, string];
  const malloryAccount = await registerContact(system, uniqueHandle('mallory'), 'Mallory');
  const mallory = await startNodeDevice(system, malloryAccount.credentials, malloryAccount.store);
  const bobId = (await mallory.messenger.findUser(bobHandle)).conversationId;
  await mallory.messenger.sendText(bobId, 'hi Bob');
  const target = { authorUserId: aliceId, messageId };
  const forged: MessageActionContent[] = [
    { type: 'edit', conversationId: bobId, target, sentAt: Date.now(), body: 'forged by Mallory' },
    { type: 'delete', conversationId: bobId, target, sentAt: Date.now(), for: 'everyone' },
    { type: 'reaction', conversationId: bobId, target, sentAt: Date.now(), emoji: '💩' },
  ];
  for (const content of forged) await mallory.messenger.sendContent(bobId, content);
  // Sent after the forged ones on the same session: once it shows, they were handled.
  await mallory.messenger.sendText(bobId, 'did it work?');
  await expect(bob.page.getByTestId('conversation-item').filter({ hasText: 'Mallory' }).getByTestId('conversation-preview')).toHaveText('did it work?');
  await expectFinalState(bob.page, 'Alice Liddell', 'You');
  mallory.stop();

  // Everything is in each browser's history: a reload shows the same.
  for (const [page, chatWith, quoteAuthor, reactor] of [
    [bob.page, 'Alice Liddell', 'Alice Liddell', 'You'],
    [laptop.page, 'Bob Dylan', 'You', 'Bob Dylan'],
  ] as const) {
    await page.reload();
    await openChatWith(page, chatWith);
    await expectFinalState(page, quoteAuthor, reactor);
  }

  for (const person of [alice, bob, laptop]) await person.context.close();
});
