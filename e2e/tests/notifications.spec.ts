/**
 * Notifications while the tab is in the background (issue 19): with the permission, an incoming
 * call and a new message each raise exactly one system notification, shown by the shell's service
 * worker (read back with `registration.getNotifications()`); a click on the message's opens the
 * conversation, a click on the call's leaves the ringing screen up with Accept. Without the
 * permission nothing is asked on load and nothing is shown, while the tab's title still counts.
 *
 * "In the background": Playwright's Chromium keeps every page visible and focused (focus emulation
 * holds `document.visibilityState` at 'visible' whatever is in front, headless or not). This spec
 * switches focus emulation off for the page (CDP `Emulation.setFocusEmulationEnabled`) and opens
 * another tab in front of it in the same window (CDP `Target.createTarget`): the page's window then
 * loses the focus (`document.hasFocus()` false), which the shell treats as "not looked at", as it
 * treats a hidden document. `visibilityState` stays 'visible' there: nothing found makes it 'hidden'
 * (bringToFront, a second tab, minimising the window; headless or on Xvfb).
 *
 * The click: no CDP command clicks a system notification, so the spec dispatches a real
 * `notificationclick` event in the worker's scope (`context.serviceWorkers()`), with the
 * notification the worker itself returns. Such an event is not trusted: the worker may not focus
 * the tab, so the spec brings it forward itself; everything else runs as for a person's click.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { callPanel } from '../support/calls.js';
import { expect, test } from '../support/fixtures.js';
import { newPerson, onboard, openConversation, uniqueHandle } from '../support/users.js';

interface ShownNotification {
  readonly title: string;
  readonly body: string;
  readonly tag: string;
}

/** What the shell's service worker shows now (the system's list, not the page's bookkeeping). */
function shownNotifications(page: Page): Promise<ShownNotification[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration('/');
    const shown = (await registration?.getNotifications()) ?? [];
    return shown.map(({ title, body, tag }) => ({ title, body, tag }));
  });
}

/** Puts `page` behind another tab of its window, without the focus (see the header). */
async function sendToBackground(browser: Browser, page: Page): Promise<void> {
  const session = await page.context().newCDPSession(page);
  await session.send('Emulation.setFocusEmulationEnabled', { enabled: false });
  const { targetInfo } = await session.send('Target.getTargetInfo');
  const browserSession = await browser.newBrowserCDPSession();
  await browserSession.send('Target.createTarget', { url: 'about:blank', newWindow: false, background: false, browserContextId: targetInfo.browserContextId });
  await expect.poll(() => page.evaluate(() => document.hasFocus())).toBe(false);
}

/** Dispatches `notificationclick` in the worker's scope for the notification tagged `tagPrefix…`. */
async function clickNotification(context: BrowserContext, tagPrefix: string): Promise<void> {
  const [worker] = context.serviceWorkers();
  expect(worker, 'the notification worker runs').toBeDefined();
  const clicked = await worker!.evaluate(async (prefix) => {
    // The worker's global scope (this project's types know only windows).
    const scope = self as unknown as {
      registration: ServiceWorkerRegistration;
      dispatchEvent(event: Event): boolean;
      NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
    };
    const notification = (await scope.registration.getNotifications()).find((n) => n.tag.startsWith(prefix));
    if (!notification) return false;
    scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification }));
    return true;
  }, tagPrefix);
  expect(clicked, `a notification tagged ${tagPrefix}… was there to click`).toBe(true);
}

/** Records CSP reports of the page: the worker's registration must pass the shell's policy. */
function watchPolicy(page: Page): string[] {
  const reports: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) reports.push(message.text());
  });
  return reports;
}

