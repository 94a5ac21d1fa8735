/**
 * Issue 16, what call-host-pip-audio.spec.ts left to unit tests or could not drive headless:
 * - group calls have the 1:1 call's audio switches ("More" → Audio processing), applied to the
 *   group call's microphone (its track's `getSettings()`), remembered for the microphone across a
 *   reload; English and Russian, by keyboard; the group call's picture-in-picture in Russian;
 * - "You are muted" while the user speaks muted: a microphone that talks (a WAV file as Chromium's
 *   fake microphone), the hint shown muted, gone unmuted, a polite status; English and Russian;
 * - picture-in-picture opening by itself when the user switches tab during a call, with Mute and
 *   Hang up acting on the call, and the floating bar when the user opens another chat.
 *
 * What Chromium needs before it opens picture-in-picture on a tab switch by itself (checked with
 * Debian's Chromium, headful under Xvfb): the page registered the Media Session action
 * `enterpictureinpicture`; it is HTTPS (or file:); it captures camera or microphone as the browser's
 * capture indicator knows it, which `--use-fake-ui-for-media-stream` bypasses (with that flag the
 * action never fired): the permission is granted instead (fake devices still); a profile that is
 * not incognito (Playwright's `newContext` is one, where Chromium treats the setting's "ask" as
 * "block"): a persistent context; a real tab switch in a window with a tab strip: headful. Then
 * the browser calls the handler with a user activation and `requestWindow` opens the window. With
 * the setting at "ask", Chromium lays its question (allow automatic picture-in-picture?) over the
 * window and input does not reach the page under it: the test's profile has it allowed. A
 * headless page, and even a headful background tab under Playwright, stays `visible`: the
 * `visibilitychange` attempt is not what opens it here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config.js';
import { type CallPerson, callPanel, callPerson, ring } from '../support/calls.js';
import { speechLikeSamples, writeWav } from '../support/fake-microphone.js';
import { expect, test } from '../support/fixtures.js';
import { createGroup, groupCall, openGroup } from '../support/group-calls.js';
import { type HttpsDeployment, httpsDeploymentMissing, startHttpsDeployment } from '../support/https-deployment.js';
import { callStats, recordPeerConnections } from '../support/peer-connections.js';
import { skipWhenMissing } from '../support/prerequisites.js';
import type { RunningSystem } from '../support/system.js';
import { onboard, openConversation, uniqueHandle } from '../support/users.js';
import { type VirtualDisplay, startXvfb, xvfbMissing } from '../support/xvfb.js';

/** Someone whose browser speaks Russian, onboarded (the onboarding form read by position: its labels are Russian). */
async function russianPerson(browser: Browser, system: RunningSystem, name: string): Promise<CallPerson> {
  const context = await browser.newContext({ locale: 'ru-RU' });
  await recordPeerConnections(context);
  const page = await context.newPage();
  const handle = uniqueHandle('boris');
  await page.goto(system.addresses.shell);
  const onboarding = page.getByTestId('onboarding');
  await onboarding.locator('input').nth(0).fill(handle);
  await onboarding.locator('input').nth(1).fill(name);
  await onboarding.getByRole('button').first().click();
  await expect(page.getByTestId('chat-app')).toBeVisible({ timeout: 20_000 });
  return { context, page, handle, name };
}

/** The settings of the microphone the page sends (a device's track on a live connection; not a stand-in). */
function microphoneSettings(page: Page): Promise<MediaTrackSettings | null> {
  return page.evaluate(() => {
    const pcs = (window as unknown as { __parleyPeerConnections: RTCPeerConnection[] }).__parleyPeerConnections.filter((pc) => pc.connectionState !== 'closed');
    const tracks = pcs.flatMap((pc) => pc.getSenders().map((s) => s.track)).filter((t) => t?.kind === 'audio' && t.readyState === 'live' && t.getSettings().deviceId !== undefined);
    return tracks.at(-1)?.getSettings() ?? null;
  });
}

