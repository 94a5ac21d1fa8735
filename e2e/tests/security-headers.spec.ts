/**
 * The whole app under its security headers (hardening, issue 21): every origin sends a strict
 * Content-Security-Policy (script only from the shell and the remote origins, workers only from
 * blobs, no inline script), and chat, a 1:1 call, a group call and a call link still work. Any CSP
 * violation on any page — a `securitypolicyviolation` event or Chromium's console report — fails it.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { type CallPerson, callPerson, connect } from '../support/calls.js';
import { expect, test } from '../support/fixtures.js';
import { createGroup, groupCall, groupMediaStats, joinFromRing } from '../support/group-calls.js';
import { expectEncryptedMedia } from '../support/sframe-wire.js';
import { openCallLinks } from '../support/call-links.js';
import { openConversation } from '../support/users.js';

/** What the pages of one test reported as blocked by the policy. */
const violations: string[] = [];

/** Records every CSP violation in `context`'s pages (events, and console reports of pages and workers). */
async function watchPolicy(context: BrowserContext): Promise<void> {
  // Init scripts are injected by the browser's debugging protocol, which the policy does not govern.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`[csp-violation] ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} in ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  const report = (text: string) => {
    if (/csp-violation|Content Security Policy|Refused to (load|execute|connect|create|apply|frame)/i.test(text)) violations.push(text);
  };
  const watchPage = (page: Page) => {
    page.on('console', (message) => report(message.text()));
    page.on('worker', (worker) => worker.on('console', (message) => report(message.text())));
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
}

test.beforeEach(() => {
  violations.length = 0;
});
test.afterEach(() => {
  expect(violations, 'no page ran into the Content-Security-Policy').toEqual([]);
});

test('under the policy: two people register, chat, and a 1:1 video call connects with SFrame media', async ({ browser, system }) => {
  const alice = await callPerson(browser, system, 'Alice Liddell', watchPolicy);
  const bob = await callPerson(browser, system, 'Bob Dylan', watchPolicy);
  const shell = await alice.page.request.get(system.addresses.shell);
  expect(shell.headers()['content-security-policy']).toContain('worker-src blob:');

  await openConversation(alice.page, bob.handle);
  await alice.page.getByRole('textbox', { name: 'Message' }).fill('Under a strict policy');
  await alice.page.getByRole('textbox', { name: 'Message' }).press('Enter');
  await openConversation(bob.page, alice.handle);
  await expect(bob.page.getByTestId('conversation')).toContainText('Under a strict policy', { timeout: 20_000 });

  await connect(alice, bob, 'Video call');
  const decoded = (page: Page) => page.getByTestId('remote-video').evaluate((video: HTMLVideoElement) => video.getVideoPlaybackQuality().totalVideoFrames);
  await expect.poll(() => decoded(alice.page), { timeout: 15_000 }).toBeGreaterThan(10);
  await expect.poll(() => decoded(bob.page), { timeout: 15_000 }).toBeGreaterThan(10);
  await expectEncryptedMedia([alice, bob], ['audio', 'video']);
  await alice.page.getByRole('button', { name: 'Hang up' }).click();
  for (const person of [alice, bob]) await person.context.close();
});

test('under the policy: a group call through Janus and a call link work', async ({ browser, system }) => {
  test.setTimeout(180_000);
  const people: CallPerson[] = [];
  for (const name of ['Alice Liddell', 'Bob Dylan']) people.push(await callPerson(browser, system, name, watchPolicy));
  const [alice, bob] = people as [CallPerson, CallPerson];
  await createGroup(people, 'Policy readers');
  await alice.page.getByRole('button', { name: 'Start group call' }).click();
  await expect(groupCall(alice.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await joinFromRing(bob);
  for (const person of people) {
    await expect.poll(async () => (await groupMediaStats(person.page)).videoFrames.filter((n) => n > 10).length, { timeout: 45_000 }).toBeGreaterThanOrEqual(1);
  }
  for (const person of people) await groupCall(person.page).getByRole('button', { name: 'Leave' }).click();

  // A call link: made in Alice's browser, opened by Bob.
  const panel = await openCallLinks(alice.page);
  const form = panel.getByRole('form', { name: 'New call link' });
  await form.getByLabel('Call name (optional)').fill('Open house');
  await form.getByRole('button', { name: 'Create link' }).click();
  const url = await panel.getByTestId('call-link').filter({ hasText: 'Open house' }).getByTestId('call-link-url').inputValue();
  await panel.getByTestId('call-link').filter({ hasText: 'Open house' }).getByRole('button', { name: 'Join' }).click();
  await expect(groupCall(alice.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await bob.page.goto(url);
  await expect(groupCall(bob.page)).toHaveAttribute('data-phase', 'active', { timeout: 30_000 });
  await expect(alice.page.getByTestId('group-call-count')).toContainText('2 participants', { timeout: 20_000 });
  for (const person of people) await person.context.close();
});
