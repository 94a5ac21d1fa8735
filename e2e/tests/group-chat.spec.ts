import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures.js';
import { newPerson, onboard, uniqueHandle } from '../support/users.js';

const bodies = (page: Page) => page.getByTestId('message-list').locator('.bubble__body');

async function send(page: Page, text: string) {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
}

async function openGroup(page: Page, name: string) {
  await page.getByTestId('conversation-item').filter({ hasText: name }).click();
  await expect(page.getByTestId('conversation')).toHaveAttribute('data-kind', 'group');
}

test('three people in a group chat talk; a removed member gets nothing after the removal', async ({ browser, system }) => {
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  const carol = await newPerson(browser);
  const [aliceHandle, bobHandle, carolHandle] = [uniqueHandle('alice'), uniqueHandle('bob'), uniqueHandle('carol')];
  await onboard(alice.page, system, aliceHandle, 'Alice Liddell');
  await onboard(bob.page, system, bobHandle, 'Bob Dylan');
  await onboard(carol.page, system, carolHandle, 'Carol King');

  // Alice creates the group; it opens for her and shows up for the others.
  await alice.page.getByTestId('new-group').click();
  await alice.page.getByTestId('group-name').fill('Climbers');
  await alice.page.getByTestId('group-members').fill(`${bobHandle}, @${carolHandle}`);
  await alice.page.getByRole('button', { name: 'Create group' }).click();
  await expect(alice.page.getByTestId('conversation')).toHaveAttribute('data-kind', 'group');
  await expect(alice.page.getByTestId('conversation').locator('h2')).toContainText('3 members');
  await expect(alice.page.getByRole('button', { name: 'Start group call' })).toBeVisible();

  // Ticks are the least over the members: two once both devices have it, blue once both read it.
  await send(alice.page, 'Hello, climbers');
  const ticks = alice.page.getByTestId('message').filter({ hasText: 'Hello, climbers' }).getByRole('img');
  await expect(ticks).toHaveAccessibleName('Delivered');
  await openGroup(bob.page, 'Climbers');
  await expect(bodies(bob.page)).toHaveText(['Hello, climbers']);
  // Bob read it, Carol has not opened the group yet.
  await expect(ticks).toHaveAccessibleName('Delivered');
  await openGroup(carol.page, 'Climbers');
  await expect(ticks).toHaveAccessibleName('Read');
  for (const person of [alice, bob, carol]) await expect(bodies(person.page)).toHaveText(['Hello, climbers']);
  await send(bob.page, 'Hi from Bob');
  for (const person of [alice, bob, carol]) await expect(bodies(person.page)).toHaveText(['Hello, climbers', 'Hi from Bob']);
  await send(carol.page, 'Carol here');
  for (const person of [alice, bob, carol]) await expect(bodies(person.page)).toHaveText(['Hello, climbers', 'Hi from Bob', 'Carol here']);
  await expect(bob.page.getByTestId('message-sender').first()).toHaveText('Alice Liddell');

  // Alice removes Carol: Carol's app says so, and nothing sent afterwards reaches her.
  await alice.page.getByTestId('group-members-panel').locator('summary').click();
  await alice.page.getByRole('button', { name: 'Remove Carol King' }).click();
  await expect(alice.page.getByTestId('group-member')).toHaveCount(2);
  await expect(carol.page.getByTestId('group-not-member')).toBeVisible();
  await expect(bob.page.getByTestId('conversation').locator('h2')).toContainText('2 members');

  await send(alice.page, 'After Carol left');
  await send(bob.page, 'Bob after too');
  for (const person of [alice, bob]) await expect(bodies(person.page)).toHaveText(['Hello, climbers', 'Hi from Bob', 'Carol here', 'After Carol left', 'Bob after too']);
  // Both later messages reached Bob, so they would have reached Carol by now had they been sent to her.
  await carol.page.waitForTimeout(500);
  await expect(bodies(carol.page)).toHaveText(['Hello, climbers', 'Hi from Bob', 'Carol here']);

  for (const person of [alice, bob, carol]) await person.context.close();
});
