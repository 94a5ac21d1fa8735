/**
 * Attachments and voice messages (issue 18) between two browsers: a photo and a PDF reach the
 * other person and the sender's linked browser, which open them; the server's data folder (blob
 * folder and database) holds none of their bytes; a blob changed on the server is refused with a
 * visible error; an upload over the quota says so and leaves nothing behind; a voice message
 * recorded from Chromium's fake microphone is played on the other side.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Browser, Page } from '@playwright/test';
import { attach, attachments, downloadFile, pdfWith } from '../support/attachments.js';
import { expect, test } from '../support/fixtures.js';
import { dataFolderText, foundTexts } from '../support/server-scan.js';
import type { RunningSystem } from '../support/system.js';
import { linkWithTypedCode, newPerson, onboard, openConversation, showLinkCode, uniqueHandle } from '../support/users.js';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Buffer) => {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Buffer) => {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};

/** A real 64×48 PNG (a gradient) carrying `marker` in a tEXt chunk, so the scan has something to find. */
function photoWith(marker: string): Buffer {
  const [width, height] = [64, 48];
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.concat(Array.from({ length: height }, (_, y) => Buffer.from([0, ...Array.from({ length: width }, (_, x) => [x * 4, y * 5, 128]).flat()])));
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('tEXt', Buffer.from(`Comment\0${marker}`, 'latin1')),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}


/** Alice and Bob, each onboarded in a browser of their own. */
async function alicesAndBobs(browser: Browser, system: RunningSystem) {
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  const bobHandle = uniqueHandle('bob');
  await onboard(alice.page, system, uniqueHandle('alice'), 'Alice Liddell');
  await onboard(bob.page, system, bobHandle, 'Bob Dylan');
  return { alice, bob, bobHandle };
}

/** Links a second browser to the account shown in `page` (settings → link code), as chat.spec does. */
async function linkLaptop(browser: Browser, page: Page, shell: string): Promise<Page> {
  const { settings, code } = await showLinkCode(page);
  const laptop = await newPerson(browser);
  await linkWithTypedCode(laptop.page, shell, code);
  await expect(settings.getByTestId('link-done')).toBeVisible({ timeout: 15_000 });
  await settings.getByRole('button', { name: 'Close settings' }).click();
  return laptop.page;
}


/** Opens the photo in the viewer, checks it shows, and closes it with Escape. */
async function viewPhoto(page: Page, name: string): Promise<void> {
  const open = attachments(page).getByRole('button', { name: `Open photo ${name}` });
  await expect(open).toBeEnabled({ timeout: 15_000 });
  await expect(open.getByRole('img', { name })).toHaveJSProperty('naturalWidth', 64);
  await open.click();
  const viewer = page.getByRole('dialog', { name: `Photo ${name}` });
  await expect(viewer.getByRole('img', { name })).toHaveJSProperty('naturalWidth', 64);
  await page.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
}

test('a photo and a PDF reach the other person and the sender\'s linked browser, and the server holds none of their bytes', async ({ browser, system }) => {
  const { alice, bob, bobHandle } = await alicesAndBobs(browser, system);
  const laptop = await linkLaptop(browser, alice.page, system.addresses.shell);

  const photoMarker = `PHOTO-MARKER-${Math.random().toString(36).slice(2)}`;
  const pdfMarker = `PDF-MARKER-${Math.random().toString(36).slice(2)}`;
  const photoName = `holiday-${photoMarker}.png`;
  const pdfName = `contract-${pdfMarker}.pdf`;
  const photo = photoWith(photoMarker);
  const pdf = pdfWith(pdfMarker);

  await openConversation(alice.page, bobHandle);
  await attach(alice.page, photoName, 'image/png', photo);
  await expect(attachments(alice.page).getByTestId('attachment-photo')).toHaveCount(1, { timeout: 15_000 });
  await attach(alice.page, pdfName, 'application/pdf', pdf);
  await expect(attachments(alice.page).getByTestId('attachment-file')).toHaveCount(1, { timeout: 15_000 });
  await expect(attachments(alice.page).getByTestId('message').last()).toHaveAttribute('data-delivery', /delivered|read/);

  // Bob opens both.
  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
  await viewPhoto(bob.page, photoName);
  await expect(attachments(bob.page).getByTestId('attachment-file')).toContainText(pdfName);
  expect((await downloadFile(bob.page, pdfName)).equals(pdf)).toBe(true);

  // Alice's laptop got the copies of what she sent, and opens them too.
  await laptop.getByTestId('conversation-item').filter({ hasText: 'Bob Dylan' }).click();
  await viewPhoto(laptop, photoName);
  expect((await downloadFile(laptop, pdfName)).equals(pdf)).toBe(true);

  // After a reload the history still shows them, fetched again.
  await bob.page.reload();
  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
  await viewPhoto(bob.page, photoName);

  // The server's data folder: no marker, no file name. The control: a display name, kept in clear by design.
  const stored = dataFolderText(system.dataDir);
  expect(readdirSync(join(system.dataDir, 'blobs')).length).toBe(4);
  expect(foundTexts(stored, ['Alice Liddell'])).toEqual(['Alice Liddell']);
  expect(foundTexts(stored, [photoMarker, pdfMarker, photoName, pdfName, '%PDF-1.4'])).toEqual([]);
});

