/**
 * The three critical paths of a first load, walked in Chromium as a person would, each ending at the
 * moment its screen is usable:
 * (a) a first visit, until the onboarding form takes input and "Create account" can be pressed;
 * (b) a signed-in user returning with an empty HTTP cache, until the conversation list shows;
 * (c) the same visit, until the call app has mounted (an incoming call can ring).
 * Each milestone has the bytes on the wire so far (wire-meter.ts) and the time since navigation
 * started, taken in the page (performance.now() on the frame the screen became usable).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type AcceptedEncodings, type NetworkConditions, type WireTotals, meterPage } from './wire-meter.js';

/** Where a critical path ended: bytes so far and ms since navigation started. */
export interface Milestone extends WireTotals {
  ms: number;
}

/** How a visit's network behaves. */
export interface VisitOptions {
  encodings: AcceptedEncodings;
  conditions?: NetworkConditions;
  /** How long a screen may take before the visit fails. */
  timeoutMs?: number;
}

// Page-side checks, polled on every frame, that return the page's clock once the screen is usable
// (strings, not functions: tsx would add helpers to a function that the page does not have). They
// are confirmed by accessible role and name right after (confirm below).
const ONBOARDING_USABLE = `(() => {
  const form = document.querySelector('[data-testid="onboarding"]');
  if (!form) return false;
  const button = [...form.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Create account');
  const label = [...form.querySelectorAll('label')].find((l) => l.textContent.trim() === 'Handle');
  const input = label && document.getElementById(label.htmlFor);
  return button && !button.disabled && input && !input.disabled ? performance.now() : false;
})()`;
/** The page-side check that the conversation list is usable (see above). */
export const CHAT_USABLE = `(() => {
  const list = document.querySelector('nav[aria-label="Conversations"]');
  return list && list.getClientRects().length > 0 ? performance.now() : false;
})()`;
const CALL_MOUNTED = `(() => (document.querySelector('[data-testid="call-app"]') ? performance.now() : false))()`;

/**
 * Waits, checking on every frame in the page, until `check` returns the page's clock; resolves to it.
 * Evaluated through the DevTools protocol (page.evaluate of an expression), which the shell's CSP
 * does not govern, unlike waitForFunction's in-page eval.
 */
export async function reached(page: Page, check: string, timeoutMs: number): Promise<number> {
  const poll = `new Promise((resolve) => {
    const tick = () => { const at = ${check}; if (at) resolve(at); else requestAnimationFrame(tick); };
    tick();
  })`;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not usable after ${timeoutMs} ms: ${check}`)), timeoutMs);
  });
  try {
    return Number(await Promise.race([page.evaluate(poll), timeout]));
  } finally {
    clearTimeout(timer);
  }
}

async function confirm(found: Promise<boolean>, what: string): Promise<void> {
  if (!(await found)) throw new Error(`${what} was not usable by its accessible name`);
}

/** (a) A first visit (a new browser profile) until the onboarding form is usable. */
export async function firstVisitOnboarding(browser: Browser, shell: string, options: VisitOptions): Promise<Milestone> {
  const context = await browser.newContext({ locale: 'en-US' });
  try {
    const page = await context.newPage();
    const meter = await meterPage(page, options);
    await page.goto(shell, { waitUntil: 'commit' });
    const ms = await reached(page, ONBOARDING_USABLE, options.timeoutMs ?? 60_000);
    const milestone = { ...(await meter.totals()), ms };
    const onboarding = page.getByTestId('onboarding');
    await confirm(onboarding.getByRole('button', { name: 'Create account' }).isEnabled(), 'The "Create account" button');
    await confirm(onboarding.getByLabel('Handle', { exact: true }).isEditable(), 'The "Handle" field');
    await meter.stop();
    return milestone;
  } finally {
    await context.close();
  }
}

/**
 * A first visit that creates an account and waits for the chat: the browser profile of a user who
 * will return. The page is closed, so a returning visit is the only tab. Resolves to the profile and
 * what the whole sign-up downloaded (keys are made in the page).
 */
export async function signUp(browser: Browser, shell: string, handle: string, options: VisitOptions): Promise<{ context: BrowserContext; chat: Milestone }> {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const meter = await meterPage(page, options);
  await page.goto(shell);
  const onboarding = page.getByTestId('onboarding');
  await onboarding.getByLabel('Handle', { exact: true }).fill(handle);
  await onboarding.getByLabel('Display name').fill(handle.replace(/_/g, ' '));
  await onboarding.getByRole('button', { name: 'Create account' }).click();
  const ms = await reached(page, CHAT_USABLE, options.timeoutMs ?? 120_000);
  const chat = { ...(await meter.totals()), ms };
  await meter.stop();
  await page.close();
  return { context, chat };
}

/** (b) and (c): a signed-in user's profile opens the shell again with an empty HTTP cache. */
export async function returningVisit(context: BrowserContext, shell: string, options: VisitOptions): Promise<{ chat: Milestone; call: Milestone }> {
  const page = await context.newPage();
  try {
    const meter = await meterPage(page, options);
    await page.goto(shell, { waitUntil: 'commit' });
    const chatMs = await reached(page, CHAT_USABLE, options.timeoutMs ?? 60_000);
    const chat = { ...(await meter.totals()), ms: chatMs };
    await confirm(page.getByRole('navigation', { name: 'Conversations' }).isVisible(), 'The conversation list');
    const callMs = await reached(page, CALL_MOUNTED, options.timeoutMs ?? 60_000);
    const call = { ...(await meter.totals()), ms: callMs };
    await meter.stop();
    return { chat, call };
  } finally {
    await page.close();
  }
}
