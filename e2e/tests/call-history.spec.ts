/**
 * The call history (issue 19) across a user's devices: Alice has two browsers (the second linked
 * with a code), Bob calls her, and she calls him back from the Calls view. Every call is kept in
 * each device's database and synced between Alice's devices over Signal, so after a reload both
 * list every call in order, with durations, the missed one marked missed on both, and a call her
 * laptop took shows on her first browser as answered on another device. Bob's ring is shortened
 * (a test build's `parleyRingTimeoutMs`), so the unanswered call is missed in seconds.
 */
import type { Browser, Page } from '@playwright/test';
import { type CallPerson, callPanel as panel, callPerson as person, ring } from '../support/calls.js';
import { seriousViolationsOn } from '../support/axe.js';
import { expect, test } from '../support/fixtures.js';
import { linkWithTypedCode, newPerson, showLinkCode } from '../support/users.js';

/** How long Bob's calls ring before he gives up: long enough for a click, short enough for a test. */
const BOB_RING_MS = 8_000;

type System = Parameters<typeof person>[1];

/** Links a new browser to `owner`'s account with the code Settings shows, as chat.spec.ts does. */
async function linkSecondBrowser(browser: Browser, system: System, owner: CallPerson): Promise<CallPerson> {
  const { settings, code } = await showLinkCode(owner.page);
  const { context, page } = await newPerson(browser);
  await linkWithTypedCode(page, system.addresses.shell, code);
  await expect(settings.getByTestId('link-done')).toBeVisible({ timeout: 15_000 });
  await settings.getByRole('button', { name: 'Close settings' }).click();
  await expect(page.getByTestId('call-app')).toBeAttached();
  return { context, page, handle: owner.handle, name: owner.name };
}

const callsButton = (page: Page) => page.getByRole('button', { name: /^Calls/ });
const historyEntries = (page: Page) => page.getByTestId('call-history-entry');

/** Bob rings both of Alice's browsers. */
async function bobRingsAlice(bob: CallPerson, alice: CallPerson, laptop: CallPerson): Promise<void> {
  await ring(bob, alice, 'Voice call');
  await expect(panel(laptop.page)).toHaveAttribute('data-phase', 'incoming', { timeout: 20_000 });
}

/** Every browser's call panel shows the call over, with these outcomes; each summary is then closed (OK). */
async function expectOutcomes(outcomes: [CallPerson, string][]): Promise<void> {
  for (const [who, outcome] of outcomes) await expect(panel(who.page)).toHaveAttribute('data-outcome', outcome, { timeout: 20_000 });
  for (const [who] of outcomes) {
    await panel(who.page).getByRole('button', { name: 'OK' }).click();
    await expect(panel(who.page)).toHaveCount(0);
  }
}

test('every call is listed on both of a user’s devices after a reload, in order, with durations; the missed call is missed on both', async ({ browser, system }) => {
  test.setTimeout(240_000);
  const alice = await person(browser, system, 'Alice Liddell');
  const bob = await person(browser, system, 'Bob Dylan', (context) => context.addInitScript((ms) => Object.assign(window, { parleyRingTimeoutMs: ms }), BOB_RING_MS));
  const laptop = await linkSecondBrowser(browser, system, alice);

  // Declined on Alice's first browser: her laptop stops ringing, and both have it as declined.
  await bobRingsAlice(bob, alice, laptop);
  await alice.page.getByRole('button', { name: 'Decline' }).click();
  await expectOutcomes([[bob, 'declined'], [alice, 'declined'], [laptop, 'declined']]);

  // Nobody answers: Bob's ring runs out, and it is missed on both of Alice's browsers.
  await bobRingsAlice(bob, alice, laptop);
  await expectOutcomes([[bob, 'missed'], [alice, 'missed'], [laptop, 'missed']]);

  // The laptop answers: the first browser stops ringing (answered on another device).
  await bobRingsAlice(bob, alice, laptop);
  await laptop.page.getByRole('button', { name: 'Accept' }).click();
  for (const who of [bob, laptop]) await expect(panel(who.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await expectOutcomes([[alice, 'answered-elsewhere']]);
  await bob.page.waitForTimeout(2_000);
  await bob.page.getByRole('button', { name: 'Hang up' }).click();
  await expectOutcomes([[bob, 'hung-up'], [laptop, 'hung-up']]);

  // One missed call not seen yet, on both browsers, also after a reload (kept in each device's database).
  for (const device of [alice, laptop]) {
    await device.page.reload();
    await expect(callsButton(device.page)).toHaveAccessibleName('Calls, 1 missed', { timeout: 20_000 });
    await expect(device.page.getByTestId('conversation-item').filter({ hasText: 'Bob Dylan' }).getByTestId('conversation-missed-calls')).toHaveAccessibleName('1 missed call');
  }

  // Opening the Calls view on the first browser clears the badge there and on the laptop.
  await callsButton(alice.page).click();
  await expect(callsButton(alice.page)).toHaveAccessibleName('Calls');
  await expect(callsButton(laptop.page)).toHaveAccessibleName('Calls', { timeout: 20_000 });

  // Alice calls Bob back from the Calls view; they talk a few seconds.
  await expect(historyEntries(alice.page)).toHaveCount(3, { timeout: 20_000 });
  await historyEntries(alice.page).first().getByRole('button', { name: 'Call back (voice)' }).click();
  await expect(panel(bob.page)).toHaveAttribute('data-phase', 'incoming', { timeout: 20_000 });
  await bob.page.getByRole('button', { name: 'Accept' }).click();
  for (const who of [alice, bob]) await expect(panel(who.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await alice.page.waitForTimeout(2_000);
  await alice.page.getByRole('button', { name: 'Hang up' }).click();
  await expectOutcomes([[alice, 'hung-up'], [bob, 'hung-up']]);
  // The laptop hears of the call from the first browser (a reload in the same instant could cut that short).
  await callsButton(laptop.page).click();
  await expect(historyEntries(laptop.page)).toHaveCount(4, { timeout: 20_000 });

  // After a reload, both browsers list the four calls, newest first; the missed one is marked on both.
  const duration = /0:0[1-9]/;
  const expected = {
    alice: [`Outgoing voice call · ${duration.source}`, `Voice call answered on another device · ${duration.source}`, 'Missed voice call', 'You declined the voice call'],
    laptop: [`Outgoing voice call · ${duration.source}`, `Incoming voice call · ${duration.source}`, 'Missed voice call', 'You declined the voice call'],
  };
  for (const [device, lines] of [
    [alice, expected.alice],
    [laptop, expected.laptop],
  ] as const) {
    await device.page.reload();
    await expect(device.page.getByTestId('chat-app')).toBeVisible({ timeout: 20_000 });
    const button = callsButton(device.page);
    if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
    await expect(historyEntries(device.page)).toHaveText(lines.map((line) => new RegExp(`Bob Dylan.*${line}`)), { timeout: 20_000 });
    await expect(historyEntries(device.page).nth(2)).toHaveAttribute('data-missed', 'true');
    await expect(device.page.locator('[data-testid="call-history-entry"][data-missed]')).toHaveCount(1);
    expect(await seriousViolationsOn(device.page, 'calls view', '[data-testid="chat-app"]')).toEqual([]);
  }
  await alice.page.screenshot({ path: test.info().outputPath('calls-view.png') });
  for (const who of [alice, laptop, bob]) await who.context.close();
});
