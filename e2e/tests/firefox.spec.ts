/**
 * Firefox ESR (Debian's, driven by puppeteer-core over WebDriver BiDi) and Chromium (the Playwright
 * fixture) on the same system: real accounts made in each browser, Signal-encrypted messages both
 * ways, and a 1:1 video call with SFrame on every stream between the two browsers.
 */
import type { Page } from '@playwright/test';
import type { Browser as FirefoxBrowser, Page as FirefoxPage } from 'puppeteer-core';
import { expect, test } from '../support/fixtures.js';
import {
  attributeOf,
  clickButton,
  fillField,
  firefoxFramesDecoded,
  firefoxMissing,
  firefoxPage,
  launchFirefox,
  messageBodies,
  onboardInFirefox,
  openConversationInFirefox,
  pressInField,
  remoteVideoState,
  trackPeerConnections,
  waitUntil,
} from '../support/firefox.js';
import { skipWhenMissing } from '../support/prerequisites.js';
import { newPerson, onboard, openConversation, uniqueHandle } from '../support/users.js';

const panel = (page: Page) => page.getByTestId('call-panel');
const chromiumFramesDecoded = (page: Page) => page.getByTestId('remote-video').evaluate((video: HTMLVideoElement) => video.getVideoPlaybackQuality().totalVideoFrames);
const chromiumBodies = (page: Page) => page.getByTestId('message-list').locator('.bubble__body');

let firefox: FirefoxBrowser | null = null;

test.beforeEach(() => skipWhenMissing(firefoxMissing()));
test.afterEach(async () => {
  await firefox?.close();
  firefox = null;
});

/** Fiona in Firefox and Carl in Chromium, both onboarded, each with the other's conversation open. */
async function fionaAndCarl(browser: Parameters<typeof newPerson>[0], system: Parameters<typeof onboard>[1]) {
  firefox = await launchFirefox();
  const { page: fiona, errors } = await firefoxPage(firefox);
  await trackPeerConnections(fiona);
  const carl = await newPerson(browser);
  const [fionaHandle, carlHandle] = [uniqueHandle('fiona'), uniqueHandle('carl')];
  await onboardInFirefox(fiona, system, fionaHandle, 'Fiona Firefox');
  await onboard(carl.page, system, carlHandle, 'Carl Chromium');
  await openConversationInFirefox(fiona, carlHandle);
  await openConversation(carl.page, fionaHandle);
  return { fiona, fionaErrors: errors, carl: carl.page };
}

async function sendInFirefox(page: FirefoxPage, text: string): Promise<void> {
  await fillField(page, 'Message', text);
  await pressInField(page, 'Message', 'Enter');
}

test('a Firefox user and a Chromium user register and exchange messages both ways', async ({ browser, system }) => {
  const { fiona, carl } = await fionaAndCarl(browser, system);

  await sendInFirefox(fiona, 'Hello from Firefox');
  await expect(chromiumBodies(carl)).toHaveText(['Hello from Firefox'], { timeout: 20_000 });

  const composer = carl.getByRole('textbox', { name: 'Message' });
  await composer.fill('Hello from Chromium');
  await composer.press('Enter');
  await waitUntil('Fiona to see the reply', async () => (await messageBodies(fiona)).includes('Hello from Chromium'));
  expect(await messageBodies(fiona)).toEqual(['Hello from Firefox', 'Hello from Chromium']);
});

test('a video call Firefox starts towards Chromium connects, and each side decodes the other’s encrypted video', async ({ browser, system }) => {
  const { fiona, fionaErrors, carl } = await fionaAndCarl(browser, system);

  await clickButton(fiona, 'Video call');
  await waitUntil('Fiona’s call to ring out', async () => (await attributeOf(fiona, 'call-panel', 'data-phase')) === 'outgoing');
  // Before the fix Chromium refused Firefox's offer ("Failed to parse codecs correctly") here.
  await expect(panel(carl)).toHaveAttribute('data-phase', 'incoming', { timeout: 20_000 });
  await expect(panel(carl)).toContainText('Fiona Firefox');
  await carl.getByRole('button', { name: 'Accept' }).click();

  await expect(panel(carl)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await waitUntil('Fiona’s call to connect', async () => (await attributeOf(fiona, 'call-panel', 'data-phase')) === 'active', 20_000);

  await expectVideoBothWays(fiona, carl);

  await clickButton(fiona, 'Hang up');
  await expect(panel(carl)).toHaveAttribute('data-outcome', 'hung-up', { timeout: 20_000 });
  expect(fionaErrors.filter((e) => /Failed to parse|setRemoteDescription|InvalidAccessError/.test(e))).toEqual([]);
});

test('a video call Chromium starts towards Firefox connects, and each side decodes the other’s encrypted video', async ({ browser, system }) => {
  const { fiona, carl } = await fionaAndCarl(browser, system);

  await carl.getByRole('button', { name: 'Video call' }).click();
  await waitUntil('Fiona’s browser to ring', async () => (await attributeOf(fiona, 'call-panel', 'data-phase')) === 'incoming');
  await clickButton(fiona, 'Accept');
  await expect(panel(carl)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await waitUntil('Fiona’s call to connect', async () => (await attributeOf(fiona, 'call-panel', 'data-phase')) === 'active', 20_000);

  await expectVideoBothWays(fiona, carl);

  await carl.getByRole('button', { name: 'Hang up' }).click();
  await waitUntil('the call to end in Firefox', async () => (await attributeOf(fiona, 'call-panel', 'data-outcome')) === 'hung-up');
});

/** Each browser decodes the other's video, through its SFrame worker, and neither reports undecryptable frames. */
async function expectVideoBothWays(fiona: FirefoxPage, carl: Page): Promise<void> {
  // Chromium decodes Firefox's video (through Carl's SFrame worker).
  await expect.poll(() => chromiumFramesDecoded(carl), { timeout: 15_000 }).toBeGreaterThan(10);
  // Firefox decodes Chromium's: its stats count the frames, and the video element plays them.
  await waitUntil('Firefox to decode Carl’s video', async () => (await firefoxFramesDecoded(fiona)) > 10, 15_000);
  const before = await remoteVideoState(fiona);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = await remoteVideoState(fiona);
  expect(after?.width).toBeGreaterThan(0);
  expect(after!.time).toBeGreaterThan(before!.time);
  // Neither side reports frames it cannot decrypt.
  await expect(carl.getByTestId('decrypt-failing')).toHaveCount(0);
  expect(await attributeOf(fiona, 'decrypt-failing', 'role')).toBeNull();
}
