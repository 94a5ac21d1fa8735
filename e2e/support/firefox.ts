/**
 * Debian's Firefox ESR for the browser tests. Playwright cannot drive it; puppeteer-core can, over
 * WebDriver BiDi (ENVIRONMENT.md). A test drives it beside the Chromium of the Playwright fixture.
 *
 * Puppeteer has no Playwright-style locators by accessible name that work the same over BiDi, so
 * the helpers here find controls in the page by the name a screen reader would read (aria-label,
 * then the text of its <label>, then its own text) and then act with real input events.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type BrowserContext, type ElementHandle, type Page } from 'puppeteer-core';
import { type MediaPage, WIRE_TAP_INIT } from './sframe-wire.js';
import type { RunningSystem } from './system.js';
import { uniqueHandle } from './users.js';

/** Where Debian's `firefox-esr` puts the browser; PARLEY_FIREFOX overrides. */
export const FIREFOX = process.env.PARLEY_FIREFOX ?? '/usr/bin/firefox-esr';

/** Null when Firefox is here, else what is missing (for `skipWhenMissing`). */
export function firefoxMissing(): string | null {
  return existsSync(FIREFOX) ? null : `Firefox is not installed at ${FIREFOX} (Debian package firefox-esr)`;
}

/**
 * Preferences for calls in a test: fake camera and microphone without a prompt, and ICE that works
 * in the test namespace, which has no default route. Firefox gathers no loopback candidates unless
 * told, hides host addresses behind mDNS names that nothing here resolves, and, until the page
 * holds a camera or microphone permission, gathers only on the default route's address: with no
 * default route it fails gathering ("Couldn't gather ICE candidates", error 10) and the call never
 * connects. Parley makes its offer while the devices open, so the permission is granted up front.
 */
export const FIREFOX_PREFS: Record<string, unknown> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // No first-run pages, updates or telemetry in a test browser.
  'browser.shell.checkDefaultBrowser': false,
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'intl.accept_languages': 'en-US',
  'intl.locale.requested': 'en-US',
};

/**
 * A Firefox with the call preferences, headless, or headful on the X `display` given (to share a
 * screen: support/xvfb.ts). Close it with `browser.close()`.
 */
export function launchFirefox(options: { display?: string } = {}): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: options.display === undefined,
    ...(options.display === undefined ? {} : { env: { ...process.env, DISPLAY: options.display } }),
    extraPrefsFirefox: FIREFOX_PREFS,
  });
}

/**
 * A Firefox page as the shared media checks take a page (support/sframe-wire.ts, peer-connections.ts,
 * group-calls.ts): they only run functions in it. Make it once per page: the checks tell pages apart
 * by identity.
 */
export function asMediaPage(page: Page): MediaPage {
  const evaluate = (fn: (arg: unknown) => unknown, arg?: unknown) => page.evaluate(fn, arg);
  return { evaluate } as unknown as MediaPage;
}

/** Someone in Firefox, in a browser context of their own, signed in to a fresh account. */
export interface FirefoxPerson {
  readonly context: BrowserContext;
  readonly page: Page;
  /** The page for the shared media checks (see {@link asMediaPage}). */
  readonly media: MediaPage;
  readonly handle: string;
  readonly name: string;
  /** Console and page errors so far. */
  readonly errors: string[];
}

/**
 * A fresh browser context of `browser` (its own storage) with a page prepared for calls as
 * `callPerson` prepares a Chromium one: peer connections recorded and SFrame workers tapped
 * (support/sframe-wire.ts). Onboarded as `name` unless `onboarded` is false (a guest of a call link).
 */
export async function firefoxPerson(browser: Browser, system: Pick<RunningSystem, 'addresses'>, name: string, { onboarded = true } = {}): Promise<FirefoxPerson> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await trackPeerConnections(page);
  await page.evaluateOnNewDocument(WIRE_TAP_INIT.script, WIRE_TAP_INIT.arg);
  const handle = uniqueHandle(name.split(' ')[0]!.toLowerCase());
  if (onboarded) await onboardInFirefox(page, system, handle, name);
  return { context, page, media: asMediaPage(page), handle, name, errors };
}

const POLL_MS = 100;

/** Polls `probe` until it returns true or `timeout` ms pass; throws `what` on timeout. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeout = 20_000): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The first visible element matching `selector` (inside `[data-testid=<within>]` when given) whose
 * accessible name is `name`, or null.
 */
function findByName(page: Page, selector: string, name: string, within?: string): Promise<ElementHandle<Element> | null> {
  return page
    .evaluateHandle(
      (selector, name, within) => {
        const root = within ? document.querySelector(`[data-testid="${within}"]`) : document;
        const text = (element: Element | null) => (element?.textContent ?? '').replace(/\s+/g, ' ').trim();
        const nameOf = (element: Element) => {
          const aria = element.getAttribute('aria-label');
          if (aria) return aria.trim();
          const labelledBy = element.getAttribute('aria-labelledby');
          if (labelledBy) return labelledBy.split(' ').map((id) => text(document.getElementById(id))).join(' ');
          const labels = (element as HTMLInputElement).labels;
          if (labels && labels.length) return text(labels[0]!);
          return text(element);
        };
        const visible = (element: Element) => (element as HTMLElement).offsetParent !== null || (element as HTMLElement).getClientRects().length > 0;
        return Array.from(root?.querySelectorAll(selector) ?? []).find((element) => visible(element) && nameOf(element) === name) ?? null;
      },
      selector,
      name,
      within,
    )
    .then((handle) => handle.asElement() as ElementHandle<Element> | null);
}

