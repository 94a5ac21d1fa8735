/** What the browser benchmarks share: how Chromium is launched, signing up in the shell, and small statistics. */
import type { Page } from '@playwright/test';
import { CHROMIUM_ARGS as TEST_CHROMIUM_ARGS } from '../../e2e/playwright.config.js';

/** Debian's Chromium, unless PARLEY_CHROMIUM names another. */
export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

/** The e2e suite's flags (ENVIRONMENT "Chromium in tests"), headless, and autoplay: pages play remote audio without a user gesture. */
export const CHROMIUM_ARGS = [...TEST_CHROMIUM_ARGS, '--headless', '--autoplay-policy=no-user-gesture-required'];

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The median, or NaN of nothing. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The fields of /proc/<pid>/stat after the command name (which may itself contain ") "). */
export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Opens the shell at `shell` in `page`, creates the account `handle` named `name`, and waits for the chat app. */
export async function onboardInShell(page: Page, shell: string, handle: string, name: string, timeout: number): Promise<void> {
  await page.goto(shell);
  const onboarding = page.getByTestId('onboarding');
  await onboarding.getByLabel('Handle', { exact: true }).fill(handle);
  await onboarding.getByLabel('Display name').fill(name);
  await onboarding.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('chat-app').waitFor({ timeout });
}

/**
 * A page script that records every RTCPeerConnection the page makes, in `window.__benchPcs`. A
 * string, not a function: tsx would add helpers to a function that the page does not have.
 */
export const RECORD_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  const pcs = [];
  window.__benchPcs = pcs;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); pcs.push(this); }
  };
})();
`;
