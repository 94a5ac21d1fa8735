import { test as base, expect, type Page, type Request } from '@playwright/test';
import { type RunningSystem, type SystemOptions, startSystem } from './system.js';
import { onboard, openConversation, registerContact, uniqueHandle } from './users.js';

/** A fresh system per test, and a log of every request the page made. */
export const test = base.extend<{ system: RunningSystem; requests: string[]; systemOptions: SystemOptions; closeLeftContexts: void }>({
  /** How this test's system starts; `test.use({ systemOptions: … })` changes it. */
  systemOptions: [{}, { option: true }],
  system: async ({ systemOptions }, use) => {
    const system = await startSystem(systemOptions);
    await use(system);
    await system.stop();
  },
  /**
   * Contexts a test opened on the shared browser and left open are closed after it. The browser lives
   * for the whole run; a context left behind keeps its pages running (reconnect timers, and a call's
   * fake camera and peer connection go on without the server), and the tests after it run slower —
   * the last file of a CI run took two to four times as long as alone and timed out.
   */
  closeLeftContexts: [
    async ({ browser }, use, testInfo) => {
      const before = new Set(browser.contexts());
      await use();
      const left = browser.contexts().filter((context) => !before.has(context));
      const withPages = left.filter((context) => context.pages().length > 0).length;
      if (withPages > 0) console.log(`[e2e] ${testInfo.title}: closing ${withPages} browser context(s) it left open`);
      await Promise.all(left.map((context) => context.close().catch(() => undefined)));
    },
    { auto: true },
  ],
  requests: async ({ page }, use) => {
    const urls: string[] = [];
    page.on('request', (request: Request) => urls.push(request.url()));
    await use(urls);
  },
});

export { expect };

/** The contact the foundation tests talk to and call, registered through the API. */
export const ADA = { handle: 'ada.lovelace', displayName: 'Ada Lovelace' } as const;

const signedIn = new WeakSet<Page>();

/**
 * Opens the shell signed in as a real account and waits until chat (and call, unless told
 * otherwise) are mounted, with the conversation with Ada open (and its call buttons shown). The first call on a page registers
 * Ada and onboards the page's user; later calls reload the page, which keeps the session.
 */
export async function openShell(page: Page, system: RunningSystem, { call = true } = {}) {
  if (signedIn.has(page)) {
    await page.goto(system.addresses.shell);
  } else {
    await registerContact(system, ADA.handle, ADA.displayName);
    await onboard(page, system, uniqueHandle('grace'), 'Grace Hopper');
    signedIn.add(page);
  }
  await expect(page.getByTestId('chat-app')).toBeVisible();
  await openConversation(page, ADA.handle);
  if (call) await expectCallAppReady(page);
}

/**
 * The call app is mounted and has told the page it can call (`call.available` shows the chat's call
 * buttons). Idle, it takes no space in the shell's layout, so it is attached rather than visible.
 */
export async function expectCallAppReady(page: Page): Promise<void> {
  await expect(page.getByTestId('call-app')).toBeAttached();
  await expect(page.getByRole('button', { name: 'Voice call' })).toBeVisible();
}