test('a file dropped onto the conversation and an image pasted into the composer are sent', async ({ browser, system }) => {
  const { alice, bob, bobHandle } = await alicesAndBobs(browser, system);
  await openConversation(alice.page, bobHandle);
  const photo = [...photoWith('pasted')];
  // What a drag from the file manager and a paste from the clipboard hand the page.
  await alice.page.evaluate(() => {
    const dropped = new DataTransfer();
    dropped.items.add(new File(['%PDF-1.4 dropped'], 'dropped.pdf', { type: 'application/pdf' }));
    const target = document.querySelector('[data-testid="conversation"]')!;
    target.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dropped }));
    target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dropped }));
  });
  await expect(attachments(alice.page).getByTestId('attachment-file')).toContainText('dropped.pdf', { timeout: 15_000 });
  await alice.page.getByRole('textbox', { name: 'Message' }).evaluate((composer, bytes) => {
    const pasted = new DataTransfer();
    pasted.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
    composer.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: pasted }));
  }, photo);
  await expect(attachments(alice.page).getByTestId('attachment-photo')).toHaveCount(1, { timeout: 15_000 });
  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
  await viewPhoto(bob.page, 'pasted.png');
  await expect(attachments(bob.page).getByTestId('attachment-file')).toContainText('dropped.pdf');
});

