/**
 * Firefox ESR (Debian's, driven by puppeteer-core over WebDriver BiDi) and Chromium (the Playwright
 * fixture) on the same system: real accounts made in each browser, Signal-encrypted messages both
 * ways, 1:1 voice and video calls both ways with SFrame on every stream, a screen shared from
 * Firefox, a group call through Janus with Firefox in it, and Firefox joining by call link as a guest.
 *
 * One Firefox serves the whole file (each test in a browser context of its own, fresh storage), headful
 * on a private Xvfb display: headless Firefox cannot capture a screen.
 *
 * How encryption is proven with Firefox on one end: both browsers' SFrame workers start with the
 * test-only wire tap (support/sframe-wire.ts; it runs in Firefox's workers as in Chromium's, the
 * transform API and frame layout being the same), so `expectEncryptedMedia` holds Firefox's frames
 * as its encoder made them against the bytes Chromium's receive transform took off the wire, and
 * the other way round. A receiver without Firefox's key is Chromium's own worker given a wrong key
 * of its peer (the builds' test hook): packets keep arriving and nothing more decodes.
 */
import type { Page } from '@playwright/test';
import { type CallPerson, callPanel, callPerson } from '../support/calls.js';
import { joinOwnLink, makeLink } from '../support/call-links.js';
import { expect, test } from '../support/fixtures.js';
import {
  type FirefoxPerson,
  attributeOf,
  clickButton,
  clickWithText,
  fillField,
  firefoxFramesDecoded,
  messageBodies,
  openConversationInFirefox,
  pressInField,
  remoteVideoState,
  textOf,
  waitUntil,
} from '../support/firefox.js';
import { firefoxOnXvfbForFile } from '../support/firefox-on-xvfb.js';
import { createGroup, expectDecodingOthers, groupCall, joinFromRing } from '../support/group-calls.js';
import { callStats } from '../support/peer-connections.js';
import { corruptPeerKeyOf, expectEncryptedMedia, type MediaPage } from '../support/sframe-wire.js';
import { openConversation } from '../support/users.js';
import { SCREEN } from '../support/xvfb.js';

const chromiumFramesDecoded = (page: Page) => page.getByTestId('remote-video').evaluate((video: HTMLVideoElement) => video.getVideoPlaybackQuality().totalVideoFrames);
const chromiumBodies = (page: Page) => page.getByTestId('message-list').locator('.bubble__body');
const phaseIn = (fiona: FirefoxPerson) => attributeOf(fiona.page, 'call-panel', 'data-phase');
const groupPhaseIn = (fiona: FirefoxPerson) => attributeOf(fiona.page, 'group-call', 'data-phase');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const inFirefox = firefoxOnXvfbForFile();

/** Fiona, in her own context of the file's Firefox, signed in (or not, as a guest will be). */
const fionaInFirefox = (system: Parameters<typeof inFirefox>[0], options?: Parameters<typeof inFirefox>[2]) => inFirefox(system, 'Fiona Firefox', options);

/** Fiona in Firefox and Carl in Chromium, both onboarded, each with the other's conversation open. */
async function fionaAndCarl(browser: Parameters<typeof callPerson>[0], system: Parameters<typeof callPerson>[1]) {
  const fiona = await fionaInFirefox(system);
  const carl = await callPerson(browser, system, 'Carl Chromium');
  await openConversationInFirefox(fiona.page, carl.handle);
  await openConversation(carl.page, fiona.handle);
  return { fiona, carl };
}

/** The two ends of a call as the shared media checks name them. */
const bothEnds = (fiona: FirefoxPerson, carl: CallPerson) => [
  { page: fiona.media, name: 'Fiona (Firefox)' },
  { page: carl.page, name: 'Carl (Chromium)' },
];

test('a Firefox user and a Chromium user register and exchange messages both ways', async ({ browser, system }) => {
  const { fiona, carl } = await fionaAndCarl(browser, system);

  await fillField(fiona.page, 'Message', 'Hello from Firefox');
  await pressInField(fiona.page, 'Message', 'Enter');
  await expect(chromiumBodies(carl.page)).toHaveText(['Hello from Firefox'], { timeout: 20_000 });

  const composer = carl.page.getByRole('textbox', { name: 'Message' });
  await composer.fill('Hello from Chromium');
  await composer.press('Enter');
  await waitUntil('Fiona to see the reply', async () => (await messageBodies(fiona.page)).includes('Hello from Chromium'));
  expect(await messageBodies(fiona.page)).toEqual(['Hello from Firefox', 'Hello from Chromium']);
  await carl.context.close();
});

