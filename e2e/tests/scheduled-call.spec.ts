import { readFileSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import { expect, test } from '../support/fixtures.js';
import { groupCall } from '../support/group-calls.js';
import { onboard, openConversation, uniqueHandle } from '../support/users.js';

/** A browser context in the suite's locale and a time zone of its own. */
async function personIn(browser: Browser, timezoneId: string) {
  const context = await browser.newContext({ locale: 'en-US', timezoneId });
  return { context, page: await context.newPage() };
}

/** The wall clock at `at` in `timeZone` as a datetime-local value, computed with Intl (not the machine's zone). */
function wallClock(at: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** "10:07" of the instant in the zone, as the card's en-US 12-hour time starts. */
function clockFace(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(at)).replace(/\s?[AP]M$/, '');
}

const card = (page: Page) => page.getByTestId('scheduled-call');

test('Alice (Moscow) schedules a call in her chat with Bob (New York): Bob sees it in his zone; her cancellation reaches him', async ({ browser, system }) => {
  const alice = await personIn(browser, 'Europe/Moscow');
  const bob = await personIn(browser, 'America/New_York');
  const [aliceHandle, bobHandle] = [uniqueHandle('alice'), uniqueHandle('bob')];
  await onboard(alice.page, system, aliceHandle, 'Alice Liddell');
  await onboard(bob.page, system, bobHandle, 'Bob Dylan');

  // A few minutes ahead, to the minute: inside the join window already, nobody waits for it.
  const startsAt = Math.ceil((Date.now() + 3 * 60_000) / 60_000) * 60_000;
  const endsAt = startsAt + 30 * 60_000;

  await openConversation(alice.page, bobHandle);
  await alice.page.getByRole('button', { name: 'Chat options' }).click();
  await alice.page.getByRole('menuitem', { name: 'Schedule call' }).click();
  const form = alice.page.getByTestId('schedule-form');
  await expect(form.getByTestId('schedule-zone')).toHaveText('Times are in your time zone, Europe/Moscow (GMT+3).');
  await form.getByLabel('Title').fill('Quarterly planning');
  await form.getByLabel('Description (optional)').fill('Agenda: budget, hiring');
  await form.getByLabel('Starts').fill(wallClock(startsAt, 'Europe/Moscow'));
  await form.getByLabel('Ends').fill(wallClock(endsAt, 'Europe/Moscow'));
  await form.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(form).toHaveCount(0);
  await expect(card(alice.page)).toContainText('Quarterly planning');
  await expect(card(alice.page).getByTestId('scheduled-call-time')).toContainText(clockFace(startsAt, 'Europe/Moscow'));
  await expect(card(alice.page)).toContainText('Organized by you');

  // Bob's chat shows the card in his own zone, with Alice's time beside it.
  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
  await expect(card(bob.page)).toContainText('Quarterly planning');
  await expect(card(bob.page)).toContainText('Agenda: budget, hiring');
  const bobTime = card(bob.page).getByTestId('scheduled-call-time');
  await expect(bobTime).toContainText(clockFace(startsAt, 'America/New_York'));
  await expect(bobTime).toContainText('America/New York (GMT-');
  await expect(card(bob.page).getByTestId('scheduled-call-organizer-time')).toContainText(clockFace(startsAt, 'Europe/Moscow'));
  await expect(card(bob.page).getByTestId('scheduled-call-organizer-time')).toContainText('Europe/Moscow (GMT+3)');
  await expect(card(bob.page)).toContainText('Organized by Alice Liddell');
  await expect(card(bob.page).getByRole('button', { name: 'Edit' })).toHaveCount(0);
  // Less than five minutes before the start: Join works.
  await expect(card(bob.page).getByRole('button', { name: 'Join “Quarterly planning”' })).toBeEnabled();

  // The calendar file carries the start and end in UTC.
  const downloading = bob.page.waitForEvent('download');
  await card(bob.page).getByRole('button', { name: 'Add to calendar (.ics)' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('Quarterly-planning.ics');
  const ics = readFileSync((await download.path())!, 'utf8');
  const utc = (at: number) => new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  expect(ics).toContain(`DTSTART:${utc(startsAt)}\r\n`);
  expect(ics).toContain(`DTEND:${utc(endsAt)}\r\n`);
  expect(ics).toContain('SUMMARY:Quarterly planning\r\n');

  // Join works from both cards: the call runs on the schedule's link, under its title.
  await card(alice.page).getByRole('button', { name: 'Join “Quarterly planning”' }).click();
  await card(bob.page).getByRole('button', { name: 'Join “Quarterly planning”' }).click();
  for (const person of [alice, bob]) {
    await expect(groupCall(person.page)).toHaveAttribute('data-phase', 'active', { timeout: 30_000 });
    await expect(groupCall(person.page).getByTestId('group-call-title')).toHaveText('Group call: Quarterly planning');
    await expect(person.page.getByTestId('group-call-count')).toContainText('2 participants', { timeout: 20_000 });
  }
  for (const person of [alice, bob]) {
    await groupCall(person.page).getByRole('button', { name: 'Leave' }).click();
    await groupCall(person.page).getByRole('button', { name: 'OK' }).click();
  }

  // Alice cancels: Bob's card says so, and Join is gone.
  await card(alice.page).getByRole('button', { name: 'Cancel call' }).click();
  await alice.page.getByRole('button', { name: 'Yes, cancel it' }).click();
  await expect(card(alice.page)).toHaveAttribute('data-status', 'cancelled');
  await expect(card(bob.page)).toHaveAttribute('data-status', 'cancelled');
  await expect(card(bob.page)).toContainText('This call was cancelled.');
  await expect(card(bob.page).getByRole('button', { name: /^Join/ })).toHaveCount(0);

  // Kept on Bob's device: after a reload the cancelled card is still there.
  await bob.page.reload();
  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
  await expect(card(bob.page)).toHaveAttribute('data-status', 'cancelled');
  await expect(card(bob.page)).toContainText('Quarterly planning');

  for (const person of [alice, bob]) await person.context.close();
});