test('in the background, a message and an incoming call each raise one notification; clicks open the conversation and the ringing screen', async ({ browser, system }) => {
  test.setTimeout(120_000);
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  await bob.context.grantPermissions(['notifications'], { origin: system.addresses.shell });
  const policyReports = watchPolicy(bob.page);
  const aliceHandle = uniqueHandle('alice');
  const bobHandle = uniqueHandle('bob');
  await onboard(alice.page, system, aliceHandle, 'Alice Liddell');
  await onboard(bob.page, system, bobHandle, 'Bob Dylan');

  // Permission given earlier: Settings says so, and the worker is up without anyone asking again.
  await bob.page.getByRole('button', { name: 'Settings' }).click();
  const settings = bob.page.getByTestId('notifications-settings');
  await expect(settings.getByRole('heading', { name: 'Notifications' })).toBeVisible();
  await expect(settings.getByRole('status')).toHaveText('Notifications are on.');
  await expect(settings.getByRole('checkbox', { name: 'Show message text' })).toBeChecked();
  await bob.page.keyboard.press('Escape');
  await expect.poll(() => bob.page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/'))?.active?.scriptURL ?? null)).toMatch(/\/notifications-sw\.js$/);

  // Served from the shell's origin as a script that is always revalidated, named by the policy.
  const worker = await bob.page.request.get(`${system.addresses.shell}/notifications-sw.js`);
  expect(worker.headers()['content-type']).toBe('text/javascript; charset=utf-8');
  expect(worker.headers()['cache-control']).toBe('no-cache');
  expect(worker.headers()['content-security-policy']).toContain(`${system.addresses.shell}/notifications-sw.js`);
  expect(await worker.text()).not.toMatch(/addEventListener\(\s*['"]fetch/);

  await sendToBackground(browser, bob.page);

  // A message: one notification, the sender and the text; the tab's title counts it.
  await openConversation(alice.page, bobHandle);
  await alice.page.getByRole('textbox', { name: 'Message' }).fill('Tea at five?');
  await alice.page.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect.poll(() => shownNotifications(bob.page), { timeout: 20_000 }).toHaveLength(1);
  const [message] = await shownNotifications(bob.page);
  expect(message).toEqual({ title: 'Alice Liddell', body: 'Alice Liddell: Tea at five?', tag: expect.stringMatching(/^conversation:/) });
  await expect(bob.page).toHaveTitle('(1) Parley');

  // A call: one more notification, the caller and the kind of call.
  await alice.page.getByRole('button', { name: 'Voice call' }).click();
  await expect(callPanel(bob.page)).toHaveAttribute('data-phase', 'incoming', { timeout: 20_000 });
  await expect.poll(() => shownNotifications(bob.page), { timeout: 10_000 }).toHaveLength(2);
  const call = (await shownNotifications(bob.page)).find((n) => n.tag.startsWith('call:'));
  expect(call).toEqual({ title: 'Alice Liddell is calling', body: 'Voice call', tag: expect.stringMatching(/^call:/) });

  // The message's click opens its conversation; read there, its notification goes and the title
  // loses the count. The call's is untouched.
  await clickNotification(bob.context, 'conversation:');
  await expect(bob.page.getByTestId('conversation')).toHaveAttribute('data-handle', aliceHandle);
  await expect(bob.page.getByTestId('conversation')).toContainText('Tea at five?');
  await expect.poll(() => shownNotifications(bob.page)).toEqual([call]);
  await expect(bob.page).toHaveTitle('Parley');
  await expect(bob.page.locator('link[rel~="icon"]').first()).toHaveAttribute('href', '/favicon.svg');

  // The call's click: the notification goes, and the tab, brought forward, still rings with Accept.
  await clickNotification(bob.context, 'call:');
  await expect.poll(() => shownNotifications(bob.page)).toEqual([]);
  await bob.page.bringToFront();
  await expect(callPanel(bob.page)).toHaveAttribute('data-phase', 'incoming');
  await bob.page.getByRole('button', { name: 'Accept' }).click();
  await expect(callPanel(bob.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await bob.page.getByRole('button', { name: 'Hang up' }).click();
  expect(policyReports, 'the worker registered under the shell\'s Content-Security-Policy').toEqual([]);

  await alice.context.close();
  await bob.context.close();
});

test('a call that stops ringing takes its notification along', async ({ browser, system }) => {
  test.setTimeout(90_000);
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  await bob.context.grantPermissions(['notifications'], { origin: system.addresses.shell });
  await onboard(alice.page, system, uniqueHandle('alice'), 'Alice Liddell');
  const bobHandle = uniqueHandle('bob');
  await onboard(bob.page, system, bobHandle, 'Bob Dylan');
  await expect.poll(() => bob.page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/'))?.active !== undefined)).toBe(true);
  await sendToBackground(browser, bob.page);

  await openConversation(alice.page, bobHandle);
  await alice.page.getByRole('button', { name: 'Video call' }).click();
  // Each step on its own, so a failure says which one did not happen: the call left, it rings, it notifies.
  await expect(callPanel(alice.page)).toHaveAttribute('data-phase', 'outgoing', { timeout: 20_000 });
  await expect(callPanel(bob.page)).toHaveAttribute('data-phase', 'incoming', { timeout: 20_000 });
  await expect.poll(() => shownNotifications(bob.page), { timeout: 10_000 }).toEqual([{ title: 'Alice Liddell is calling', body: 'Video call', tag: expect.stringMatching(/^call:/) }]);
  // Alice gives up: Bob's notification goes with the ringing.
  await alice.page.getByRole('button', { name: 'Hang up' }).click();
  await expect.poll(() => shownNotifications(bob.page), { timeout: 20_000 }).toEqual([]);

  await alice.context.close();
  await bob.context.close();
});

test('without the permission nothing is asked on load and nothing is shown; the title still counts', async ({ browser, system }) => {
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  // Counts every question to the browser, from the first script on.
  await bob.context.addInitScript(() => {
    const ask = Notification.requestPermission.bind(Notification);
    (window as { permissionAsked?: number }).permissionAsked = 0;
    Notification.requestPermission = (...args: Parameters<typeof Notification.requestPermission>) => {
      (window as { permissionAsked?: number }).permissionAsked! += 1;
      return ask(...args);
    };
  });
  await onboard(alice.page, system, uniqueHandle('alice'), 'Alice Liddell');
  const bobHandle = uniqueHandle('bob');
  await onboard(bob.page, system, bobHandle, 'Bob Dylan');
  await sendToBackground(browser, bob.page);

  await openConversation(alice.page, bobHandle);
  await alice.page.getByRole('textbox', { name: 'Message' }).fill('Anyone there?');
  await alice.page.getByRole('textbox', { name: 'Message' }).press('Enter');
  // The message arrived (the title counts it), and still: no question, no worker, no notification.
  await expect(bob.page).toHaveTitle('(1) Parley', { timeout: 20_000 });
  // The icon carries it too: a badged SVG handed over as a blob: URL (the policy allows no data: images).
  await expect(bob.page.locator('link[rel~="icon"]').first()).toHaveAttribute('href', /^blob:/);
  expect(
    await bob.page.evaluate(async () => ({
      permission: Notification.permission,
      asked: (window as { permissionAsked?: number }).permissionAsked,
      workers: (await navigator.serviceWorker.getRegistrations()).length,
    })),
  ).toEqual({ permission: 'default', asked: 0, workers: 0 });
  expect(bob.context.serviceWorkers()).toEqual([]);

  // Settings offers it, with the reason, and asks only when clicked (not clicked here).
  await bob.page.bringToFront();
  await bob.page.getByRole('button', { name: 'Settings' }).click();
  const settings = bob.page.getByTestId('notifications-settings');
  await expect(settings.getByRole('status')).toHaveText('Notifications are off.');
  await expect(settings.getByRole('button', { name: 'Enable notifications' })).toBeVisible();
  expect(await bob.page.evaluate(() => (window as { permissionAsked?: number }).permissionAsked)).toBe(0);

  await alice.context.close();
  await bob.context.close();
});