test('a video call Firefox starts towards Chromium: each decodes the other, the media on the wire is SFrame, and a receiver without Firefox’s key plays nothing', async ({ browser, system }) => {
  const { fiona, carl } = await fionaAndCarl(browser, system);

  await clickButton(fiona.page, 'Video call');
  await waitUntil('Fiona’s call to ring out', async () => (await phaseIn(fiona)) === 'outgoing');
  // Before the fix Chromium refused Firefox's offer ("Failed to parse codecs correctly") here.
  await expect(callPanel(carl.page)).toHaveAttribute('data-phase', 'incoming', { timeout: 20_000 });
  await expect(callPanel(carl.page)).toContainText('Fiona Firefox');
  await carl.page.getByRole('button', { name: 'Accept' }).click();
  await expect(callPanel(carl.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await waitUntil('Fiona’s call to connect', async () => (await phaseIn(fiona)) === 'active', 20_000);

  await expectVideoBothWays(fiona, carl.page);
  // Encrypted, not just decodable: each side's worker decrypts the other's frames, and no 16-byte
  // run of what Firefox's (or Chromium's) encoder made is in the bytes the other side received.
  await expectEncryptedMedia(bothEnds(fiona, carl), ['audio', 'video']);

  // Carl's worker loses Firefox's key (a wrong one in its place): Firefox's packets keep coming,
  // Carl's decoder gets nothing it can play, and Carl is told.
  await corruptPeerKeyOf(carl.page);
  await expect(carl.page.getByTestId('decrypt-failing')).toBeVisible({ timeout: 10_000 });
  const before = await callStats(carl.page);
  const packetsBefore = await inboundVideoPackets(carl.page);
  await pause(1_500);
  expect(await inboundVideoPackets(carl.page)).toBeGreaterThan(packetsBefore + 20);
  // (One frame may still have been in the decoder's queue when the key changed.)
  expect((await callStats(carl.page)).videoFrames - before.videoFrames).toBeLessThanOrEqual(1);

  await clickButton(fiona.page, 'Hang up');
  await expect(callPanel(carl.page)).toHaveAttribute('data-outcome', 'hung-up', { timeout: 20_000 });
  expect(fiona.errors.filter((e) => /Failed to parse|setRemoteDescription|InvalidAccessError/.test(e))).toEqual([]);
  await carl.context.close();
});

test('a video call Chromium starts towards Firefox; Fiona shares her screen: Chromium decodes it, encrypted, and Firefox says it shares no sound', async ({ browser, system }) => {
  const { fiona, carl } = await fionaAndCarl(browser, system);

  await carl.page.getByRole('button', { name: 'Video call' }).click();
  await waitUntil('Fiona’s browser to ring', async () => (await phaseIn(fiona)) === 'incoming');
  await clickButton(fiona.page, 'Accept');
  await expect(callPanel(carl.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await waitUntil('Fiona’s call to connect', async () => (await phaseIn(fiona)) === 'active', 20_000);
  await expectVideoBothWays(fiona, carl.page);

  // The trust warning first, then Firefox captures the display's screen (no picker under Xvfb).
  await clickButton(fiona.page, 'Share screen');
  await waitUntil('the warning', async () => (await fiona.page.$('[role="alertdialog"]')) !== null);
  await clickButton(fiona.page, 'Share');
  await waitUntil('Fiona to share', async () => (await attributeOf(fiona.page, 'sharing-screen', 'data-testid')) !== null);
  // Firefox gives a screen without its sound: the call says so, politely, instead of nothing.
  expect(await attributeOf(fiona.page, 'screen-notice', 'role')).toBe('status');
  expect(await textOf(fiona.page, 'screen-notice')).toBe('Your screen is shared without its sound: this browser, or the source you chose, gives none.');

  await expect(carl.page.getByText('Fiona Firefox is sharing their screen')).toBeVisible({ timeout: 10_000 });
  // Carl decodes the screen: the display's size, not Firefox's 640×480 fake camera, and moving.
  const remoteSize = () => carl.page.getByTestId('remote-video').evaluate((video: HTMLVideoElement) => [video.videoWidth, video.videoHeight]);
  await expect.poll(remoteSize, { timeout: 20_000 }).toEqual([SCREEN.width, SCREEN.height]);
  const frames = await chromiumFramesDecoded(carl.page);
  await expect.poll(() => chromiumFramesDecoded(carl.page), { timeout: 10_000 }).toBeGreaterThan(frames + 5);
  await expectEncryptedMedia(bothEnds(fiona, carl), ['video']);

  await clickButton(fiona.page, 'Stop sharing');
  await expect(carl.page.getByText('Fiona Firefox is sharing their screen')).toHaveCount(0, { timeout: 10_000 });
  expect(await attributeOf(fiona.page, 'screen-notice', 'role')).toBeNull();

  await carl.page.getByRole('button', { name: 'Hang up' }).click();
  await waitUntil('the call to end in Firefox', async () => (await attributeOf(fiona.page, 'call-panel', 'data-outcome')) === 'hung-up');
  await carl.context.close();
});

test('voice calls both ways between Firefox and Chromium: each hears the other, encrypted', async ({ browser, system }) => {
  const { fiona, carl } = await fionaAndCarl(browser, system);

  // Firefox calls.
  await clickButton(fiona.page, 'Voice call');
  await expect(callPanel(carl.page)).toHaveAttribute('data-phase', 'incoming', { timeout: 20_000 });
  await carl.page.getByRole('button', { name: 'Accept' }).click();
  await expect(callPanel(carl.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await waitUntil('Fiona’s call to connect', async () => (await phaseIn(fiona)) === 'active', 20_000);
  await expectAudioBothWays(fiona, carl);
  await clickButton(fiona.page, 'Hang up');
  await expect(callPanel(carl.page)).toHaveAttribute('data-outcome', 'hung-up', { timeout: 20_000 });

  // Chromium calls.
  await carl.page.getByRole('button', { name: 'Voice call' }).click();
  await waitUntil('Fiona’s browser to ring', async () => (await phaseIn(fiona)) === 'incoming');
  await clickButton(fiona.page, 'Accept');
  await expect(callPanel(carl.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await waitUntil('Fiona’s call to connect', async () => (await phaseIn(fiona)) === 'active', 20_000);
  await expectAudioBothWays(fiona, carl);
  await carl.page.getByRole('button', { name: 'Hang up' }).click();
  await waitUntil('the call to end in Firefox', async () => (await attributeOf(fiona.page, 'call-panel', 'data-outcome')) === 'hung-up');
  await carl.context.close();
});

test('a group call through Janus with two Chromium and one Firefox participant: everyone decodes everyone, encrypted', async ({ browser, system }) => {
  test.setTimeout(180_000);
  const fiona = await fionaInFirefox(system);
  const alice = await callPerson(browser, system, 'Alice Liddell');
  const bob = await callPerson(browser, system, 'Bob Dylan');
  await createGroup([alice, bob], 'Browsers', [fiona.handle]);
  await clickWithText(fiona.page, 'conversation-item', 'Browsers');
  await waitUntil('the group to open in Firefox', async () => (await attributeOf(fiona.page, 'conversation', 'data-kind')) === 'group');

  await alice.page.getByRole('button', { name: 'Start group call' }).click();
  await expect(groupCall(alice.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await joinFromRing(bob);
  await clickButton(fiona.page, 'Join', { within: 'group-call-incoming' });
  await waitUntil('Fiona to be in the group call', async () => (await groupPhaseIn(fiona)) === 'active', 20_000);

  const everyone: { page: MediaPage; name: string }[] = [alice, bob, { page: fiona.media, name: fiona.name }];
  await expectDecodingOthers(everyone);
  for (const person of [alice, bob]) {
    await expect(person.page.getByTestId('group-call-count')).toContainText('3 participants');
    await expect(person.page.getByTestId('group-call-cant-decrypt')).toHaveCount(0);
  }
  expect(await textOf(fiona.page, 'group-call-count')).toContain('3 participants');
  expect(await attributeOf(fiona.page, 'group-call-cant-decrypt', 'data-testid')).toBeNull();
  // Through Janus only ciphertext: each decrypts both others' frames (counted per sender by the
  // KID), Firefox's simulcast layers included, and no run of anyone's plaintext reaches the others.
  await expectEncryptedMedia(everyone, ['audio', 'video']);

  await clickButton(fiona.page, 'Leave', { within: 'group-call' });
  for (const person of [alice, bob]) await expect(person.page.getByTestId('group-call-count')).toContainText('2 participants', { timeout: 20_000 });
  for (const person of [alice, bob]) await person.context.close();
});

test('Firefox joins a call link as a guest, admitted by the host, and both decode each other, encrypted', async ({ browser, system }) => {
  test.setTimeout(120_000);
  const alice = await callPerson(browser, system, 'Alice Liddell');
  const url = await makeLink(alice.page, 'Open house', true);
  await joinOwnLink(alice.page, 'Open house');

  // No account in Firefox: the guest flow makes a temporary one, its keys made in Firefox.
  const fiona = await fionaInFirefox(system, { onboarded: false });
  await fiona.page.goto(url);
  await fillField(fiona.page, 'Your name', 'Fiona Firefox', { within: 'guest-join' });
  await clickButton(fiona.page, 'Join as guest', { within: 'guest-join' });
  await waitUntil('Fiona to wait for the host', async () => (await attributeOf(fiona.page, 'group-call-waiting', 'data-testid')) !== null, 30_000);
  await alice.page.getByRole('button', { name: 'Admit Fiona Firefox' }).click();
  await waitUntil('Fiona to be let in', async () => (await groupPhaseIn(fiona)) === 'active', 30_000);
  await expect(alice.page.getByTestId('group-call-count')).toContainText('2 participants', { timeout: 20_000 });

  await expectDecodingOthers([alice, { page: fiona.media, name: fiona.name }]);
  await expectEncryptedMedia([alice, { page: fiona.media, name: 'Fiona (guest, Firefox)' }], ['audio', 'video']);

  await clickButton(fiona.page, 'Leave', { within: 'group-call' });
  await waitUntil('the guest to have left', async () => (await attributeOf(fiona.page, 'guest-left', 'data-testid')) !== null, 20_000);
  await alice.context.close();
});

/** Video packets the page's call connection received so far. */
function inboundVideoPackets(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __parleyPeerConnections: RTCPeerConnection[] }).__parleyPeerConnections.filter((pc) => pc.connectionState === 'connected');
    let packets = 0;
    for (const pc of pcs) (await pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') packets += Number(s.packetsReceived ?? 0);
    });
    return packets;
  });
}

/** Each browser decodes the other's video, through its SFrame worker, and neither reports undecryptable frames. */
async function expectVideoBothWays(fiona: FirefoxPerson, carl: Page): Promise<void> {
  // Chromium decodes Firefox's video (through Carl's SFrame worker).
  await expect.poll(() => chromiumFramesDecoded(carl), { timeout: 15_000 }).toBeGreaterThan(10);
  // Firefox decodes Chromium's: its stats count the frames, and the video element plays them.
  await waitUntil('Firefox to decode Carl’s video', async () => (await firefoxFramesDecoded(fiona.page)) > 10, 15_000);
  const before = await remoteVideoState(fiona.page);
  await pause(1_000);
  const after = await remoteVideoState(fiona.page);
  expect(after?.width).toBeGreaterThan(0);
  expect(after!.time).toBeGreaterThan(before!.time);
  // Neither side reports frames it cannot decrypt.
  await expect(carl.getByTestId('decrypt-failing')).toHaveCount(0);
  expect(await attributeOf(fiona.page, 'decrypt-failing', 'role')).toBeNull();
}

/**
 * Each side decodes sound from the other, not silence: the energy of the audio decoded rises (both
 * fake microphones send a tone), through the SFrame workers, and the frames on the wire are
 * ciphertext. A voice call has no video either way.
 */
async function expectAudioBothWays(fiona: FirefoxPerson, carl: CallPerson): Promise<void> {
  for (const [page, name] of [[fiona.media, 'Fiona (Firefox)'], [carl.page, 'Carl (Chromium)']] as const) {
    const before = await callStats(page);
    await expect
      .poll(async () => {
        const now = await callStats(page);
        return now.audioSamples - before.audioSamples > 10_000 && now.audioEnergy - before.audioEnergy > 0.001;
      }, { timeout: 15_000, message: `${name} hears the other side` })
      .toBe(true);
    expect((await callStats(page)).videoFrames).toBe(0);
  }
  await expectEncryptedMedia(bothEnds(fiona, carl), ['audio']);
}
