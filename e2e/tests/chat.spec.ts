import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentityKeyPair, InMemorySignalProtocolStore } from '@parley/signal-protocol';
import { type BrowserContext, type Page, chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config.js';
import { expect, test } from '../support/fixtures.js';
import { startNodeDevice } from '../support/node-device.js';
import { expectRemovedHere, linkWithTypedCode, newPerson, onboard, openConversation, registerContact, removeLastDevice, showLinkCode, uniqueHandle } from '../support/users.js';

const messages = (page: Page) => page.getByTestId('message-list').getByTestId('message');
const bodies = (page: Page) => page.getByTestId('message-list').locator('.bubble__body');

async function send(page: Page, text: string) {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
}

/** A browser profile on disk: closing its context and launching it again keeps IndexedDB. */
async function persistentPerson(profile: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    locale: 'en-US',
  });
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
}

test('two people register, find each other and talk both ways, with sent, delivered and read ticks', async ({ browser, system }) => {
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  const [aliceHandle, bobHandle] = [uniqueHandle('alice'), uniqueHandle('bob')];
  await onboard(alice.page, system, aliceHandle, 'Alice Liddell');
  await onboard(bob.page, system, bobHandle, 'Bob Dylan');

  // A failed lookup reads as words in the person's language, never as its code (user_not_found).
  const search = alice.page.getByTestId('chat-app').getByRole('search');
  await search.getByLabel('Handle').fill(uniqueHandle('nobody'));
  await search.getByRole('button', { name: 'Start chat' }).click();
  await expect(alice.page.getByTestId('find-user-error')).toHaveText('Nobody has that handle.');

  await openConversation(alice.page, bobHandle);
  await send(alice.page, 'Hello Bob');
  const first = messages(alice.page).first();
  await expect(first).toHaveAttribute('data-direction', 'out');
  // Bob's device is online: the delivered receipt comes back at once; he has not opened it yet.
  await expect(first).toHaveAttribute('data-delivery', 'delivered');

  // Bob sees the conversation in his list with preview and unread count, then opens it.
  const item = bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' });
  await expect(item.getByTestId('conversation-preview')).toHaveText('Hello Bob');
  await expect(item.getByTestId('conversation-unread')).toHaveText('1');
  await item.click();
  await expect(bodies(bob.page)).toHaveText(['Hello Bob']);
  await expect(item.getByTestId('conversation-unread')).toHaveCount(0);
  await expect(first).toHaveAttribute('data-delivery', 'read');
  await expect(first.getByRole('img', { name: 'Read' })).toBeVisible();

  // Shift+Enter is a new line, Enter sends.
  const composer = bob.page.getByRole('textbox', { name: 'Message' });
  await composer.fill('Hi Alice');
  await composer.press('Shift+Enter');
  await composer.pressSequentially('two lines');
  await composer.press('Enter');
  await expect(bodies(bob.page)).toHaveText(['Hello Bob', 'Hi Alice\ntwo lines']);
  await expect(bodies(alice.page)).toHaveText(['Hello Bob', 'Hi Alice\ntwo lines']);
  await expect(messages(bob.page).last()).toHaveAttribute('data-delivery', 'read');

  await alice.context.close();
  await bob.context.close();
});

