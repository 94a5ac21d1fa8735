/**
 * The look of the shell, chat and call screens against committed baselines (e2e/screenshots/), each
 * in the light and the dark theme, so a change to the look is a reviewed change: onboarding, the
 * empty chat list with the welcome panel, a list of conversations (1:1 and group, unread badges), a
 * conversation (emoji, date separators, ticks), the "Call links" dialog, Settings, the phone-sized
 * list and conversation; then the incoming call dialog, the 1:1 video call stage, the floating call
 * bar and the group call stage.
 * Everything on screen is fixed: names and handles (a fresh server per test), the page's clock
 * and every contact's (e2e/support/screenshots.ts), the zone and the language. The call screens
 * come from the call app's test pages (as in interface-call.spec.ts): two real call apps whose
 * engine clock is manual, so the call's timer stays at 0:00, and a group stage of canvas cameras.
 */
import type { Page } from '@playwright/test';
import type { HistoryMessage } from '@parley/messenger';
import { type ServedLab, buildCallLab } from '../fixtures/call-lab-build.js';
import { expect, test } from '../support/fixtures.js';
import { type NodeDevice, startNodeDevice } from '../support/node-device.js';
import { DESKTOP, PHONE, at, screenshotPerson, shoot } from '../support/screenshots.js';
import type { RunningSystem } from '../support/system.js';
import { eightPersonCall } from '../support/group-call-bots.js';
import { onboard, registerContact } from '../support/users.js';

/** A contact on a Node device whose clock the test sets before each thing it sends. */
interface Contact {
  readonly device: NodeDevice;
  /** Sends `text` to `handle`, dated `sentAt`. */
  write(handle: string, text: string, sentAt: number): Promise<void>;
  /** Sets the contact's clock (what it sends next is dated then). */
  setTime(time: number): void;
}

async function contact(system: RunningSystem, handle: string, displayName: string): Promise<Contact> {
  let now = at(-1, '08:00');
  const account = await registerContact(system, handle, displayName);
  const device = await startNodeDevice(system, account.credentials, account.store, { now: () => now });
  return {
    device,
    setTime: (time) => {
      now = time;
    },
    async write(to, text, sentAt) {
      now = sentAt;
      const conversation = await device.messenger.findUser(to);
      await device.messenger.sendText(conversation.conversationId, text);
    },
  };
}

/** The messages a contact has in its conversation with `handle` once one of them says `body`. */
async function messagesOnceArrived(contact: Contact, handle: string, body: string): Promise<readonly HistoryMessage[]> {
  const { conversationId } = await contact.device.messenger.findUser(handle);
  return new Promise((resolve) => {
    const subscription = contact.device.messenger.history$(conversationId).subscribe((messages) => {
      if (!messages.some((message) => message.body === body)) return;
      queueMicrotask(() => subscription.unsubscribe());
      resolve(messages);
    });
  });
}

/** Waits until the relay is connected: the status dot is green in every screenshot. */
const connected = (page: Page) => expect(page.getByTestId('shell-relay')).toHaveAttribute('data-status', 'open');

