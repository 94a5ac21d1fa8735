/**
 * The call app end to end in Chromium, without accounts or a server: the call lab page
 * (apps/call/src/testing/call-lab.tsx) shows two users' call apps side by side, each with the real
 * engine, UI and SFrame-encrypted WebRTC media, their signaling carried in the page and their
 * timers on a manual clock.
 */
import { type Locator, type Page, expect, test } from '@playwright/test';
import { type ServedLab, buildCallLab } from '../fixtures/call-lab-build.js';

let lab: ServedLab;

test.beforeAll(async () => {
  lab = await buildCallLab('src/testing/call-lab.tsx');
});

test.afterAll(async () => {
  await lab?.close();
});

type Who = 'alice' | 'bob';
interface Inbound {
  packetsReceived: number;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  totalSamplesReceived: number;
  totalAudioEnergy: number;
}
interface LabWindow {
  callLab: {
    call(from: Who, media: 'audio' | 'video'): void;
    entries(who: Who): { outcome: string; direction: string; durationMs: number | null; media: string }[];
    advance(ms: number): void;
    corruptKeyOf(who: Who): void;
    inbound(who: Who): Promise<Partial<Record<'audio' | 'video', Inbound>>>;
    outboundVideo(who: Who): Promise<{ sourceWidth: number; sourceHeight: number; frameWidth: number; frameHeight: number }>;
    simulateMediaFailure(who: Who): void;
    signalKinds(): string[];
    iceUfrag(who: Who): string | null;
    counters(who: Who): { side: string; kind: string; slot: number; ok: number; dropped: number }[];
  };
}

async function open(page: Page, locale = 'en-US') {
  page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
  await page.goto(`${lab.origin}/?locale=${locale}`);
  await expect(page).toHaveTitle('call lab ready');
  return { alice: page.locator('#alice'), bob: page.locator('#bob') };
}

const call = (page: Page, from: Who, media: 'audio' | 'video') => page.evaluate(([f, m]) => (window as unknown as LabWindow).callLab.call(f as Who, m as 'audio' | 'video'), [from, media]);
const inbound = (page: Page, who: Who) => page.evaluate((w) => (window as unknown as LabWindow).callLab.inbound(w as Who), who);
const entries = (page: Page, who: Who) => page.evaluate((w) => (window as unknown as LabWindow).callLab.entries(w as Who), who);
const phase = (side: Locator) => side.getByTestId('call-panel');

