/**
 * Screen sharing from Firefox in a group call through real Janus (issue 16): Fiona, in Debian's
 * Firefox ESR headful on a private Xvfb (support/firefox-on-xvfb.ts, the set-up of firefox.spec.ts),
 * shares the display's screen after the trust warning; Alice, in Chromium, decodes it at the
 * display's size as her spotlight, SFrame-encrypted on the screen's own KID slot (3) — frames Firefox
 * encrypted found unchanged in Alice's wire bytes, none of their plaintext. Firefox gives no screen
 * sound, and says so. Stopping returns Alice's layout to Fiona's camera.
 *
 * Found by this test: Firefox offers the screen's m-lines, added in a renegotiation, with port 0 and
 * `a=bundle-only`; the server took them for rejected m-lines, never told the others that Fiona
 * published more, and Alice's spotlight stayed black (apps/server sfu-gateway.ts `offeredMids`).
 *
 * Its own file (not a test in firefox.spec.ts) to keep that file's time as it was.
 */
import { type CallPerson, callPerson } from '../support/calls.js';
import { expect, test } from '../support/fixtures.js';
import { attributeOf, clickButton, clickWithText, textOf, waitUntil } from '../support/firefox.js';
import { firefoxOnXvfbForFile } from '../support/firefox-on-xvfb.js';
import { createGroup, groupCall, groupMediaStats } from '../support/group-calls.js';
import { SLOT, onSlot, participantIndex, receivedOnSlot, spotlightSize } from '../support/group-presentation.js';
import { plaintextWindowsIn, sharedFrames, wireTapReport } from '../support/sframe-wire.js';
import { SCREEN } from '../support/xvfb.js';

const inFirefox = firefoxOnXvfbForFile();

/** Video frames Alice's spotlight has played. */
const spotlightFrames = (alice: CallPerson) =>
  alice.page.getByTestId('group-call-spotlight-video').evaluate((video: HTMLVideoElement) => video.getVideoPlaybackQuality().totalVideoFrames);

test('Firefox shares its screen in a group call: Chromium decodes it at the display’s size as the spotlight, encrypted on the screen’s KID slot; stopping returns the layout', async ({ browser, system }) => {
  test.setTimeout(120_000);
  const fiona = await inFirefox(system, 'Fiona Firefox');
  const alice = await callPerson(browser, system, 'Alice Liddell');
  await createGroup([alice], 'Screens', [fiona.handle]);
  await clickWithText(fiona.page, 'conversation-item', 'Screens');
  await waitUntil('the group to open in Firefox', async () => (await attributeOf(fiona.page, 'conversation', 'data-kind')) === 'group');

  await alice.page.getByRole('button', { name: 'Start group call' }).click();
  await expect(groupCall(alice.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await clickButton(fiona.page, 'Join', { within: 'group-call-incoming' });
  await waitUntil('Fiona to be in the group call', async () => (await attributeOf(fiona.page, 'group-call', 'data-phase')) === 'active', 20_000);
  await expect
    .poll(async () => (await groupMediaStats(alice.page)).videoFrames.some((n) => n > 10), { timeout: 30_000, message: 'Alice decodes Fiona’s camera' })
    .toBe(true);
  const fionaIndex = await participantIndex(alice, 'Fiona Firefox');
  const spotlight = alice.page.getByTestId('group-call-spotlight');

  // The trust warning first, then Firefox captures the display's screen (no picker under Xvfb).
  await clickButton(fiona.page, 'Share screen', { within: 'group-call' });
  await waitUntil('the warning', async () => (await fiona.page.$('[role="alertdialog"]')) !== null);
  await clickButton(fiona.page, 'Share');
  await waitUntil('Fiona to share', async () => (await textOf(fiona.page, 'sharing-screen')) === 'You are sharing your screen', 20_000);
  // Firefox gives a screen without its sound: once the screen's m-lines are negotiated with Janus,
  // the call says so, politely, instead of nothing.
  await waitUntil('the notice', async () => (await attributeOf(fiona.page, 'screen-notice', 'role')) !== null, 20_000);
  expect(await attributeOf(fiona.page, 'screen-notice', 'role'), `Firefox's errors: ${fiona.errors.join('\n')}`).toBe('status');
  expect(await textOf(fiona.page, 'screen-notice')).toBe('Your screen is shared without its sound: this browser, or the source you chose, gives none.');

  // Alice: Fiona's screen is the spotlight, decoded at the display's size (not Firefox's 640×480
  // fake camera) and moving.
  await expect(spotlight).toHaveAttribute('data-source', 'screen', { timeout: 20_000 });
  await expect(spotlight).toHaveAttribute('data-participant', String(fionaIndex));
  await expect(alice.page.getByTestId('group-call-presenting')).toHaveText('Fiona Firefox is sharing their screen');
  await expect.poll(() => spotlightSize(alice.page), { timeout: 30_000, message: 'Alice decodes the screen at the display’s size' }).toEqual([SCREEN.width, SCREEN.height]);
  const frames = await spotlightFrames(alice);
  await expect.poll(() => spotlightFrames(alice), { timeout: 10_000 }).toBeGreaterThan(frames + 5);

  // On the wire only ciphertext on the screen's slot: frames Firefox encrypted reach Alice as they
  // left it, Alice's worker decrypts them, and no run of their plaintext is in what she received.
  await expect.poll(async () => (await receivedOnSlot(alice.page, SLOT.screen)).ok, { timeout: 10_000 }).toBeGreaterThan(10);
  const [sentReport, receivedReport] = await Promise.all([wireTapReport(fiona.media), wireTapReport(alice.page)]);
  const sent = onSlot(sentReport.sent, fionaIndex, SLOT.screen);
  const atAlice = onSlot(receivedReport.received, fionaIndex, SLOT.screen);
  expect(sent.length, 'screen frames Firefox encrypted').toBeGreaterThan(5);
  expect(sharedFrames(sent, atAlice), 'screen frames Alice received of those Firefox encrypted').toBeGreaterThanOrEqual(3);
  expect(plaintextWindowsIn(sent, atAlice.map((f) => f.bytes))).toEqual([]);
  await expect(alice.page.getByTestId('group-call-cant-decrypt')).toHaveCount(0);

  // Fiona stops: Alice's spotlight shows Fiona's camera again, and the notice is gone.
  await clickButton(fiona.page, 'Stop sharing', { within: 'group-call' });
  await waitUntil('Fiona to stop sharing', async () => (await attributeOf(fiona.page, 'sharing-screen', 'data-testid')) === null);
  expect(await attributeOf(fiona.page, 'screen-notice', 'role')).toBeNull();
  await expect(spotlight).not.toHaveAttribute('data-source', 'screen', { timeout: 20_000 });
  await expect(alice.page.getByTestId('group-call-presenting')).toHaveText('');
  await expect.poll(async () => (await spotlightSize(alice.page))[0], { timeout: 20_000, message: 'Alice’s spotlight shows a camera again' }).toBeGreaterThan(0);
  expect((await spotlightSize(alice.page))[0]).not.toBe(SCREEN.width);

  await clickButton(fiona.page, 'Leave', { within: 'group-call' });
  await alice.context.close();
});
