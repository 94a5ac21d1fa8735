/**
 * Integrity of what a remote loads on demand (issue 20). The chat's schedule form (with the content
 * schemas it needs) is a lazily loaded chunk of the chat release, off the conversation list's path;
 * the browser checks it against the sha384 the chat's build wrote into its runtime, which the chat's
 * entry carries, whose own sha384 comes from the signed manifest. Here that chunk is changed on its
 * way to the browser: it is refused, the form's place says so, none of its code runs, and the chat
 * around it keeps working. Untouched, the form opens.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Route } from '@playwright/test';
import { expect, test } from '../support/fixtures.js';
import { type RunningSystem, distOf } from '../support/system.js';
import { onboard, openConversation, uniqueHandle } from '../support/users.js';

const REFUSED = 'This part of Parley could not be loaded, or was not the code this version was built with. Reload the page.';

/** The chat's lazily loaded chunk that holds the schedule form (its fields' test ids are in no other chunk). */
function scheduleFormChunk(): string {
  const asyncDir = join(distOf('chat'), 'static', 'js', 'async');
  const found = readdirSync(asyncDir).filter((name) => name.endsWith('.js') && readFileSync(join(asyncDir, name), 'utf8').includes('schedule-zone'));
  expect(found).toHaveLength(1);
  return `**/static/js/async/${found[0]}`;
}

async function openScheduleForm(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Chat options' }).click();
  await page.getByRole('menuitem', { name: 'Schedule call' }).click();
}

/**
 * Bob signs up; Alice, whose browser gets the schedule form's chunk through `serve`, signs up and
 * opens her conversation with him. Resolves to both pages and how often the chunk was served.
 */
async function aliceTalkingToBob(browser: Browser, system: RunningSystem, serve: (route: Route) => Promise<void>) {
  const [aliceHandle, bobHandle] = [uniqueHandle('alice'), uniqueHandle('bob')];
  const bob = await browser.newPage({ locale: 'en-US' });
  await onboard(bob, system, bobHandle, 'Bob Dylan');
  const alice = await browser.newPage({ locale: 'en-US' });
  const chunk = { served: 0 };
  await alice.route(scheduleFormChunk(), async (route) => {
    chunk.served += 1;
    await serve(route);
  });
  await onboard(alice, system, aliceHandle, 'Alice Liddell');
  await openConversation(alice, bobHandle);
  return { alice, bob, chunk };
}

test('a lazily loaded chat chunk changed in transit is refused: the form says so, its code never ran, the chat keeps working', async ({ browser, system }) => {
  const { alice, bob, chunk } = await aliceTalkingToBob(browser, system, async (route) => {
    const genuine = await route.fetch();
    await route.fulfill({ response: genuine, body: `${await genuine.text()}\n;globalThis.__tamperedChunk = true;\n` });
  });
  // The conversation needed none of it.
  expect(chunk.served).toBe(0);

  await openScheduleForm(alice);
  await expect(alice.getByTestId('scheduled-calls').getByRole('alert')).toHaveText(REFUSED);
  expect(chunk.served).toBeGreaterThan(0);
  expect(await alice.evaluate(() => (globalThis as { __tamperedChunk?: boolean }).__tamperedChunk ?? false)).toBe(false);
  await expect(alice.getByTestId('schedule-form')).toHaveCount(0);
  // The rest of the chat is still there and works.
  await expect(alice.getByTestId('chat-crashed')).toHaveCount(0);
  await alice.getByRole('textbox', { name: 'Message' }).fill('still here');
  await alice.getByRole('button', { name: 'Send' }).click();
  await expect(alice.getByTestId('conversation').getByText('still here')).toBeVisible();
  await Promise.all([alice.close(), bob.close()]);
});

test('positive control: the same chunk passed through untouched opens the schedule form', async ({ browser, system }) => {
  const { alice, bob, chunk } = await aliceTalkingToBob(browser, system, async (route) => route.fulfill({ response: await route.fetch() }));
  await openScheduleForm(alice);
  await expect(alice.getByTestId('schedule-form').getByLabel('Title')).toBeEditable();
  expect(chunk.served).toBeGreaterThan(0);
  await Promise.all([alice.close(), bob.close()]);
});