test('the shell and chat screens look as their baselines, light and dark, wide and phone-sized', async ({ browser, system }) => {
  test.setTimeout(180_000);
  const { context, page } = await screenshotPerson(browser);

  await page.goto(system.addresses.shell);
  await expect(page.getByTestId('onboarding')).toBeVisible();
  await shoot(page, 'onboarding');

  await onboard(page, system, 'alice', 'Alice Liddell');
  await expect(page.getByText('Parley for the web')).toBeVisible();
  await connected(page);
  await shoot(page, 'chat-list-empty');

  // Three contacts write: Bob yesterday and today, a group this morning, Dave before that.
  const bob = await contact(system, 'bob', 'Bob Dylan');
  const carol = await contact(system, 'carol', 'Carol Danvers');
  const dave = await contact(system, 'dave', 'Dave Brubeck');
  await dave.write('alice', 'Happy Friday! 🌷', at(0, '08:15'));
  await bob.write('alice', 'Are we still on for the picnic tomorrow? 🧺', at(-1, '18:05'));
  carol.setTime(at(0, '10:58'));
  const group = await carol.device.messenger.createGroup('Book club', ['alice', 'bob']);
  carol.setTime(at(0, '11:02'));
  await carol.device.messenger.sendGroupText(group.conversationId, 'Next month: “The Left Hand of Darkness” 📚');
  await bob.write('alice', 'I can bring lemonade 🍋 and the big blanket', at(0, '14:47'));

  const items = page.getByTestId('conversation-item');
  await expect(items).toHaveCount(3);
  await expect(items.filter({ hasText: 'Bob Dylan' }).getByTestId('conversation-unread')).toHaveText('2');
  await expect(items.filter({ hasText: 'Book club' }).getByTestId('conversation-unread')).toHaveText('1');
  await expect(items.filter({ hasText: 'Dave Brubeck' }).getByTestId('conversation-unread')).toHaveText('1');
  await shoot(page, 'chat-list');

  // Alice answers Bob: one reply he reads (blue ticks), one only delivered.
  await items.filter({ hasText: 'Bob Dylan' }).click();
  const composer = page.getByRole('textbox', { name: 'Message' });
  const firstReply = 'Yes! 🎉 Eleven at the usual spot?';
  const secondReply = 'I’ll bring the strawberries 🍓';
  await page.clock.setFixedTime(at(0, '15:10'));
  await composer.fill(firstReply);
  await composer.press('Enter');
  const read = await messagesOnceArrived(bob, 'alice', firstReply);
  await bob.device.messenger.markRead((await bob.device.messenger.findUser('alice')).conversationId, read.filter((message) => message.direction === 'in').map((message) => message.messageId));
  const messages = page.getByTestId('message');
  await expect(messages.filter({ hasText: firstReply })).toHaveAttribute('data-delivery', 'read');
  await page.clock.setFixedTime(at(0, '15:12'));
  await composer.fill(secondReply);
  await composer.press('Enter');
  await expect(messages.filter({ hasText: secondReply })).toHaveAttribute('data-delivery', 'delivered');
  await page.clock.setFixedTime(at(0, '15:30'));
  await expect(page.getByTestId('day-separator')).toHaveText(['Yesterday', 'Today']);
  await composer.blur();
  await shoot(page, 'conversation');

  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await expect(settings.getByTestId('device')).toHaveCount(1);
  // The device list's dates are the server's clock; the release URLs carry this run's ports.
  await shoot(page, 'settings', { mask: [settings.getByTestId('device').locator('small'), settings.getByTestId('release-info')] });
  await settings.getByRole('button', { name: 'Close settings' }).click();
  await expect(settings).toHaveCount(0);

  // A phone loads the page at its size: the list, then Bob's conversation as a screen of its own.
  await page.setViewportSize(PHONE);
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
  await expect(items).toHaveCount(3);
  await connected(page);
  await shoot(page, 'phone-chat-list');
  await items.filter({ hasText: 'Bob Dylan' }).click();
  await expect(page.getByRole('button', { name: 'Back to chats' })).toBeVisible();
  await expect(messages).toHaveCount(4);
  await shoot(page, 'phone-conversation');

  // Back at the desktop size, "Call links" from Bob's chat options with one link: last, so no other
  // baseline depends on the link. Its URL has this run's port and a random secret, its expiry date
  // is the server's clock: both masked.
  await page.setViewportSize(DESKTOP);
  await page.getByRole('button', { name: 'Chat options' }).click();
  await page.getByRole('menuitem', { name: 'Call links' }).click();
  const callLinks = page.getByRole('dialog', { name: 'Call links' });
  const newLink = callLinks.getByRole('form', { name: 'New call link' });
  await newLink.getByLabel('Call name (optional)').fill('Picnic planning');
  await newLink.getByRole('button', { name: 'Create link' }).click();
  const link = callLinks.getByTestId('call-link').filter({ hasText: 'Picnic planning' });
  await expect(link.getByTestId('call-link-url')).toHaveValue(/\/call#[A-Za-z0-9_-]{22}$/);
  await expect(newLink.getByLabel('Call name (optional)')).toHaveValue('');
  await newLink.getByLabel('Call name (optional)').blur();
  await shoot(page, 'call-links', { mask: [link.getByTestId('call-link-url'), link.locator('small')] });
  await callLinks.getByRole('button', { name: 'Close call links' }).click();
  await expect(callLinks).toHaveCount(0);

  for (const person of [bob, carol, dave]) person.device.stop();
  await context.close();
});

test('a group call of eight real participants looks as its baselines, light and dark: one browser, seven bots through Janus', async ({ browser, system }) => {
  test.setTimeout(180_000);
  const { context, page } = await screenshotPerson(browser);
  await onboard(page, system, 'alice', 'Alice Liddell');
  await connected(page);
  const call = await eightPersonCall(browser, system, page);
  try {
    await expect(page.getByTestId('group-call-count')).toContainText('8 participants · 0:00');
    await page.mouse.move(0, 0);
    // The bots' pictures and Alice's camera are drawn as fixed patterns in place (shoot).
    await shoot(page, 'group-call-8');
  } finally {
    await call.stop();
    await context.close();
  }
});

/** Builds one of the call app's test pages for the length of `use`. */
async function withLab<T>(entry: string, use: (lab: ServedLab) => Promise<T>): Promise<T> {
  const lab = await buildCallLab(entry);
  try {
    return await use(lab);
  } finally {
    await lab.close();
  }
}

test('the call screens look as their baselines, light and dark: incoming call, 1:1 video stage, floating call bar, group stage', async ({ browser }) => {
  test.setTimeout(180_000);
  const { context, page } = await screenshotPerson(browser);

  // Bob's call app takes the whole window, as in the shell's stage; Alice's is there, unseen.
  await withLab('src/testing/call-lab.tsx', async (callLab) => {
    await page.goto(`${callLab.origin}/?locale=en-US&full=bob&modal=1`);
    await expect(page).toHaveTitle('call lab ready');
    const bob = page.locator('#bob');
    await page.evaluate(() => (window as unknown as { callLab: { call(from: string, media: string): void } }).callLab.call('alice', 'video'));
    const incoming = page.getByRole('dialog', { name: 'Alice is calling' });
    await expect(incoming.getByRole('button', { name: 'Accept' })).toBeFocused();
    await shoot(page, 'call-incoming');

    await page.keyboard.press('Enter');
    await expect(bob.getByTestId('call-panel')).toHaveAttribute('data-phase', 'active');
    // The engine's clock is manual: the timer stays at the start.
    await expect(bob.getByTestId('call-elapsed')).toHaveText('0:00');
    await expect(page.locator('#alice').getByTestId('call-panel')).toHaveAttribute('data-phase', 'active');
    // Alice's picture is on the stage (not her avatar, shown until the first frames are decoded).
    await expect(bob.getByTestId('peer-avatar')).toHaveCount(0, { timeout: 15_000 });
    const bar = bob.getByRole('toolbar', { name: 'Call controls' });
    await expect(bar.getByRole('button', { name: 'Hang up' })).toBeVisible();
    await page.mouse.move(0, 0);
    // The peer's sound level and the connection quality follow the live media.
    await shoot(page, 'call-stage', { mask: [bob.getByTestId('audio-level'), bob.getByTestId('call-quality')] });

    await bar.getByRole('button', { name: 'Back to chat' }).click();
    const mini = bob.getByRole('complementary', { name: 'Ongoing call with Alice' });
    await expect(mini.getByRole('timer')).toHaveText('0:00');
    await page.mouse.move(0, 0);
    await shoot(page, 'call-bar');
    await mini.getByRole('button', { name: 'Return to call' }).click();
    await bar.getByRole('button', { name: 'Hang up' }).click();
    await expect(bob.getByTestId('call-panel')).toHaveAttribute('data-outcome', 'hung-up');
  });

  // Nine people in the grid; one talks, some are muted or have their camera off. Their cameras are
  // canvases of one colour each, the same on every run: compared, once every one shows a picture.
  await withLab('src/testing/group-stage-lab.tsx', async (stageLab) => {
    await page.goto(`${stageLab.origin}/?n=9`);
    await expect(page).toHaveTitle('group stage lab ready');
    await page.getByRole('button', { name: 'Grid view' }).click();
    await expect(page.getByRole('button', { name: 'Grid view' })).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('group-call-tile')).toHaveCount(8);
    await expect.poll(() => page.locator('video:visible').evaluateAll((videos) => videos.every((video) => (video as HTMLVideoElement).readyState >= 2))).toBe(true);
    await page.mouse.move(0, 0);
    await shoot(page, 'group-call-stage', { showVideo: true });
  });

  await context.close();
});