/** Waits for the control named `name` and returns it. */
async function control(page: Page, selector: string, name: string, within?: string, timeout?: number): Promise<ElementHandle<Element>> {
  let found: ElementHandle<Element> | null = null;
  await waitUntil(`${selector} named "${name}"`, async () => (found = await findByName(page, selector, name, within)) !== null, timeout);
  return found!;
}

/** Clicks the button named `name`. */
export async function clickButton(page: Page, name: string, options: { within?: string; timeout?: number } = {}): Promise<void> {
  await (await control(page, 'button', name, options.within, options.timeout)).click();
}

/** Clicks the first visible element with `data-testid=<testId>` whose text contains `text`. */
export async function clickWithText(page: Page, testId: string, text: string): Promise<void> {
  let found: ElementHandle<Element> | null = null;
  await waitUntil(`${testId} with "${text}"`, async () => {
    const handle = await page.evaluateHandle(
      (testId, text) => Array.from(document.querySelectorAll(`[data-testid="${testId}"]`)).find((element) => (element as HTMLElement).getClientRects().length > 0 && (element.textContent ?? '').includes(text)) ?? null,
      testId,
      text,
    );
    found = handle.asElement() as ElementHandle<Element> | null;
    return found !== null;
  });
  await found!.click();
}

/** Types `text` into the text field named `name` (after clearing it). */
export async function fillField(page: Page, name: string, text: string, options: { within?: string } = {}): Promise<void> {
  const field = await control(page, 'input, textarea', name, options.within);
  await field.evaluate((element) => {
    (element as HTMLInputElement).select?.();
  });
  await field.type(text);
}

/** Presses a key in the text field named `name`. */
export async function pressInField(page: Page, name: string, key: 'Enter'): Promise<void> {
  await (await control(page, 'input, textarea', name)).press(key);
}

/** The attribute of the element with `data-testid=<testId>`, or null. */
export function attributeOf(page: Page, testId: string, attribute: string): Promise<string | null> {
  return page.evaluate((testId, attribute) => document.querySelector(`[data-testid="${testId}"]`)?.getAttribute(attribute) ?? null, testId, attribute);
}

/** The text of the element with `data-testid=<testId>`, or ''. */
export function textOf(page: Page, testId: string): Promise<string> {
  return page.evaluate((testId) => document.querySelector(`[data-testid="${testId}"]`)?.textContent ?? '', testId);
}

/** Onboards a new account in a Firefox page, as `onboard` in users.ts does in Chromium. */
export async function onboardInFirefox(page: Page, system: Pick<RunningSystem, 'addresses'>, handle: string, displayName: string): Promise<void> {
  await page.goto(system.addresses.shell);
  await fillField(page, 'Handle', handle, { within: 'onboarding' });
  await fillField(page, 'Display name', displayName, { within: 'onboarding' });
  await clickButton(page, 'Create account', { within: 'onboarding' });
  await waitUntil('the chat after onboarding', async () => (await textOf(page, 'shell-identity')).includes(displayName) && (await attributeOf(page, 'chat-app', 'data-testid')) !== null);
}

/** Opens (or starts) the conversation with `handle`, as `openConversation` in users.ts does. */
export async function openConversationInFirefox(page: Page, handle: string): Promise<void> {
  await fillField(page, 'Search chats or find a handle', handle, { within: 'chat-app' });
  await clickButton(page, 'Start chat', { within: 'chat-app' });
  await waitUntil(`the conversation with ${handle}`, async () => (await attributeOf(page, 'conversation', 'data-handle')) === handle);
}

/** The texts of the message bubbles in the open conversation. */
export function messageBodies(page: Page): Promise<string[]> {
  return page.evaluate(() => Array.from(document.querySelectorAll('[data-testid="message-list"] .bubble__body')).map((b) => (b.textContent ?? '').trim()));
}

/**
 * Video frames decoded from the remote video of the call, read from the RTCPeerConnection stats:
 * Firefox's getVideoPlaybackQuality counts no frames of MediaStream video (ENVIRONMENT.md).
 * The page must have been prepared with {@link trackPeerConnections} before the app loaded.
 */
export function firefoxFramesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __parleyPeerConnections?: RTCPeerConnection[] }).__parleyPeerConnections ?? [];
    let frames = 0;
    for (const pc of pcs) {
      // (Firefox keeps a closed connection's connectionState; its signalingState says closed.)
      if (pc.signalingState === 'closed' || pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((stat: { type: string; kind?: string; framesDecoded?: number }) => {
        if (stat.type === 'inbound-rtp' && stat.kind === 'video') frames += stat.framesDecoded ?? 0;
      });
    }
    return frames;
  });
}

/** The remote video element's size and play position: it shows decoded frames when these move. */
export function remoteVideoState(page: Page): Promise<{ width: number; time: number } | null> {
  return page.evaluate(() => {
    const video = document.querySelector('[data-testid="remote-video"]') as HTMLVideoElement | null;
    return video ? { width: video.videoWidth, time: video.currentTime } : null;
  });
}

/** Keeps every RTCPeerConnection the page makes in `window.__parleyPeerConnections`, for stats. */
export async function trackPeerConnections(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const Native = window.RTCPeerConnection;
    const made: RTCPeerConnection[] = [];
    (window as unknown as { __parleyPeerConnections: RTCPeerConnection[] }).__parleyPeerConnections = made;
    window.RTCPeerConnection = new Proxy(Native, {
      construct(target, args: ConstructorParameters<typeof RTCPeerConnection>) {
        const pc = new target(...args);
        made.push(pc);
        return pc;
      },
    });
  });
}