async function connect(page: Page, media: 'audio' | 'video') {
  const sides = await open(page);
  await call(page, 'alice', media);
  await expect(phase(sides.alice)).toHaveAttribute('data-phase', 'outgoing');
  await expect(sides.alice).toContainText('Calling Bob…');
  await expect(phase(sides.bob)).toHaveAttribute('data-phase', 'incoming');
  await expect(sides.bob).toContainText('Alice is calling');
  // Accept has the focus: the keyboard alone answers.
  await expect(sides.bob.getByRole('button', { name: 'Accept' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(phase(sides.alice)).toHaveAttribute('data-phase', 'active');
  await expect(phase(sides.bob)).toHaveAttribute('data-phase', 'active');
  return sides;
}

test('video call: accepted from the keyboard, video and audio decode both ways, controls work', async ({ page }) => {
  const { alice, bob } = await connect(page, 'video');
  for (const who of ['alice', 'bob'] as const) {
    await expect.poll(async () => {
      const stats = await inbound(page, who);
      return (stats.video?.framesDecoded ?? 0) > 10 && (stats.audio?.totalSamplesReceived ?? 0) > 0;
    }, { timeout: 15_000 }).toBe(true);
    // The sender captures the fake camera at its size, and frames arrive at the size they were
    // encoded (WebRTC may encode smaller while bandwidth ramps up or the CPU is short, so the exact
    // 640x480 on the wire is not a promise a loaded 2-core machine keeps).
    const peer: Who = who === 'alice' ? 'bob' : 'alice';
    await expect
      .poll(async () => {
        const sent = await page.evaluate((w) => (window as unknown as LabWindow).callLab.outboundVideo(w as Who), peer);
        const received = (await inbound(page, who)).video!;
        return { source: [sent.sourceWidth, sent.sourceHeight], arrivedAsSent: received.frameWidth > 0 && received.frameWidth === sent.frameWidth && received.frameHeight === sent.frameHeight };
      }, { timeout: 15_000 })
      .toEqual({ source: [640, 480], arrivedAsSent: true });
  }
  for (const side of [alice, bob]) {
    for (const name of ['Mute', 'Camera', 'Share screen', 'Hang up']) await expect(side.getByRole('button', { name, exact: true })).toBeVisible();
    await expect(side.getByTestId('call-elapsed')).toHaveText(/^\d+:\d\d$/);
    await expect(side.getByTestId('call-quality')).not.toHaveAttribute('data-bars', '0');
    // Devices and statistics sit in the call's settings sheet, behind "More".
    await side.getByRole('button', { name: 'More' }).click();
    await expect(side.getByRole('dialog', { name: 'Call settings' })).toBeVisible();
    await expect(side.getByRole('combobox', { name: 'Microphone' })).toBeVisible();
    await expect(side.getByRole('combobox', { name: 'Camera device' })).toBeVisible();
    await expect(side.getByRole('combobox', { name: 'Speaker' })).toBeVisible();
  }
  // The stats panel opens and shows what arrives.
  await bob.getByText('Statistics').click();
  // WebRTC starts below the camera's size and ramps up as bandwidth estimates grow (slower on a busy machine).
  await expect(bob.getByTestId('stats-resolution')).toHaveText('640×480', { timeout: 30_000 });

  // Camera off: no more frames reach Bob, who sees her avatar instead of a frozen frame. Camera on:
  // they come back. Pressed means off, as for Mute.
  await alice.getByRole('button', { name: 'Camera', exact: true }).click();
  await expect(alice.getByRole('button', { name: 'Camera', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(bob.getByTestId('peer-camera-off')).toHaveText('Alice\'s camera is off', { timeout: 10_000 });
  await page.waitForTimeout(500);
  const off = (await inbound(page, 'bob')).video!.framesDecoded;
  await page.waitForTimeout(1_500);
  expect((await inbound(page, 'bob')).video!.framesDecoded).toBe(off);
  await alice.getByRole('button', { name: 'Camera', exact: true }).click();
  await expect(alice.getByRole('button', { name: 'Camera', exact: true })).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(async () => (await inbound(page, 'bob')).video!.framesDecoded, { timeout: 10_000 }).toBeGreaterThan(off);
  await expect(bob.getByTestId('peer-camera-off')).toHaveCount(0, { timeout: 10_000 });

  // Mute: Alice's microphone is off (aria-pressed) and Bob stops receiving her sound's energy.
  await alice.getByRole('button', { name: 'Mute' }).click();
  await expect(alice.getByRole('button', { name: 'Mute' })).toHaveAttribute('aria-pressed', 'true');
  await page.waitForTimeout(500);
  const energy = (await inbound(page, 'bob')).audio!.totalAudioEnergy;
  await page.waitForTimeout(1_500);
  expect((await inbound(page, 'bob')).audio!.totalAudioEnergy - energy).toBeLessThan(0.001);

  // A minute later on the engine's clock, the elapsed time shows it; Bob hangs up.
  await page.evaluate(() => (window as unknown as LabWindow).callLab.advance(61_000));
  await expect(bob.getByTestId('call-elapsed')).toHaveText(/^1:0\d$/);
  await bob.getByRole('button', { name: 'Hang up' }).click();
  await expect(phase(alice)).toHaveAttribute('data-outcome', 'hung-up');
  await expect(phase(bob)).toHaveAttribute('data-outcome', 'hung-up');
  const [aliceEntries, bobEntries] = [await entries(page, 'alice'), await entries(page, 'bob')];
  expect(aliceEntries).toEqual([expect.objectContaining({ outcome: 'hung-up', direction: 'outgoing', media: 'video' })]);
  expect(bobEntries).toEqual([expect.objectContaining({ outcome: 'hung-up', direction: 'incoming' })]);
  expect(aliceEntries[0]!.durationMs).toBeGreaterThanOrEqual(61_000);
  await expect(alice.getByTestId('call-duration')).toHaveText(/^1:0\d$/);
});

test('voice call: audio decodes both ways, and there is no camera or screen sharing', async ({ page }) => {
  const { alice, bob } = await connect(page, 'audio');
  for (const who of ['alice', 'bob'] as const) {
    await expect.poll(async () => (await inbound(page, who)).audio?.totalSamplesReceived ?? 0, { timeout: 15_000 }).toBeGreaterThan(0);
    expect((await inbound(page, who)).video).toBeUndefined();
  }
  for (const side of [alice, bob]) {
    await expect(side.getByRole('button', { name: 'Mute' })).toBeVisible();
    await expect(side.getByRole('button', { name: 'Share screen' })).toHaveCount(0);
    await expect(side.getByRole('button', { name: 'Camera', exact: true })).toHaveCount(0);
  }
  await alice.getByRole('button', { name: 'Hang up' }).click();
  await expect(phase(bob)).toHaveAttribute('data-outcome', 'hung-up');
});

test('screen sharing: a warning first, then the receiver decodes the 1280x720 screen and hears its audio; stop returns the camera', async ({ page }) => {
  const { alice, bob } = await connect(page, 'video');
  // Frames Bob decrypted on the screen-audio slot (2): none before sharing.
  const screenAudioFrames = async () =>
    (await page.evaluate(() => (window as unknown as LabWindow).callLab.counters('bob'))).filter((c) => c.side === 'receive' && c.slot === 2).reduce((n, c) => n + c.ok, 0);
  await page.waitForTimeout(600);
  expect(await screenAudioFrames()).toBe(0);
  await alice.getByRole('button', { name: 'Share screen' }).click();
  const warning = alice.getByRole('alertdialog', { name: 'Share your screen?' });
  await expect(warning).toContainText('Bob will see everything on the screen you share, including private information');
  // Cancel keeps the camera.
  await warning.getByRole('button', { name: 'Cancel' }).click();
  await expect(warning).toHaveCount(0);
  await alice.getByRole('button', { name: 'Share screen' }).click();
  await alice.getByRole('alertdialog').getByRole('button', { name: 'Share', exact: true }).click();
  await expect(alice.getByTestId('sharing-screen')).toBeVisible();
  // Bob is told who shares (Alice's app says so in a media-state signal).
  await expect(bob.getByText('Alice is sharing their screen')).toBeVisible({ timeout: 10_000 });
  await expect.poll(async () => {
    const video = (await inbound(page, 'bob')).video!;
    return [video.frameWidth, video.frameHeight];
  }, { timeout: 15_000 }).toEqual([1280, 720]);
  // The screen's audio (Chromium's fake capture has some) arrives encrypted on its own KID and plays.
  await expect.poll(screenAudioFrames, { timeout: 10_000 }).toBeGreaterThan(10);
  await alice.getByRole('button', { name: 'Stop sharing' }).click();
  await expect(bob.getByText('Alice is sharing their screen')).toHaveCount(0, { timeout: 10_000 });
  await expect.poll(async () => {
    const video = (await inbound(page, 'bob')).video!;
    return [video.frameWidth, video.frameHeight];
  }, { timeout: 15_000 }).toEqual([640, 480]);
  // The screen's audio stops: within a few seconds (frames in flight, counters reported twice a
  // second, a loaded CI machine) the counter stops growing. If it never stops, this times out.
  await expect
    .poll(
      async () => {
        const before = await screenAudioFrames();
        await page.waitForTimeout(1_200);
        return (await screenAudioFrames()) - before;
      },
      { timeout: 15_000 },
    )
    .toBeLessThan(5);
});

/** What the page's next `getDisplayMedia` does: the browser's own capture, or one of the ways it ends without a screen. */
type CaptureOutcome = 'real' | 'user-cancelled' | 'no-screen' | 'refused-by-system' | 'video-only';

/**
 * Makes `getDisplayMedia` end as the test says (before the page loads): a person's cancel, a capture
 * that fails as headless Firefox's does (NotFoundError), a system that forbids capture (Chromium's
 * "Permission denied by system"), or a real screen without sound, as Firefox always gives.
 */
async function controlScreenCapture(page: Page): Promise<(outcome: CaptureOutcome) => Promise<void>> {
  await page.addInitScript(() => {
    const devices = navigator.mediaDevices;
    const native = devices.getDisplayMedia.bind(devices);
    const scope = window as unknown as { __nextCapture: string };
    scope.__nextCapture = 'real';
    devices.getDisplayMedia = async (constraints?: DisplayMediaStreamOptions) => {
      switch (scope.__nextCapture) {
        case 'user-cancelled':
          throw new DOMException('Permission denied', 'NotAllowedError');
        case 'no-screen':
          throw new DOMException('The object can not be found here.', 'NotFoundError');
        case 'refused-by-system':
          throw new DOMException('Permission denied by system', 'NotAllowedError');
        case 'video-only':
          return native({ video: true, audio: false });
        default:
          return native(constraints);
      }
    };
  });
  return (outcome) => page.evaluate((next) => void ((window as unknown as { __nextCapture: string }).__nextCapture = next), outcome);
}

test('a screen capture that fails is an error the sharer is told about, not a cancel; a screen without sound says so', async ({ page }) => {
  const nextCapture = await controlScreenCapture(page);
  const { alice, bob } = await connect(page, 'video');
  const share = async () => {
    await alice.getByRole('button', { name: 'Share screen' }).click();
    await alice.getByRole('alertdialog').getByRole('button', { name: 'Share', exact: true }).click();
  };
  const notice = alice.getByTestId('screen-notice');

  // The person closes the browser's picker: their choice, nothing to say, the camera stays.
  await nextCapture('user-cancelled');
  await share();
  await expect(alice.getByRole('button', { name: 'Share screen' })).toBeEnabled();
  await expect(notice).toHaveCount(0);
  await expect(alice.getByTestId('sharing-screen')).toHaveCount(0);

  // No screen to capture (headless Firefox, a broken capture): an alert, and nothing is shared.
  await nextCapture('no-screen');
  await share();
  await expect(alice.getByRole('alert').filter({ hasText: 'Your screen could not be shared' })).toHaveText(
    'Your screen could not be shared. Check that this browser is allowed to capture the screen, then try again.',
  );
  await expect(alice.getByTestId('sharing-screen')).toHaveCount(0);
  await expect(bob.getByText('Alice is sharing their screen')).toHaveCount(0);

  // The operating system refuses (not the person): also a failure, not a cancel.
  await nextCapture('user-cancelled');
  await share();
  await expect(notice).toHaveCount(0);
  await nextCapture('refused-by-system');
  await share();
  await expect(notice).toHaveAttribute('role', 'alert');
  await expect(notice).toContainText('Your screen could not be shared');

  // A screen without its sound (all Firefox gives): shared, and the sharer is told, politely.
  await nextCapture('video-only');
  await share();
  await expect(alice.getByTestId('sharing-screen')).toBeVisible();
  await expect(notice).toHaveAttribute('role', 'status');
  await expect(notice).toHaveText('Your screen is shared without its sound: this browser, or the source you chose, gives none.');
  await expect(bob.getByText('Alice is sharing their screen')).toBeVisible({ timeout: 10_000 });
  await alice.getByRole('button', { name: 'Stop sharing' }).click();
  await expect(notice).toHaveCount(0);
});

test('decline: the caller is told, and both sides log the call', async ({ page }) => {
  const { alice, bob } = await open(page);
  await call(page, 'alice', 'audio');
  await bob.getByRole('button', { name: 'Decline' }).click();
  await expect(phase(alice)).toHaveAttribute('data-outcome', 'declined');
  await expect(alice).toContainText('Bob declined the call');
  // Bob declined: his own screen says so, not that Alice did.
  await expect(bob.getByTestId('call-title')).toHaveText('You declined the call');
  expect(await entries(page, 'alice')).toEqual([expect.objectContaining({ outcome: 'declined', durationMs: null })]);
  expect(await entries(page, 'bob')).toEqual([expect.objectContaining({ outcome: 'declined', direction: 'incoming' })]);
});

test('no answer in 45 s (manual clock): missed on both sides; cancel is a missed call for the callee', async ({ page }) => {
  const { alice, bob } = await open(page);
  await call(page, 'alice', 'video');
  await expect(phase(bob)).toHaveAttribute('data-phase', 'incoming');
  await page.evaluate(() => (window as unknown as LabWindow).callLab.advance(45_000));
  await expect(phase(alice)).toHaveAttribute('data-outcome', 'missed');
  await expect(alice).toContainText('No answer');
  await expect(bob).toContainText('Missed call from Alice');
  for (const side of [alice, bob]) await side.getByRole('button', { name: 'OK' }).click();

  await call(page, 'bob', 'audio');
  await expect(phase(alice)).toHaveAttribute('data-phase', 'incoming');
  await bob.getByRole('button', { name: 'Hang up' }).click();
  await expect(phase(bob)).toHaveAttribute('data-outcome', 'cancelled');
  await expect(alice).toContainText('Missed call from Bob');
});

test('glare: both call at once and end up in one call', async ({ page }) => {
  const { alice, bob } = await open(page);
  await page.evaluate(() => {
    const lab = (window as unknown as LabWindow).callLab;
    lab.call('alice', 'audio');
    lab.call('bob', 'audio');
  });
  await expect(phase(alice)).toHaveAttribute('data-phase', 'active');
  await expect(phase(bob)).toHaveAttribute('data-phase', 'active');
});

test('a corrupted key: the receiver names the participant it cannot decrypt', async ({ page }) => {
  const { bob } = await connect(page, 'video');
  await expect(bob.getByTestId('decrypt-failing')).toHaveCount(0);
  await page.evaluate(() => (window as unknown as LabWindow).callLab.corruptKeyOf('bob'));
  await expect(bob.getByTestId('decrypt-failing')).toHaveText("Can't decrypt media from Alice. Their audio and video are dropped.");
  await bob.getByRole('button', { name: 'More' }).click();
  await bob.getByText('Statistics').click();
  await expect.poll(async () => Number(await bob.getByTestId('stats-decrypt-drops').textContent())).toBeGreaterThan(0);
});

test('media failure in a call: the caller restarts ICE with fresh credentials through the signaling channel, and media keeps decoding', async ({ page }) => {
  const { alice, bob } = await connect(page, 'video');
  await expect.poll(async () => (await inbound(page, 'bob')).video?.framesDecoded ?? 0, { timeout: 15_000 }).toBeGreaterThan(10);
  const before = { alice: await page.evaluate(() => (window as unknown as LabWindow).callLab.iceUfrag('alice')), bob: await page.evaluate(() => (window as unknown as LabWindow).callLab.iceUfrag('bob')) };
  await page.evaluate(() => (window as unknown as LabWindow).callLab.simulateMediaFailure('alice'));
  await expect.poll(() => page.evaluate(() => (window as unknown as LabWindow).callLab.signalKinds())).toEqual(expect.arrayContaining(['ice-restart', 'ice-restart-answer']));
  await expect(phase(alice)).toHaveAttribute('data-phase', 'active');
  await expect(alice.getByTestId('call-reconnecting')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as LabWindow).callLab.iceUfrag('alice'))).not.toBe(before.alice);
  expect(await page.evaluate(() => (window as unknown as LabWindow).callLab.iceUfrag('bob'))).not.toBe(before.bob);
  // The transforms survive the restart: frames still decrypt and decode both ways.
  for (const who of ['alice', 'bob'] as const) {
    const decoded = (await inbound(page, who)).video!.framesDecoded;
    await expect.poll(async () => (await inbound(page, who)).video!.framesDecoded, { timeout: 10_000 }).toBeGreaterThan(decoded + 10);
  }
  await expect(bob.getByTestId('decrypt-failing')).toHaveCount(0);
});

test('Russian: the incoming screen, controls and screen-sharing notices speak Russian', async ({ page }) => {
  const nextCapture = await controlScreenCapture(page);
  const { alice, bob } = await open(page, 'ru-RU');
  await call(page, 'alice', 'video');
  await expect(bob).toContainText('Вам звонит Alice');
  await expect(bob.getByRole('button', { name: 'Отклонить' })).toBeVisible();
  await bob.getByRole('button', { name: 'Принять' }).click();
  await expect(phase(alice)).toHaveAttribute('data-phase', 'active');
  const share = async () => {
    await alice.getByRole('button', { name: 'Показать экран' }).click();
    await alice.getByRole('alertdialog').getByRole('button', { name: 'Показать', exact: true }).click();
  };
  await nextCapture('no-screen');
  await share();
  await expect(alice.getByTestId('screen-notice')).toHaveText('Не удалось показать экран. Проверьте, что браузеру разрешено захватывать экран, и попробуйте снова.');
  await nextCapture('video-only');
  await share();
  await expect(alice.getByTestId('screen-notice')).toHaveText('Экран показывается без звука: этот браузер или выбранный источник его не передаёт.');
});