test('messages sent while the recipient is away arrive in order, once, when they come back; a reload keeps history', async ({ browser, system }) => {
  const profile = mkdtempSync(join(tmpdir(), 'parley-profile-'));
  try {
    const alice = await newPerson(browser);
    let bob = await persistentPerson(profile);
    const [aliceHandle, bobHandle] = [uniqueHandle('alice'), uniqueHandle('bob')];
    await onboard(alice.page, system, aliceHandle, 'Alice Liddell');
    await onboard(bob.page, system, bobHandle, 'Bob Dylan');
    await openConversation(alice.page, bobHandle);
    await send(alice.page, 'before you left');
    await expect(messages(alice.page).first()).toHaveAttribute('data-delivery', 'delivered');

    await bob.context.close();
    const away = Array.from({ length: 5 }, (_, i) => `while away ${i + 1}`);
    for (const text of away) await send(alice.page, text);
    await expect(messages(alice.page)).toHaveCount(6);
    for (const bubble of await messages(alice.page).all()) await expect(bubble).not.toHaveAttribute('data-delivery', 'sending');
    // Nobody could confirm delivery of the last five.
    await expect(messages(alice.page).last()).toHaveAttribute('data-delivery', 'sent');

    bob = await persistentPerson(profile);
    await bob.page.goto(system.addresses.shell);
    const item = bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' });
    await expect(item.getByTestId('conversation-preview')).toHaveText('while away 5');
    await expect(item.getByTestId('conversation-unread')).toHaveText('6');
    await item.click();
    await expect(bodies(bob.page)).toHaveText(['before you left', ...away]);
    await expect(messages(alice.page).last()).toHaveAttribute('data-delivery', 'read');

    // A reload changes nothing: the same history, each message once.
    await bob.page.reload();
    await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
    await expect(bodies(bob.page)).toHaveText(['before you left', ...away]);
    await alice.page.reload();
    await alice.page.getByTestId('conversation-item').filter({ hasText: 'Bob Dylan' }).click();
    await expect(bodies(alice.page)).toHaveText(['before you left', ...away]);
    await expect(messages(alice.page).last()).toHaveAttribute('data-delivery', 'read');

    await alice.context.close();
    await bob.context.close();
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});

test('a second tab offers "Use here" and takes over; the first tab then offers it', async ({ browser, system }) => {
  const alice = await newPerson(browser);
  await onboard(alice.page, system, uniqueHandle('alice'), 'Alice Liddell');
  const second = await alice.context.newPage();
  await second.goto(system.addresses.shell);
  await expect(second.getByRole('heading', { name: 'Parley is open in another tab' })).toBeVisible();
  await expect(second.getByTestId('chat-app')).toHaveCount(0);
  await second.getByRole('button', { name: 'Use here' }).click();
  await expect(second.getByTestId('chat-app')).toBeVisible();
  await expect(second.getByTestId('shell-relay')).toHaveAttribute('data-status', 'open');
  await expect(alice.page.getByRole('heading', { name: 'Parley is open in another tab' })).toBeVisible();
  await expect(alice.page.getByTestId('chat-app')).toHaveCount(0);
  // And back again.
  await alice.page.getByRole('button', { name: 'Use here' }).click();
  await expect(alice.page.getByTestId('chat-app')).toBeVisible();
  await expect(second.getByRole('button', { name: 'Use here' })).toBeVisible();
  await alice.context.close();
});

test('a second browser linked to an account receives the same conversation; the contact sees a new-device notice', async ({ browser, system }) => {
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  const [aliceHandle, bobHandle] = [uniqueHandle('alice'), uniqueHandle('bob')];
  await onboard(alice.page, system, aliceHandle, 'Alice Liddell');
  await onboard(bob.page, system, bobHandle, 'Bob Dylan');
  await openConversation(bob.page, aliceHandle);
  await send(bob.page, 'before the link');
  await expect(messages(bob.page).first()).toHaveAttribute('data-delivery', 'delivered');

  // Alice shows a code in settings on her first browser…
  const { settings, code } = await showLinkCode(alice.page);
  await expect(settings.getByTestId('device')).toHaveCount(1);
  // …and types it into a second browser.
  const laptop = await newPerson(browser);
  await linkWithTypedCode(laptop.page, system.addresses.shell, code);
  await expect(laptop.page.getByTestId('shell-identity')).toHaveText('Alice Liddell');
  await expect(settings.getByTestId('link-done')).toBeVisible({ timeout: 15_000 });
  await expect(settings.getByTestId('device')).toHaveCount(2);
  await settings.getByRole('button', { name: 'Close settings' }).click();

  // Bob's next message reaches both of Alice's browsers.
  await send(bob.page, 'after the link');
  await expect(bob.page.getByTestId('new-device')).toContainText('Alice Liddell added a new device.');
  await expect(bob.page.getByTestId('identity-changed')).toHaveCount(0);
  const laptopItem = laptop.page.getByTestId('conversation-item').filter({ hasText: 'Bob Dylan' });
  await expect(laptopItem.getByTestId('conversation-preview')).toHaveText('after the link');
  await laptopItem.click();
  await expect(bodies(laptop.page)).toHaveText(['after the link']);
  await alice.page.getByTestId('conversation-item').filter({ hasText: 'Bob Dylan' }).click();
  await expect(bodies(alice.page)).toHaveText(['before the link', 'after the link']);

  // What Alice writes on the laptop shows on her first browser too, as hers.
  await send(laptop.page, 'from my laptop');
  await expect(bodies(bob.page)).toHaveText(['before the link', 'after the link', 'from my laptop']);
  await expect(bodies(alice.page)).toHaveText(['before the link', 'after the link', 'from my laptop']);
  await expect(messages(alice.page).last()).toHaveAttribute('data-direction', 'out');

  // Removing the laptop in settings signs it out there.
  await alice.page.getByRole('button', { name: 'Settings' }).click();
  await removeLastDevice(settings);
  await expectRemovedHere(laptop.page);

  for (const person of [alice, bob, laptop]) await person.context.close();
});

test('a contact whose identity key changes is shown a warning, and what they sent waits until it is accepted', async ({ browser, system }) => {
  const alice = await newPerson(browser);
  const aliceHandle = uniqueHandle('alice');
  const bobHandle = uniqueHandle('bob');
  await onboard(alice.page, system, aliceHandle, 'Alice Liddell');
  const bobAccount = await registerContact(system, bobHandle, 'Bob Dylan');
  const bob = await startNodeDevice(system, bobAccount.credentials, bobAccount.store);
  const conversation = await bob.messenger.findUser(aliceHandle);
  await bob.messenger.sendText(conversation.conversationId, 'my old phone');
  const item = alice.page.getByTestId('conversation-item').filter({ hasText: 'Bob Dylan' });
  await item.click();
  await expect(bodies(alice.page)).toHaveText(['my old phone']);
  const before = await safetyNumber(alice.page);
  bob.stop();

  // Bob's account starts over with a new identity key (a reinstall, or someone holding his token):
  // same account and device, every key new. Alice's browser must not take it silently.
  const identity = await IdentityKeyPair.generate();
  const reinstalled = await startNodeDevice(system, bobAccount.credentials, new InMemorySignalProtocolStore(identity, 77));
  await reinstalled.messenger.sendText((await reinstalled.messenger.findUser(aliceHandle)).conversationId, 'my new phone');

  const warning = alice.page.getByTestId('identity-changed');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('Bob Dylan’s safety number has changed');
  await expect(alice.page.getByTestId('new-device')).toHaveCount(0);
  await expect(bodies(alice.page)).toHaveText(['my old phone']);
  await warning.getByRole('button', { name: 'Accept' }).click();
  await expect(warning).toHaveCount(0);
  await expect(bodies(alice.page)).toHaveText(['my old phone', 'my new phone']);
  expect(await safetyNumber(alice.page)).not.toBe(before);

  reinstalled.stop();
  await alice.context.close();
});

/** Opens the safety-number screen of the open conversation, reads it and goes back. */
async function safetyNumber(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Chat options' }).click();
  await page.getByRole('menuitem', { name: 'Safety number' }).click();
  const digits = page.getByTestId('safety-number-digits');
  await expect(digits.locator('span')).toHaveCount(12);
  const text = (await digits.textContent())!;
  expect(text).toMatch(/^\d{60}$/);
  await page.getByRole('button', { name: 'Back' }).click();
  return text;
}

test('a Russian browser gets Russian screens, and English is one switch away', async ({ browser, system }) => {
  const context = await browser.newContext({ locale: 'ru-RU' });
  const page = await context.newPage();
  await page.goto(system.addresses.shell);
  const onboarding = page.getByTestId('onboarding');
  await expect(onboarding.getByRole('heading', { name: 'Добро пожаловать в Parley' })).toBeVisible();
  await onboarding.getByLabel('Имя пользователя').fill(uniqueHandle('masha'));
  await onboarding.getByLabel('Отображаемое имя').fill('Маша');
  await onboarding.getByRole('button', { name: 'Создать' }).click();
  const chat = page.getByTestId('chat-app');
  await expect(chat.getByRole('button', { name: 'Начать чат' })).toBeVisible({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Настройки' }).click();
  await page.getByLabel('Язык').selectOption('en-US');
  await expect(chat.getByRole('button', { name: 'Start chat' })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('chat-app').getByRole('button', { name: 'Start chat' })).toBeVisible();
  await context.close();
});

/** Presses Tab until `target` has focus: proves it is reachable by keyboard, in tab order. */
async function tabTo(page: Page, target: ReturnType<Page['getByRole']>, limit = 30) {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`not reachable with ${limit} presses of Tab`);
}

test('onboarding, finding someone and sending work with the keyboard alone', async ({ browser, system }) => {
  const bob = await newPerson(browser);
  const bobHandle = uniqueHandle('bob');
  await onboard(bob.page, system, bobHandle, 'Bob Dylan');
  const { context, page } = await newPerson(browser);
  await page.goto(system.addresses.shell);
  await tabTo(page, page.getByRole('textbox', { name: 'Handle' }));
  await page.keyboard.type(uniqueHandle('kim'));
  await tabTo(page, page.getByRole('textbox', { name: 'Display name' }));
  await page.keyboard.type('Kim Keys');
  await page.keyboard.press('Enter');
  const search = page.getByTestId('chat-app').getByRole('search').getByRole('textbox', { name: 'Handle' });
  await expect(search).toBeVisible({ timeout: 20_000 });
  await tabTo(page, search);
  await page.keyboard.type(bobHandle);
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByRole('textbox', { name: 'Message' }));
  await page.keyboard.type('typed, not clicked');
  await page.keyboard.press('Enter');
  await expect(bob.page.getByTestId('conversation-item').filter({ hasText: 'Kim Keys' })).toContainText('typed, not clicked');
  await tabTo(page, page.getByRole('button', { name: 'Chat options' }));
  await page.keyboard.press('Enter');
  // The menu opens with the focus on its first entry; arrows move through it.
  const safety = page.getByRole('menuitem', { name: 'Safety number' });
  for (let i = 0; i < 5 && !(await safety.evaluate((element) => element === document.activeElement)); i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('safety-number-digits')).toBeVisible();
  await context.close();
  await bob.context.close();
});
