/**
 * The call app's interface (issue 15) in Chromium, on its browser test pages (no accounts or server):
 * the incoming-call dialog (modal, focused, keyboard shortcuts), the 1:1 call stage (fills its area,
 * movable self view, settings behind "More", the floating call bar), a phone-sized window, and the
 * group call stage with 2, 9 and 32 participants at 1280×800; and, through the real system, a
 * group call of eight real participants (one browser and seven bots through Janus,
 * e2e/support/group-call-bots.ts), the "Call links" dialog and a call-link guest's join screen.
 * Each screen passes an axe audit with no serious or critical violation in the light and the dark
 * theme. The call lab (apps/call/src/testing/call-lab.tsx) runs two real call apps; the group stage
 * lab (group-stage-lab.tsx) renders the real group stage over a stand-in store whose participants
 * are canvases: the media of real group calls is group-call.spec.ts's job.
 */
import type { Browser, Page } from '@playwright/test';
import { type ServedLab, buildCallLab } from '../fixtures/call-lab-build.js';
import { seriousViolationsOn } from '../support/axe.js';
import { callPerson } from '../support/calls.js';
import { makeLink } from '../support/call-links.js';
import { expect, test } from '../support/fixtures.js';
import { BOT_PEOPLE, eightPersonCall } from '../support/group-call-bots.js';
import { newPerson, onboard } from '../support/users.js';

// Reduced motion: a video stage's controls then never fade while nothing moves (idle-controls.ts).
// Otherwise, in a long audit, the fade can start between the settled-transitions wait and axe's
// reading, and half-faded text fails contrast (seen once in CI on the 8-person call, dark pass).
test.use({ reducedMotion: 'reduce' });

let callLab: ServedLab;
let stageLab: ServedLab;

test.beforeAll(async () => {
  callLab = await buildCallLab('src/testing/call-lab.tsx');
  stageLab = await buildCallLab('src/testing/group-stage-lab.tsx');
});

test.afterAll(async () => {
  await callLab?.close();
  await stageLab?.close();
});

type Who = 'alice' | 'bob';
const call = (page: Page, from: Who, media: 'audio' | 'video') =>
  page.evaluate(([f, m]) => (window as unknown as { callLab: { call(f: string, m: string): void } }).callLab.call(f!, m!), [from, media]);

/**
 * Serious and critical axe violations on the page (or inside `include`), audited in the light and
 * then the dark theme (the OS setting every app follows), as readable lines; `screen` names it in
 * the printed tally. Leaves the page light.
 */
