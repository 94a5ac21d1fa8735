/**
 * One headful Firefox on a private Xvfb display for a whole spec file (headless Firefox cannot
 * capture a screen, support/xvfb.ts), each person in a browser context of their own that is closed
 * after their test. Shared by the Firefox spec files so their set-up is one and the same.
 */
import type { Browser as FirefoxBrowser } from 'puppeteer-core';
import { test } from './fixtures.js';
import { type FirefoxPerson, firefoxMissing, firefoxPerson, launchFirefox } from './firefox.js';
import { skipWhenMissing } from './prerequisites.js';
import { type VirtualDisplay, startXvfb, xvfbMissing } from './xvfb.js';

/** Makes a person in the file's Firefox (fresh storage), signed in unless `onboarded` is false. */
export type FirefoxPersonMaker = (system: Parameters<typeof firefoxPerson>[1], name: string, options?: Parameters<typeof firefoxPerson>[3]) => Promise<FirefoxPerson>;

/**
 * Registers the file's hooks (call at the top level of a spec file): Xvfb and Firefox start before
 * the first test and stop after the last; a test is skipped (failed in CI) when either is missing.
 */
export function firefoxOnXvfbForFile(): FirefoxPersonMaker {
  let display: VirtualDisplay | null = null;
  let firefox: FirefoxBrowser | null = null;
  const people: FirefoxPerson[] = [];

  test.beforeAll(async () => {
    if (firefoxMissing() || xvfbMissing()) return;
    display = await startXvfb();
    firefox = await launchFirefox({ display: display.display });
  });
  test.afterAll(async () => {
    await firefox?.close();
    display?.stop();
  });
  test.beforeEach(() => skipWhenMissing(firefoxMissing() ?? xvfbMissing()));
  test.afterEach(async () => {
    for (const person of people.splice(0)) await person.context.close().catch(() => {});
  });

  return async (system, name, options) => {
    const person = await firefoxPerson(firefox!, system, name, options);
    people.push(person);
    return person;
  };
}