/** Presses a control by keyboard, as someone without a mouse does. */
async function pressByKeyboard(page: Page, control: ReturnType<Page['getByRole']>, key = 'Enter'): Promise<void> {
  await control.focus();
  await page.keyboard.press(key);
}

test('group call: the audio switches of the call settings act on the group microphone and are remembered across a reload (en, ru, keyboard)', async ({ browser, system }) => {
  test.setTimeout(90_000);
  const alice = await callPerson(browser, system, 'Alice Liddell');
  const boris = await russianPerson(browser, system, 'Борис');
  await createGroup([alice, boris], 'Climbers');

  /** Starts the group call from the open group chat; the caller is in it, alone, at once. */
  const start = async (person: CallPerson, label: string) => {
    await person.page.getByRole('button', { name: label }).click();
    await expect(groupCall(person.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  };
  /** "More" of the group call's bar, by keyboard: the settings sheet's audio switches. */
  const openSwitches = async (person: CallPerson, labels: { controls: string; more: string; settings: string; audio: string }) => {
    const more = groupCall(person.page).getByRole('toolbar', { name: labels.controls }).getByRole('button', { name: labels.more });
    await pressByKeyboard(person.page, more);
    await expect(more).toHaveAttribute('aria-expanded', 'true');
    return { more, switches: person.page.getByRole('dialog', { name: labels.settings }).getByRole('group', { name: labels.audio }) };
  };
  const english = { controls: 'Call controls', more: 'More', settings: 'Call settings', audio: 'Audio processing' };

  await start(alice, 'Start group call');
  await expect.poll(async () => (await microphoneSettings(alice.page))?.noiseSuppression, { message: 'the fake microphone starts with noise suppression on' }).toBe(true);
  const opened = await openSwitches(alice, english);
  const more = opened.more;
  let switches = opened.switches;
  const noiseSuppression = switches.getByRole('switch', { name: 'Noise suppression' });
  await expect(noiseSuppression).toBeChecked();
  await expect(switches.getByRole('switch', { name: 'Echo cancellation' })).toBeChecked();
  await expect(switches.getByRole('switch', { name: 'Automatic gain' })).toBeChecked();
  await pressByKeyboard(alice.page, noiseSuppression, 'Space');
  await expect(noiseSuppression).not.toBeChecked();
  // The microphone the group call sends is opened again without it; the other switches stay.
  await expect.poll(async () => (await microphoneSettings(alice.page))?.noiseSuppression, { timeout: 10_000 }).toBe(false);
  expect((await microphoneSettings(alice.page))?.echoCancellation).toBe(true);
  // Escape closes the sheet and gives the focus back to "More".
  await alice.page.keyboard.press('Escape');
  await expect(switches).toHaveCount(0);
  await expect(more).toBeFocused();
  await groupCall(alice.page).getByRole('button', { name: 'Leave' }).click();

  // After a reload, the next group call opens the microphone without noise suppression, and says so.
  await alice.page.reload();
  await openGroup(alice.page, 'Climbers');
  await start(alice, 'Start group call');
  await expect.poll(async () => (await microphoneSettings(alice.page))?.noiseSuppression, { timeout: 10_000 }).toBe(false);
  ({ switches } = await openSwitches(alice, english));
  await expect(switches.getByRole('switch', { name: 'Noise suppression' })).not.toBeChecked();
  await expect(switches.getByRole('switch', { name: 'Echo cancellation' })).toBeChecked();
  await groupCall(alice.page).getByRole('button', { name: 'Leave' }).click();

  // In Russian, in Boris's own browser (his microphone's own settings: all on), automatic gain off.
  await start(boris, 'Начать групповой звонок');
  ({ switches } = await openSwitches(boris, { controls: 'Управление звонком', more: 'Ещё', settings: 'Настройки звонка', audio: 'Обработка звука' }));
  await expect(switches.getByRole('switch', { name: 'Шумоподавление' })).toBeChecked();
  const autoGain = switches.getByRole('switch', { name: 'Автоматическая громкость' });
  await expect(autoGain).toBeChecked();
  await pressByKeyboard(boris.page, autoGain, 'Space');
  await expect.poll(async () => (await microphoneSettings(boris.page))?.autoGainControl, { timeout: 10_000 }).toBe(false);
  expect((await microphoneSettings(boris.page))?.noiseSuppression).toBe(true);
  await boris.page.keyboard.press('Escape');

  // The group call in picture-in-picture, in Russian, from its button: Mute there mutes the call.
  await groupCall(boris.page).getByRole('button', { name: 'Картинка в картинке' }).click();
  await expect.poll(() => boris.context.pages().length, { message: 'the floating window opened' }).toBe(2);
  const pip = boris.context.pages().find((candidate) => candidate !== boris.page)!;
  const pipControls = pip.getByRole('region', { name: 'Звонок в режиме «картинка в картинке»' }).getByRole('toolbar', { name: 'Управление звонком' });
  for (const name of ['Выключить микрофон', 'Выйти']) await expect(pipControls.getByRole('button', { name, exact: true })).toBeVisible();
  await pressByKeyboard(pip, pipControls.getByRole('button', { name: 'Выключить микрофон' }), 'Space');
  await expect(groupCall(boris.page).getByRole('toolbar', { name: 'Управление звонком' }).getByRole('button', { name: 'Выключить микрофон', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await pipControls.getByRole('button', { name: 'Выйти' }).click();
  await expect(groupCall(boris.page)).not.toHaveAttribute('data-phase', 'active', { timeout: 10_000 });

  for (const person of [alice, boris]) await person.context.close();
});

test('"You are muted" shows while the user speaks muted, not unmuted, as a polite status (en, ru)', async ({ system }) => {
  test.setTimeout(90_000);
  // Both microphones talk: a WAV of voiced bursts as Chromium's fake microphone.
  const dir = mkdtempSync(join(tmpdir(), 'parley-talking-'));
  const speech = join(dir, 'speech.wav');
  writeWav(speech, speechLikeSamples(6));
  const talking = await chromium.launch({
    executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${speech}`],
    headless: true,
  });
  try {
    const alice = await callPerson(talking, system, 'Alice Liddell');
    const boris = await russianPerson(talking, system, 'Борис');
    await ring(alice, boris, 'Voice call');
    await boris.page.getByRole('button', { name: 'Принять' }).click();
    for (const person of [alice, boris]) await expect(callPanel(person.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });

    // Alice speaks, unmuted: Boris hears her (his meter of her moves), and she sees no hint.
    const hint = alice.page.getByRole('status').filter({ hasText: 'You are muted. Unmute to be heard.' });
    await expect.poll(() => boris.page.getByTestId('audio-level').evaluate((meter: HTMLMeterElement) => meter.value), { timeout: 15_000, message: 'Boris hears Alice speak' }).toBeGreaterThan(0.1);
    await expect(hint).toHaveCount(0);

    // Muted by keyboard, still speaking: the hint, a status (announced politely, not an alert).
    const mute = callPanel(alice.page).getByRole('toolbar', { name: 'Call controls' }).getByRole('button', { name: 'Mute', exact: true });
    await pressByKeyboard(alice.page, mute);
    await expect(mute).toHaveAttribute('aria-pressed', 'true');
    await expect(hint).toBeVisible({ timeout: 10_000 });
    await expect(hint).not.toHaveAttribute('aria-live', 'assertive');
    await expect(alice.page.getByRole('alert').filter({ hasText: 'You are muted' })).toHaveCount(0);

    // Unmuted: gone at once, and it stays away while she goes on speaking.
    await pressByKeyboard(alice.page, mute);
    await expect(mute).toHaveAttribute('aria-pressed', 'false');
    await expect(hint).toHaveCount(0);
    await alice.page.waitForTimeout(2_000);
    await expect(hint).toHaveCount(0);

    // Russian: Boris mutes himself while his microphone talks.
    const borisMute = callPanel(boris.page).getByRole('toolbar', { name: 'Управление звонком' }).getByRole('button', { name: 'Выключить микрофон', exact: true });
    await pressByKeyboard(boris.page, borisMute, 'Space');
    await expect(boris.page.getByRole('status').filter({ hasText: 'Ваш микрофон выключен. Включите его, чтобы вас услышали.' })).toBeVisible({ timeout: 10_000 });
    await pressByKeyboard(boris.page, borisMute, 'Space');
    await expect(boris.page.getByRole('status').filter({ hasText: 'Ваш микрофон выключен' })).toHaveCount(0);

    await callPanel(alice.page).getByRole('button', { name: 'Hang up' }).click();
    for (const person of [alice, boris]) await person.context.close();
  } finally {
    await talking.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.describe('picture-in-picture on a tab switch: headful Chromium over HTTPS', () => {
  let deployment: HttpsDeployment | null = null;
  let display: VirtualDisplay | null = null;
  const missing = () => httpsDeploymentMissing() ?? xvfbMissing();
  test.beforeAll(async () => {
    test.setTimeout(90_000);
    if (missing()) return;
    display = await startXvfb();
    deployment = await startHttpsDeployment();
  });
  test.afterAll(async () => {
    await deployment?.stop();
    display?.stop();
  });
  test.beforeEach(() => skipWhenMissing(missing()));

  test('during a video call: another chat keeps it in the floating bar; another tab opens picture-in-picture by itself, whose Mute and Hang up act on the call', async () => {
    test.setTimeout(120_000);
    const { system, browserOptions } = deployment!;
    const others = await deployment!.launchBrowser();
    // Alice: a profile of her own (not incognito), headful on the private display, camera and
    // microphone granted (not the fake permission UI, which the capture indicator never hears of).
    const profile = mkdtempSync(join(tmpdir(), 'parley-pip-profile-'));
    // Automatic picture-in-picture allowed for the site, as a user who answered Chromium's question
    // once: while the question shows over the window (the setting's default, "ask"), no click or key
    // reaches the window's controls.
    mkdirSync(join(profile, 'Default'));
    writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { content_settings: { exceptions: { auto_picture_in_picture: { [`${system.addresses.shell}:443,*`]: { setting: 1 } } } } } }));
    const alice = await chromium.launchPersistentContext(profile, {
      ...browserOptions,
      args: browserOptions.args.filter((arg) => arg !== '--use-fake-ui-for-media-stream'),
      env: { ...browserOptions.env, DISPLAY: display!.display },
      headless: false,
      locale: 'en-US',
    });
    try {
      await alice.grantPermissions(['camera', 'microphone'], { origin: system.addresses.shell });
      await recordPeerConnections(alice);
      const page = alice.pages()[0] ?? (await alice.newPage());
      const aliceHandle = uniqueHandle('alice');
      await onboard(page, system, aliceHandle, 'Alice Liddell');
      const bob = await callPerson(others, system, 'Bob Dylan');
      const carol = await callPerson(others, system, 'Carol King');

      // Alice video-calls Bob.
      await openConversation(page, bob.handle);
      await page.getByRole('button', { name: 'Video call' }).click();
      await expect(callPanel(bob.page)).toHaveAttribute('data-phase', 'incoming', { timeout: 20_000 });
      await bob.page.getByRole('button', { name: 'Accept' }).click();
      for (const p of [page, bob.page]) await expect(callPanel(p)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });

      // Back to the chat, and another chat opened: the call goes on in the floating bar, whose
      // Mute and Camera act on the call (Bob is told), by keyboard.
      await callPanel(page).getByRole('button', { name: 'Back to chat' }).click();
      await openConversation(page, carol.handle);
      const mini = page.getByRole('complementary', { name: 'Ongoing call with Bob Dylan' });
      await expect(mini).toBeVisible();
      await pressByKeyboard(page, mini.getByRole('button', { name: 'Mute' }));
      await expect(bob.page.getByTestId('peer-muted')).toHaveText('Alice Liddell muted', { timeout: 10_000 });
      await pressByKeyboard(page, mini.getByRole('button', { name: 'Camera' }));
      await expect(bob.page.getByTestId('peer-camera-off')).toHaveText("Alice Liddell's camera is off", { timeout: 10_000 });
      await pressByKeyboard(page, mini.getByRole('button', { name: 'Camera' }));
      await pressByKeyboard(page, mini.getByRole('button', { name: 'Mute' }));
      await expect(bob.page.getByTestId('peer-muted')).toHaveCount(0, { timeout: 10_000 });
      await expect(bob.page.getByTestId('peer-camera-off')).toHaveCount(0, { timeout: 10_000 });
      // Bob hears Alice again.
      const heard = async () => (await callStats(bob.page)).audioEnergy;
      let before = await heard();
      await expect.poll(async () => (await heard()) - before, { timeout: 10_000, message: 'Bob hears Alice' }).toBeGreaterThan(1e-4);

      // Alice opens another tab: Chromium asks the call (the Media Session action) and the
      // floating window opens by itself, with the call's controls.
      const elsewhere = await alice.newPage();
      await elsewhere.bringToFront();
      const pipOpen = () => page.evaluate(() => !!(globalThis as { documentPictureInPicture?: { window: Window | null } }).documentPictureInPicture?.window);
      await expect.poll(pipOpen, { timeout: 15_000, message: 'Chromium opened the floating window by itself' }).toBe(true);
      // The floating window is a page of Alice's browser too: the one that is neither tab.
      await expect.poll(() => alice.pages().length).toBe(3);
      const pip = alice.pages().find((candidate) => candidate !== page && candidate !== elsewhere)!;
      const floating = pip.getByRole('region', { name: 'Call in picture-in-picture' });
      await expect(floating).toBeVisible();
      await expect(floating.getByRole('timer')).toHaveText(/^\d+:\d\d$/);
      const controls = floating.getByRole('toolbar', { name: 'Call controls' });
      await expect(controls.getByRole('button')).toHaveCount(3);
      for (const name of ['Mute', 'Camera', 'Hang up']) await expect(controls.getByRole('button', { name, exact: true })).toBeVisible();

      // Mute in the floating window, by keyboard: the call is muted (the floating bar's Mute says
      // so, Bob is told, and what Bob receives of Alice carries no more sound).
      await pressByKeyboard(pip, controls.getByRole('button', { name: 'Mute' }));
      await expect(mini.getByRole('button', { name: 'Mute' })).toHaveAttribute('aria-pressed', 'true');
      await expect(controls.getByRole('button', { name: 'Mute' })).toHaveAttribute('aria-pressed', 'true');
      await expect(bob.page.getByTestId('peer-muted')).toHaveText('Alice Liddell muted', { timeout: 10_000 });
      await expect
        .poll(
          async () => {
            before = await heard();
            await bob.page.waitForTimeout(2_000);
            return (await heard()) - before;
          },
          { timeout: 15_000, message: 'Bob receives silence from Alice' },
        )
        .toBeLessThan(1e-6);

      // Hang up in the floating window ends the call for both, and the window closes with it.
      await controls.getByRole('button', { name: 'Hang up' }).click();
      for (const p of [page, bob.page]) await expect(callPanel(p)).not.toHaveAttribute('data-phase', 'active', { timeout: 15_000 });
      await expect(callPanel(bob.page)).toHaveAttribute('data-outcome', 'hung-up');
      await expect.poll(pipOpen, { message: 'the floating window closed with the call' }).toBe(false);
    } finally {
      await alice.close();
      await others.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