/** A real WebM video (VP8, 160×120, ~1.5 s of a moving square) recorded by MediaRecorder in `page`. */
async function recordedVideo(page: Page): Promise<Buffer> {
  const bytes = await page.evaluate(async () => {
    const canvas = Object.assign(document.createElement('canvas'), { width: 160, height: 120 });
    const drawing = canvas.getContext('2d')!;
    const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm;codecs=vp8' });
    const parts: Blob[] = [];
    recorder.ondataavailable = (event) => parts.push(event.data);
    const stopped = new Promise((resolve) => (recorder.onstop = resolve));
    recorder.start();
    for (let frame = 0; frame < 38; frame++) {
      drawing.fillStyle = '#204080';
      drawing.fillRect(0, 0, 160, 120);
      drawing.fillStyle = '#f0c020';
      drawing.fillRect(frame * 3, 40, 40, 40);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    recorder.stop();
    await stopped;
    return [...new Uint8Array(await new Blob(parts).arrayBuffer())];
  });
  return Buffer.from(bytes);
}

test('a video is played in the conversation on the other side, from the keyboard', async ({ browser, system }) => {
  const { alice, bob, bobHandle } = await alicesAndBobs(browser, system);
  await openConversation(alice.page, bobHandle);
  await attach(alice.page, 'clip.webm', 'video/webm', await recordedVideo(alice.page));
  await expect(attachments(alice.page).getByTestId('message')).toHaveAttribute('data-delivery', /delivered|read/, { timeout: 15_000 });

  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
  const play = attachments(bob.page).getByRole('button', { name: 'Play video clip.webm' });
  await play.focus();
  await bob.page.keyboard.press('Enter');
  const video = attachments(bob.page).getByTestId('attachment-video');
  await expect(video).toBeFocused();
  await expect(video).toHaveAccessibleName('Video clip.webm');
  // Decrypted and decoded: the picture has the recorded size, and it plays.
  await expect.poll(() => video.evaluate((element: HTMLVideoElement) => `${element.videoWidth}x${element.videoHeight}`)).toBe('160x120');
  await video.evaluate((element: HTMLVideoElement) => (element.paused ? element.play() : undefined));
  await expect.poll(() => video.evaluate((element: HTMLVideoElement) => element.currentTime)).toBeGreaterThan(0.2);
  // The sender can save it as well.
  expect((await downloadFile(alice.page, 'clip.webm')).subarray(0, 4)).toEqual(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
});

test('a blob changed on the server is refused with a visible error', async ({ browser, system }) => {
  const { alice, bob, bobHandle } = await alicesAndBobs(browser, system);
  await openConversation(alice.page, bobHandle);
  await attach(alice.page, 'invoice.pdf', 'application/pdf', pdfWith('invoice'));
  await expect(attachments(alice.page).getByTestId('message')).toHaveAttribute('data-delivery', /delivered|read/, { timeout: 15_000 });

  // Someone with the server's disk flips one byte of the blob.
  const blobs = join(system.dataDir, 'blobs');
  const [blob] = readdirSync(blobs).filter((name) => !name.endsWith('.json'));
  const bytes = readFileSync(join(blobs, blob!));
  bytes[100]! ^= 0x01;
  writeFileSync(join(blobs, blob!), bytes);

  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
  await attachments(bob.page).getByRole('button', { name: 'Download invoice.pdf' }).click();
  await expect(attachments(bob.page).getByRole('alert')).toHaveText('This file was changed on the server and was not opened.');
});

test.describe('with a small attachment quota', () => {
  test.use({ systemOptions: { env: { PARLEY_BLOB_QUOTA_BYTES: '20000' } } });

  test('a file over the quota is refused with a clear error and nothing stays on the server', async ({ browser, system }) => {
    const { alice, bobHandle } = await alicesAndBobs(browser, system);
    await openConversation(alice.page, bobHandle);
    await attach(alice.page, 'big.pdf', 'application/pdf', Buffer.concat([pdfWith('big'), Buffer.alloc(30_000, 7)]));
    await expect(alice.page.getByRole('alert')).toHaveText('Your space for attachments is full. Files are removed 30 days after anyone last opened them.');
    await expect(attachments(alice.page).getByTestId('message')).toHaveCount(0);
    expect(readdirSync(join(system.dataDir, 'blobs'))).toEqual([]);
  });
});

test('a voice message recorded from the microphone is played on the other side', async ({ browser, system }) => {
  const { alice, bob, bobHandle } = await alicesAndBobs(browser, system);
  await openConversation(alice.page, bobHandle);

  await alice.page.getByRole('button', { name: 'Record voice message' }).click();
  await expect(alice.page.getByRole('timer', { name: 'Recording' })).toBeVisible();
  await alice.page.waitForTimeout(2_000);
  await alice.page.getByRole('button', { name: 'Stop recording and send' }).click();
  await expect(attachments(alice.page).getByTestId('attachment-voice')).toHaveCount(1, { timeout: 15_000 });

  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
  const voice = attachments(bob.page).getByTestId('attachment-voice');
  // The length and the waveform came from the recording: about two seconds of Chromium's beep.
  await expect(voice.locator('.attachment__duration')).toHaveText(/^0:0[1-3]$/);
  await voice.getByRole('button', { name: 'Play: Voice message' }).click();
  const audio = voice.getByLabel('Voice message');
  await expect(audio).toBeVisible();
  // Played: the position moves, and can be set (seek).
  await expect.poll(() => audio.evaluate((element: HTMLAudioElement) => element.currentTime), { timeout: 10_000 }).toBeGreaterThan(0.2);
  await audio.evaluate((element: HTMLAudioElement) => {
    element.currentTime = 0;
  });
  await expect.poll(() => audio.evaluate((element: HTMLAudioElement) => element.played.length)).toBeGreaterThan(0);
});
