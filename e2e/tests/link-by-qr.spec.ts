/**
 * Linking a browser by QR code (issue 19): Alice's first browser shows the link code as a QR code
 * in Settings, with "Send recent messages: last month"; a third browser, whose fake camera plays a
 * screenshot of that QR code (a Y4M file), scans it from "Scan QR code" and is linked without
 * typing anything. It then lists the conversation with Bob with its last messages, sent over
 * Signal by the first browser. The server's data folder holds none of those texts in clear, hex or
 * base64; the same scan finds the handles the server keeps in clear by design (the control).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page, chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config.js';
import { seriousViolationsOn } from '../support/axe.js';
import { writeY4mOfPng } from '../support/fake-camera.js';
import { expect, test } from '../support/fixtures.js';
import { dataFolderText, foundTexts } from '../support/server-scan.js';
import { newPerson, onboard, openConversation, uniqueHandle } from '../support/users.js';

const bodies = (page: Page) => page.getByTestId('message-list').locator('.bubble__body');

/** Sends `text` and waits until the sender's screen says the other side has it. */
async function send(page: Page, text: string) {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
  await expect(page.getByTestId('message').filter({ hasText: text })).toHaveAttribute('data-delivery', /delivered|read/);
}

test('a third browser links by scanning the QR code and receives the last month of history; the server stores none of it in clear', async ({ browser, system }, testInfo) => {
  test.setTimeout(120_000);
  const [aliceHandle, bobHandle] = [uniqueHandle('alice'), uniqueHandle('bob')];
  const texts = [`history one ${randomBytes(8).toString('hex')}`, `history two ${randomBytes(8).toString('hex')}`];
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  await onboard(alice.page, system, aliceHandle, 'Alice Liddell');
  await onboard(bob.page, system, bobHandle, 'Bob Dylan');
  await openConversation(alice.page, bobHandle);
  await send(alice.page, texts[0]!);
  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
  await send(bob.page, texts[1]!);
  await expect(bodies(alice.page)).toHaveText(texts);

  // Alice's first browser shows the QR code and is asked about recent messages.
  await alice.page.getByRole('button', { name: 'Settings' }).click();
  const settings = alice.page.getByTestId('settings');
  await settings.getByRole('button', { name: 'Link a device' }).click();
  const qr = settings.getByRole('img', { name: 'QR code to link a new browser' });
  await expect(qr).toBeVisible();
  const lastMonth = settings.getByRole('group', { name: 'Send recent messages to the new browser?' }).getByRole('radio', { name: 'Last month' });
  await lastMonth.check();
  await expect(lastMonth).toBeChecked();
  expect(await seriousViolationsOn(alice.page, 'Settings showing the link QR code'), 'accessibility of the QR code and the question').toEqual([]);
  // For the closing note (not compared with a baseline: the code differs every run).
  await settings.screenshot({ path: testInfo.outputPath('settings-link-qr.png') });

  // The new browser's camera films that screen.
  const dir = mkdtempSync(join(tmpdir(), 'parley-qr-'));
  const camera = join(dir, 'qr.y4m');
  writeY4mOfPng(camera, await qr.screenshot());
  const laptopBrowser = await chromium.launch({
    executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, `--use-file-for-fake-video-capture=${camera}`],
    headless: true,
  });
  try {
    const laptop = await laptopBrowser.newPage({ locale: 'en-US' });
    await laptop.goto(system.addresses.shell);
    const onboarding = laptop.getByTestId('onboarding');
    await onboarding.getByRole('button', { name: 'Scan QR code' }).click();
    await laptop.screenshot({ path: testInfo.outputPath('new-browser-scanning.png'), fullPage: true }).catch(() => {});
    // Scanned, the code goes the way of a typed one: the browser is linked to Alice's account.
    await expect(laptop.getByTestId('chat-app')).toBeVisible({ timeout: 30_000 });
    await expect(laptop.getByTestId('shell-identity')).toHaveText('Alice Liddell');
    await expect(settings.getByTestId('link-done')).toBeVisible({ timeout: 15_000 });
    await expect(settings.getByTestId('history-sent')).toHaveText('Sent 2 recent messages to the new browser.', { timeout: 20_000 });

    // The history arrived: the conversation with Bob and its last messages, nothing typed or sent on the laptop.
    const item = laptop.getByTestId('conversation-item').filter({ hasText: 'Bob Dylan' });
    await expect(item.getByTestId('conversation-preview')).toHaveText(texts[1]!, { timeout: 20_000 });
    await item.click();
    await expect(bodies(laptop)).toHaveText(texts);
    await laptop.screenshot({ path: testInfo.outputPath('linked-browser-history.png') });

    // The server kept only ciphertext of it: the texts are nowhere in its data folder, the handles are.
    const stored = dataFolderText(system.dataDir);
    expect(foundTexts(stored, texts), 'message texts in the data folder').toEqual([]);
    expect(foundTexts(stored, [aliceHandle, bobHandle]), 'handles in the data folder (the control)').toEqual([aliceHandle, bobHandle]);
  } finally {
    await laptopBrowser.close();
    rmSync(dir, { recursive: true, force: true });
    await alice.context.close();
    await bob.context.close();
  }
});
