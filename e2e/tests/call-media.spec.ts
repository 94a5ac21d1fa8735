/**
 * Call media encryption in a real Chromium, without accounts or a server: the call app's media lab
 * page (apps/call/src/media/testing/media-lab.ts, built here into a temporary folder) runs two
 * `RtcCallMedia` sessions in one page over loopback with the fake camera and microphone, with SFrame
 * transforms (RTCRtpScriptTransform, in a worker) on every sender and receiver.
 */
import { type Page, expect, test } from '@playwright/test';
import { type ServedLab, buildCallLab } from '../fixtures/call-lab-build.js';
import { expectEncryptedMedia, plaintextPayloadBytes, plaintextWindowsIn, sharedFrames, tapSFrameWorkers, wireTapReport } from '../support/sframe-wire.js';

let lab: ServedLab;

test.beforeAll(async () => {
  lab = await buildCallLab('src/media/testing/media-lab.ts');
});

test.afterAll(async () => {
  await lab?.close();
});

interface FramesOnWire {
  count: number;
  sframeWithExpectedKid: number;
  counters: number[];
}

type Report = Record<string, {
  connection: string;
  inbound: Record<'audio' | 'video', { packetsReceived: number; framesDecoded: number; framesReceived: number; totalSamplesReceived: number; frameWidth: number; frameHeight: number }>;
  counters: { side: string; kind: string; ok: number; dropped: number; lastFailure: string | null; lastFailedSender: number | null }[];
  health: { decrypted: number; dropped: number; failing: boolean; lastFailure: string | null };
  videoTime: number;
  videoSize: number[];
  audioFrames?: FramesOnWire;
  videoFrames?: FramesOnWire;
}>;

async function startLab(page: Page, scenario: 'right-keys' | 'wrong-key' | 'eavesdropper' | 'callee-without-camera'): Promise<void> {
  page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
  await tapSFrameWorkers(page);
  await page.goto(lab.origin);
  await expect(page).toHaveTitle('media lab ready');
  await page.evaluate((s) => (window as unknown as { lab: { start(s: string): Promise<void> } }).lab.start(s), scenario);
}

const report = (page: Page) => page.evaluate(() => (window as unknown as { lab: { report(): Promise<Report> } }).lab.report());
const sum = (counters: Report[string]['counters'], side: string, kind: string, field: 'ok' | 'dropped') =>
  counters.filter((c) => c.side === side && c.kind === kind).reduce((total, c) => total + c[field], 0);

test('right keys: video and audio decode in both directions through SFrame', async ({ page }) => {
  await startLab(page, 'right-keys');
  await expect.poll(async () => {
    const r = await report(page);
    return ['caller', 'callee'].every((side) => r[side]!.inbound.video.framesDecoded > 10 && r[side]!.inbound.audio.totalSamplesReceived > 0 && r[side]!.videoTime > 0.3);
  }, { timeout: 20_000 }).toBe(true);
  const r = await report(page);
  for (const side of ['caller', 'callee']) {
    const { counters, health, videoSize } = r[side]!;
    // Every frame went through the transforms: encrypted on send, decrypted on receive, both kinds.
    expect(sum(counters, 'send', 'video', 'ok')).toBeGreaterThan(0);
    expect(sum(counters, 'send', 'audio', 'ok')).toBeGreaterThan(0);
    expect(sum(counters, 'receive', 'video', 'ok')).toBeGreaterThan(0);
    expect(sum(counters, 'receive', 'audio', 'ok')).toBeGreaterThan(0);
    expect(health.failing).toBe(false);
    expect(videoSize[0]).toBeGreaterThan(0);
  }
  // And what travels is ciphertext of what each side encoded, decrypted by the other.
  await expectEncryptedMedia([{ page, name: 'caller' }, { page, name: 'callee' }], ['audio', 'video']);
});

