/**
 * Screenshot tests against committed baselines (e2e/screenshots/, see playwright.config.ts): a
 * person whose page lives at a fixed instant in a fixed zone and language, and `shoot`, which
 * compares the page with `<name>-light.png` and `<name>-dark.png`. What cannot be the same from one
 * run to the next (ids, server times, fake camera pictures) is masked or pinned here, in one place,
 * so a screen is added with one `shoot` line once the test has brought it up.
 */
import { readFileSync } from 'node:fs';
import { type Browser, type BrowserContext, type Locator, type Page, expect } from '@playwright/test';

/** The instant the pages live at: Friday 14 March 2025, 15:30 UTC (in the past, so no signed manifest has expired by it). */
export const SCREENSHOT_NOW = Date.parse('2025-03-14T15:30:00Z');

/** An instant on the screenshots' calendar: `day` 0 is today (SCREENSHOT_NOW's day), -1 yesterday; `time` is UTC "HH:MM". */
export function at(day: number, time: string): number {
  return Date.parse(`2025-03-${String(14 + day).padStart(2, '0')}T${time}:00Z`);
}

/** The desktop window every screen is shot in unless a test narrows it. */
export const DESKTOP = { width: 1280, height: 800 } as const;
/** The phone-sized window of issue 15. */
export const PHONE = { width: 390, height: 844 } as const;

/**
 * Put on the page while a screenshot is taken: avatar colours come from random account and group
 * ids, so every avatar is drawn in one colour (initials, icon, size and shape stay compared). The
 * mapping from id to colour is the unit tests' (libs/design-tokens avatar.test.ts).
 */
const SCREENSHOT_STYLE = readFileSync(new URL('./screenshots.css', import.meta.url), 'utf8');
/** Put on the page too unless a test compares the videos: camera pictures as fixed patterns, in place (see the file). */
const HIDDEN_VIDEO_STYLE = readFileSync(new URL('./screenshots-video.css', import.meta.url), 'utf8');

/**
 * Adds SCREENSHOT_STYLE as a constructed stylesheet and returns what removes it. Not Playwright's
 * `stylePath`: that inserts a <style> element, which the shell's Content-Security-Policy refuses,
 * and turning the policy off for the test could hide a style only the test would see.
 */
async function pinVariableStyles(page: Page, css: string): Promise<() => Promise<void>> {
  const key = await page.evaluate((css) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    const pinned = ((window as unknown as { __screenshotSheets?: CSSStyleSheet[] }).__screenshotSheets ??= []);
    return pinned.push(sheet) - 1;
  }, css);
  return () =>
    page.evaluate((index) => {
      const sheet = (window as unknown as { __screenshotSheets: CSSStyleSheet[] }).__screenshotSheets[index];
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((adopted) => adopted !== sheet);
    }, key);
}

/**
 * A browser context for screenshots: English, UTC, reduced motion, and a page whose `Date` is
 * frozen at SCREENSHOT_NOW from its first script on (timers still run). Move it with
 * `page.clock.setFixedTime` to date what the page itself sends.
 */
export async function screenshotPerson(browser: Browser, viewport: { width: number; height: number } = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC', viewport, reducedMotion: 'reduce', colorScheme: 'light' });
  const page = await context.newPage();
  await page.clock.setFixedTime(SCREENSHOT_NOW);
  return { context, page };
}

/**
 * Compares the page, in the light and then the dark theme (the OS setting the shell follows), with
 * the baselines `<name>-light.png` and `<name>-dark.png`. `mask` covers what only this screen has
 * that changes between runs (server-side dates, release URLs with their ports); camera pictures
 * are drawn as fixed patterns where they are (screenshots-video.css). `showVideo` compares the
 * videos too, for pages whose cameras draw the same picture on every run (the call app's group
 * stage test page). Leaves the page in the light theme.
 */
export async function shoot(page: Page, name: string, options: { mask?: readonly Locator[]; showVideo?: boolean } = {}): Promise<void> {
  const unpin = await pinVariableStyles(page, options.showVideo ? SCREENSHOT_STYLE : `${SCREENSHOT_STYLE}\n${HIDDEN_VIDEO_STYLE}`);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await expect(page).toHaveScreenshot(`${name}-${colorScheme}.png`, { mask: [...(options.mask ?? [])] });
  }
  await unpin();
  await page.emulateMedia({ colorScheme: 'light' });
}
