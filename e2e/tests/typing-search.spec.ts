import type { Browser, Page } from '@playwright/test';
import { seriousViolationsOn } from '../support/axe.js';
import { expect, test } from '../support/fixtures.js';
import type { RunningSystem } from '../support/system.js';
import { newPerson, onboard, openConversation, uniqueHandle } from '../support/users.js';

/** People onboarded one after the other, each in their own browser context, by display name. */
async function people(browser: Browser, system: RunningSystem, names: readonly string[]) {
  const onboarded = [];
  for (const name of names) {
    const person = await newPerson(browser);
    const handle = uniqueHandle(name.split(' ')[0]!.toLowerCase());
    await onboard(person.page, system, handle, name);
    onboarded.push({ ...person, handle });
  }
  return onboarded;
}

type Person = Awaited<ReturnType<typeof people>>[number];

/** Alice and Bob, with a first message from Alice that Bob's list shows. */
async function aliceWroteToBob(browser: Browser, system: RunningSystem) {
  const [alice, bob] = (await people(browser, system, ['Alice Liddell', 'Bob Dylan'])) as [Person, Person];
  await openConversation(alice.page, bob.handle);
  await send(alice.page, 'Hello Bob');
  await expect(bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' })).toBeVisible();
  return { alice, bob };
}

async function send(page: Page, text: string) {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
}

const bodies = (page: Page) => page.getByTestId('message-list').locator('.bubble__body');

test('typing shows on the other side while someone writes, and goes away when they pause', async ({ browser, system }) => {
  const { alice, bob } = await aliceWroteToBob(browser, system);
  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
  await expect(bodies(bob.page)).toHaveText(['Hello Bob']);

  const typing = bob.page.getByTestId('conversation').getByRole('status').filter({ hasText: 'Alice Liddell is typing…' });
  await expect(typing).toHaveCount(0);
  await alice.page.getByRole('textbox', { name: 'Message' }).pressSequentially('I am writing a long', { delay: 50 });
  await expect(typing).toHaveCount(1);
  // She pauses: "stopped" goes out after a few idle seconds and the line disappears.
  await expect(typing).toHaveCount(0, { timeout: 10_000 });
  // She types again and sends: the line comes and goes with the message.
  await alice.page.getByRole('textbox', { name: 'Message' }).pressSequentially(' answer', { delay: 50 });
  await expect(typing).toHaveCount(1);
  await alice.page.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(bodies(bob.page)).toHaveText(['Hello Bob', 'I am writing a long answer']);
  await expect(typing).toHaveCount(0);
  // Nothing of it is kept: a reload shows the messages and no typing.
  await bob.page.reload();
  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
  await expect(bodies(bob.page)).toHaveText(['Hello Bob', 'I am writing a long answer']);
  await expect(typing).toHaveCount(0);
  for (const person of [alice, bob]) await person.context.close();
});

test('"Message info" on a group message shows who read it and who has it, also after a reload', async ({ browser, system }) => {
  const [alice, bob, carol] = (await people(browser, system, ['Alice Liddell', 'Bob Dylan', 'Carol King'])) as [Person, Person, Person];
  await alice.page.getByTestId('new-group').click();
  await alice.page.getByTestId('group-name').fill('Readers');
  await alice.page.getByTestId('group-members').fill(`${bob.handle}, ${carol.handle}`);
  await alice.page.getByRole('button', { name: 'Create group' }).click();
  await expect(alice.page.getByTestId('conversation')).toHaveAttribute('data-kind', 'group');

  await send(alice.page, 'Who reads this?');
  const mine = alice.page.getByTestId('message').filter({ hasText: 'Who reads this?' });
  await expect(mine.getByRole('img')).toHaveAccessibleName('Delivered');
  // Bob opens the group (reads it); Carol's device has it but she has not opened it.
  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Readers' }).click();
  await expect(bodies(bob.page)).toHaveText(['Who reads this?']);

  const info = alice.page.getByRole('dialog', { name: 'Message info' });
  const expectInfo = async () => {
    await expect(info.getByRole('list', { name: 'Read by' }).getByRole('listitem')).toHaveText([/^Bob Dylan/]);
    await expect(info.getByRole('list', { name: 'Delivered to' }).getByRole('listitem')).toHaveText([/^Carol King/]);
    await expect(info.getByRole('list', { name: 'Read by' }).locator('time')).toHaveCount(1);
  };
  await expect(async () => {
    // From the keyboard: focus the button and press Enter.
    await mine.getByRole('button', { name: 'Message info' }).focus();
    await alice.page.keyboard.press('Enter');
    await expectInfo();
  }).toPass({ timeout: 10_000 });
  expect(await seriousViolationsOn(alice.page, 'message info dialog')).toEqual([]);
  await alice.page.keyboard.press('Escape');
  await expect(info).toHaveCount(0);
  await expect(mine.getByRole('button', { name: 'Message info' })).toBeFocused();

  await alice.page.reload();
  await alice.page.getByTestId('conversation-item').filter({ hasText: 'Readers' }).click();
  await alice.page.getByTestId('message').filter({ hasText: 'Who reads this?' }).getByRole('button', { name: 'Message info' }).click();
  await expectInfo();
  // Messages from others have no "Message info".
  await send(bob.page, 'I did');
  await expect(bodies(alice.page)).toHaveText(['Who reads this?', 'I did']);
  await expect(alice.page.getByTestId('message').filter({ hasText: 'I did' }).getByRole('button', { name: 'Message info' })).toHaveCount(0);
  for (const person of [alice, bob, carol]) await person.context.close();
});

test('a message that arrived while the tab was closed is found by search, and the result jumps to it', async ({ browser, system }) => {
  const { alice, bob } = await aliceWroteToBob(browser, system);

  // Bob closes his tab; Alice writes; the server queues it for Bob's device.
  await bob.page.close();
  for (let i = 1; i <= 30; i++) await send(alice.page, `Filler line number ${i}`);
  await send(alice.page, 'The secret word is Pomegranate, do not tell');
  for (let i = 31; i <= 40; i++) await send(alice.page, `Filler line number ${i}`);
  await expect(alice.page.getByTestId('message').last()).toHaveAttribute('data-delivery', 'sent');

  // He opens Parley again: the queued messages arrive and are searchable.
  const page = await bob.context.newPage();
  await page.goto(system.addresses.shell);
  await expect(page.getByTestId('chat-app')).toBeVisible({ timeout: 20_000 });
  await page.getByRole('searchbox', { name: 'Search messages' }).fill('pomegr');
  const result = page.getByRole('button', { name: /Pomegranate/ });
  await expect(result).toHaveCount(1, { timeout: 15_000 });
  await expect(result.locator('mark')).toHaveText('Pomegranate');
  await expect(result).toContainText('Alice Liddell');
  expect(await seriousViolationsOn(page, 'message search results')).toEqual([]);
  await result.click();

  const found = page.getByTestId('message').filter({ hasText: 'The secret word is Pomegranate' });
  await expect(found).toHaveAttribute('data-found', '');
  await expect(found).toBeFocused();
  await expect(found).toBeInViewport();
  await expect(page.getByTestId('conversation')).toHaveAttribute('data-handle', alice.handle);
  for (const person of [alice, bob]) await person.context.close();
});