async function seriousViolations(page: Page, screen: string, include?: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    // Colours change with a short transition: audit the settled ones.
    await page.waitForFunction(() => document.getAnimations().every((animation) => !(animation instanceof CSSTransition) || animation.playState !== 'running'));
    for (const line of await seriousViolationsOn(page, `${screen} (${colorScheme})`, include)) found.push(`${colorScheme}: ${line}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

async function openCallLab(page: Page, query = '') {
  page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
  await page.goto(`${callLab.origin}/?locale=en-US${query}`);
  await expect(page).toHaveTitle('call lab ready');
  return { alice: page.locator('#alice'), bob: page.locator('#bob') };
}

test('incoming call: a focused modal dialog over everything, Escape declines, Enter accepts; no serious axe violation', async ({ page }) => {
  const { alice, bob } = await openCallLab(page, '&modal=1');
  await call(page, 'alice', 'video');
  const dialog = page.getByRole('dialog', { name: 'Alice is calling' });
  await expect(dialog).toBeVisible();
  // In the top layer, with the rest of the page inert.
  expect(await dialog.evaluate((element) => element.matches(':modal'))).toBe(true);
  await expect(dialog.getByRole('button', { name: 'Accept' })).toBeFocused();
  await expect(dialog).toContainText('Video call');
  await expect(dialog).toContainText('Enter accepts, Escape declines');
  expect(await seriousViolations(page, 'incoming call dialog', '#bob')).toEqual([]);

  await page.keyboard.press('Escape');
  await expect(bob.getByTestId('call-panel')).toHaveAttribute('data-outcome', 'declined');
  // The decliner's own screen says it was them.
  await expect(bob.getByTestId('call-title')).toHaveText('You declined the call');
  await expect(alice.getByTestId('call-title')).toHaveText('Bob declined the call');
  // Ended calls close by themselves; OK closes them at once.
  await alice.getByRole('button', { name: 'OK' }).click();
  await bob.getByRole('button', { name: 'OK' }).click();

  await call(page, 'alice', 'audio');
  await expect(page.getByRole('dialog', { name: 'Alice is calling' })).toContainText('Voice call');
  await page.keyboard.press('Enter');
  await expect(bob.getByTestId('call-panel')).toHaveAttribute('data-phase', 'active');
});

test('1:1 video call stage: fills its area, self view moves by keyboard, settings behind More, floating call bar; no serious axe violation', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const { alice, bob } = await openCallLab(page);
  await call(page, 'alice', 'video');
  await bob.getByRole('button', { name: 'Accept' }).click();
  await expect(bob.getByTestId('call-panel')).toHaveAttribute('data-phase', 'active');
  await expect(bob.getByTestId('call-elapsed')).toBeVisible();

  // The stage fills the side it is given.
  const host = (await bob.boundingBox())!;
  const stage = (await bob.getByTestId('call-panel').boundingBox())!;
  expect(stage.width).toBeGreaterThan(host.width - 20);
  expect(stage.height).toBeGreaterThan(host.height - 20);

  // A bar of round buttons with names; Hang up is there once.
  const bar = bob.getByRole('toolbar', { name: 'Call controls' });
  for (const name of ['Mute', 'Camera', 'Share screen', 'More', 'Back to chat', 'Hang up']) await expect(bar.getByRole('button', { name, exact: true })).toBeVisible();

  // The self view moves from corner to corner with the arrow keys.
  const selfView = bob.getByRole('group', { name: 'Your camera (movable)' });
  await expect(selfView).toHaveAttribute('data-corner', 'bottom-right');
  await selfView.focus();
  await page.keyboard.press('ArrowUp');
  await expect(selfView).toHaveAttribute('data-corner', 'top-right');
  await page.keyboard.press('ArrowLeft');
  await expect(selfView).toHaveAttribute('data-corner', 'top-left');

  // More opens the settings sheet; Escape closes it and gives the focus back.
  const more = bar.getByRole('button', { name: 'More' });
  await more.click();
  await expect(more).toHaveAttribute('aria-expanded', 'true');
  const sheet = bob.getByRole('dialog', { name: 'Call settings' });
  await expect(sheet.getByRole('combobox', { name: 'Microphone' })).toBeVisible();
  await expect(sheet.getByText('Statistics')).toBeVisible();
  expect(await seriousViolations(page, '1:1 call with the settings sheet', '#bob')).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);
  await expect(more).toBeFocused();

  // Mute and Camera read alike: pressed means off.
  await bar.getByRole('button', { name: 'Mute' }).click();
  await expect(bar.getByRole('button', { name: 'Mute' })).toHaveAttribute('aria-pressed', 'true');
  await bar.getByRole('button', { name: 'Camera', exact: true }).click();
  await expect(bar.getByRole('button', { name: 'Camera', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(alice.getByTestId('peer-camera-off')).toHaveText("Bob's camera is off", { timeout: 10_000 });

  // Back to chat: a floating bar with the call's essentials; the call keeps running.
  await bar.getByRole('button', { name: 'Back to chat' }).click();
  const mini = bob.getByRole('complementary', { name: 'Ongoing call with Alice' });
  await expect(mini).toBeVisible();
  await expect(mini.getByRole('timer')).toHaveText(/^\d+:\d\d$/);
  await expect(mini.getByRole('button', { name: 'Mute' })).toHaveAttribute('aria-pressed', 'true');
  await expect(bob.getByRole('toolbar', { name: 'Call controls' })).toBeHidden();
  expect(await seriousViolations(page, 'floating call bar', '#bob')).toEqual([]);
  await mini.getByRole('button', { name: 'Return to call' }).click();
  await expect(bob.getByRole('toolbar', { name: 'Call controls' })).toBeVisible();
  await expect(mini).toHaveCount(0);
  await bob.getByRole('button', { name: 'Hang up' }).click();
  await expect(bob.getByTestId('call-panel')).toHaveAttribute('data-outcome', 'hung-up');
  await expect(bob.getByRole('button', { name: 'OK' })).toBeVisible();
});

test('a phone-sized window: the incoming call and the call are full screen, nothing scrolls sideways', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const { bob } = await openCallLab(page, '&full=bob&modal=1');
  await call(page, 'alice', 'video');
  await expect(page.getByRole('dialog', { name: 'Alice is calling' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(bob.getByTestId('call-panel')).toHaveAttribute('data-phase', 'active');
  const stage = (await bob.getByTestId('call-panel').boundingBox())!;
  expect([stage.x, stage.y, stage.width, stage.height]).toEqual([0, 0, 390, 844]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  for (const name of ['Mute', 'Camera', 'Share screen', 'More', 'Hang up']) {
    const box = (await bob.getByRole('button', { name, exact: true }).boundingBox())!;
    expect(box.x + box.width, name).toBeLessThanOrEqual(390);
  }
  expect(await seriousViolations(page, 'phone-sized call', '#bob')).toEqual([]);
});

/** A 1280×800 page of its own for `use`, closed after (reduced motion, as the spec's `test.use`). */
async function page1280(browser: Browser, use: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  try {
    await use(await context.newPage());
  } finally {
    await context.close();
  }
}

/** Every tile's box inside the stage's area, and whether anything in the stage scrolls. */
async function stageGeometry(page: Page) {
  return page.evaluate(() => {
    const area = document.querySelector('[data-testid="group-call-area"]')!.getBoundingClientRect();
    const stage = document.querySelector('[data-testid="group-call-stage"]') as HTMLElement;
    const tiles = Array.from(document.querySelectorAll('[data-testid="group-call-tile"], [data-testid="group-call-spotlight"]')).map((tile) => tile.getBoundingClientRect());
    const outside = tiles.filter((t) => t.left < area.left - 0.5 || t.top < area.top - 0.5 || t.right > area.right + 0.5 || t.bottom > area.bottom + 0.5 || t.width < 40);
    const scrolls = [stage, ...Array.from(stage.querySelectorAll('*'))].some((element) => {
      const style = getComputedStyle(element);
      const scrollable = /auto|scroll/.test(style.overflowX + style.overflowY);
      return (scrollable || element === stage) && (element.scrollHeight > element.clientHeight + 1 || element.scrollWidth > element.clientWidth + 1) && !element.closest('details:not([open])');
    });
    const page = document.documentElement.scrollHeight > innerHeight || document.documentElement.scrollWidth > innerWidth;
    return { tiles: tiles.length, outside: outside.length, scrolls, page };
  });
}

for (const participants of [2, 9, 32]) {
  test(`the group call stage at 1280×800 with ${participants} participants: no tile outside the stage, no scrollbar, in spotlight and grid`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
    await page.goto(`${stageLab.origin}/?n=${participants}`);
    await expect(page).toHaveTitle('group stage lab ready');
    await expect(page.getByTestId('group-call-count')).toContainText(`${participants} participants`);
    // Spotlight: one large, the others as thumbnails (paged by 9).
    await expect(page.getByTestId('group-call-spotlight')).toHaveCount(1);
    await expect.poll(() => stageGeometry(page)).toEqual({ tiles: Math.min(participants - 1, 10), outside: 0, scrolls: false, page: false });
    // Grid: everyone else at once, fitted to the stage.
    await page.getByRole('button', { name: 'Grid view' }).click();
    await expect(page.getByRole('button', { name: 'Grid view' })).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(() => stageGeometry(page)).toEqual({ tiles: participants - 1, outside: 0, scrolls: false, page: false });
    // Names and mute marks on the tiles; the speaker is highlighted.
    await expect(page.getByTestId('group-call-tile').filter({ hasText: 'Bob Dylan 1' })).toHaveAttribute('data-talking', 'true');
    if (participants >= 3) await expect(page.getByTestId('group-call-tile').nth(1).getByRole('img', { name: 'Muted' })).toBeVisible();
    if (participants === 9) expect(await seriousViolations(page, 'group stage lab, 9 tiles')).toEqual([]);
  });
}

test('a group call of eight real participants through Janus (one browser, seven bots): every tile inside the stage, no scrollbar; no serious axe violation, light and dark', async ({ browser, system }) => {
  test.setTimeout(180_000);
  await page1280(browser, async (page) => {
    await onboard(page, system, 'alice', 'Alice Liddell');
    const call = await eightPersonCall(browser, system, page);
    try {
      await expect(page.getByTestId('group-call-count')).toContainText('8 participants');
      // Names on the tiles, in the order the others joined; the people list names all eight.
      await expect(page.getByTestId('group-call-tile').locator('.group-call__name')).toHaveText(BOT_PEOPLE.map((person) => person.displayName));
      const people = page.getByTestId('group-call-participants');
      await people.locator('summary').click();
      await expect(people.getByTestId('group-call-participant')).toHaveCount(8);
      expect(await seriousViolations(page, 'group call of 8, people list open')).toEqual([]);
      await people.locator('summary').click();
      await expect.poll(() => stageGeometry(page)).toEqual({ tiles: 7, outside: 0, scrolls: false, page: false });
      // The people list is in the stage's top row, over no tile.
      const pill = (await people.locator('summary').boundingBox())!;
      const area = (await page.getByTestId('group-call-area').boundingBox())!;
      expect(pill.y + pill.height).toBeLessThanOrEqual(area.y);
      expect(await seriousViolations(page, 'group call of 8, grid')).toEqual([]);
    } finally {
      await call.stop();
    }
  });
});

test('the group call stage at 1280×800 while someone shares a screen: the screen is the spotlight, the presenter\'s camera a thumbnail, nothing outside the stage', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${stageLab.origin}/?n=9&presenter=1`);
  await expect(page).toHaveTitle('group stage lab ready');
  const spotlight = page.getByTestId('group-call-spotlight');
  await expect(spotlight).toHaveAttribute('data-source', 'screen');
  await expect(spotlight.getByLabel("Bob Dylan 1's screen")).toBeVisible();
  await expect(page.getByTestId('group-call-tile').filter({ hasText: 'Bob Dylan 1' })).toHaveCount(1);
  await expect(page.getByRole('status').filter({ hasText: 'Bob Dylan 1 is sharing their screen' })).toHaveCount(1);
  await expect.poll(() => stageGeometry(page)).toEqual({ tiles: 9, outside: 0, scrolls: false, page: false });
  expect(await seriousViolations(page, 'group stage lab, someone presenting')).toEqual([]);
});

test('the "Call links" dialog and a call-link guest\'s join screen: no serious axe violation, light and dark', async ({ browser, system }) => {
  test.setTimeout(120_000);
  const alice = await callPerson(browser, system, 'Alice Liddell');
  const url = await makeLink(alice.page, 'Book club', true);
  expect(await seriousViolations(alice.page, 'call links dialog', '[data-testid="call-links"]')).toEqual([]);

  // Someone without an account opens the link: the guest join screen, the call alone.
  const guest = await newPerson(browser);
  await guest.page.goto(url);
  await expect(guest.page.getByTestId('guest-join').getByLabel('Your name')).toBeVisible();
  expect(await seriousViolations(guest.page, 'guest join')).toEqual([]);

  await guest.context.close();
  await alice.context.close();
});