test('the bytes on the wire are SFrame ciphertext: a receiver without the key cannot play them', async ({ page }) => {
  await startLab(page, 'eavesdropper');
  await expect.poll(async () => (await report(page)).eavesdropper!.inbound.video.framesReceived, { timeout: 20_000 }).toBeGreaterThan(60);
  const r = await report(page);
  const plain = r.eavesdropper!;
  // Every frame it captured carries an SFrame header with the caller's KID for that track
  // (participant 0: microphone 0, camera 1 after VP8's clear payload header) and a running frame
  // counter: not Opus, not a VP8 picture. (A frame may arrive twice, e.g. rebuilt from audio
  // redundancy, so the counters are not asserted strictly increasing.)
  for (const frames of [plain.audioFrames!, plain.videoFrames!]) {
    expect(frames.count).toBeGreaterThan(10);
    expect(frames.sframeWithExpectedKid).toBe(frames.count);
    expect(new Set(frames.counters).size).toBeGreaterThan(10);
  }
  // Its VP8 decoder rejects what arrives (a random payload behind a valid VP8 header decodes by
  // chance very rarely).
  expect(plain.inbound.video.framesDecoded).toBeLessThan(plain.inbound.video.framesReceived / 10);
  // Behind those headers no plaintext: the caller's frames as its transforms saw them before
  // encryption are the ones the eavesdropper got (same KID and CTR), and no 16-byte run of their
  // payload (after VP8's clear payload header) is in what it got.
  const { sent } = await wireTapReport(page);
  const wire = await page.evaluate(() => (window as unknown as { lab: { wireFrames(): { audio: string[]; video: string[] } } }).lab.wireFrames());
  for (const kind of ['audio', 'video'] as const) {
    const plaintext = sent.filter((f) => f.kind === kind);
    const received = wire[kind].map((b) => ({ kind, bytes: Buffer.from(b, 'base64') }));
    expect(plaintextPayloadBytes(plaintext)).toBeGreaterThan(1_000);
    expect(sharedFrames(plaintext, received)).toBeGreaterThanOrEqual(3);
    expect(plaintextWindowsIn(plaintext, received.map((f) => f.bytes))).toEqual([]);
  }
  // The caller encrypts, and drops the eavesdropper's clear frames instead of playing them.
  expect(sum(r.caller!.counters, 'send', 'video', 'ok')).toBeGreaterThan(0);
  expect(r.caller!.inbound.video.framesDecoded).toBe(0);
  expect(r.caller!.health.dropped).toBeGreaterThan(0);
});

test('a wrong key decodes nothing while packets keep arriving, and the failures are counted', async ({ page }) => {
  await startLab(page, 'wrong-key');
  await expect.poll(async () => (await report(page)).callee!.inbound.video.packetsReceived, { timeout: 20_000 }).toBeGreaterThan(100);
  const first = await report(page);
  await page.waitForTimeout(1_500);
  const r = await report(page);
  const callee = r.callee!;
  expect(callee.inbound.video.packetsReceived).toBeGreaterThan(first.callee!.inbound.video.packetsReceived);
  expect(callee.inbound.video.framesDecoded).toBe(0);
  expect(sum(callee.counters, 'receive', 'video', 'ok')).toBe(0);
  expect(sum(callee.counters, 'receive', 'audio', 'ok')).toBe(0);
  expect(callee.health.dropped).toBeGreaterThan(first.callee!.health.dropped);
  expect(callee.health.failing).toBe(true);
  expect(callee.health.lastFailure).toBe('authentication-failed');
  // Failures name the sender by the KID: participant 0, the caller.
  const failing = callee.counters.filter((c) => c.side === 'receive' && c.dropped > 0);
  expect(failing.length).toBeGreaterThanOrEqual(2);
  expect(failing.every((c) => c.lastFailedSender === 0)).toBe(true);
  // The other direction has the right key and plays.
  expect(r.caller!.inbound.video.framesDecoded).toBeGreaterThan(0);
});

test('a key corrupted mid-call stops decoding from then on (the test hook of the call app)', async ({ page }) => {
  await startLab(page, 'right-keys');
  await expect.poll(async () => (await report(page)).callee!.inbound.video.framesDecoded, { timeout: 20_000 }).toBeGreaterThan(10);
  await page.evaluate(() => (window as unknown as { lab: { corruptCalleeKey(): void } }).lab.corruptCalleeKey());
  await page.waitForTimeout(1_000);
  const before = await report(page);
  await page.waitForTimeout(1_500);
  const after = await report(page);
  expect(after.callee!.inbound.video.packetsReceived).toBeGreaterThan(before.callee!.inbound.video.packetsReceived);
  expect(after.callee!.inbound.video.framesDecoded).toBe(before.callee!.inbound.video.framesDecoded);
  expect(after.callee!.health.dropped).toBeGreaterThan(before.callee!.health.dropped);
  expect(after.callee!.health.failing).toBe(true);
});

test('a callee without a camera still receives the caller\'s encrypted video (its receiver was protected before negotiation)', async ({ page }) => {
  await startLab(page, 'callee-without-camera');
  await expect.poll(async () => (await report(page)).callee!.inbound.video.framesDecoded, { timeout: 20_000 }).toBeGreaterThan(10);
  const r = await report(page);
  expect(sum(r.callee!.counters, 'receive', 'video', 'ok')).toBeGreaterThan(0);
  // Nothing comes back on video; audio flows both ways.
  expect(r.caller!.inbound.video.framesReceived).toBe(0);
  await expect.poll(async () => (await report(page)).caller!.inbound.audio.totalSamplesReceived).toBeGreaterThan(0);
});
