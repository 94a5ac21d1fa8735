/**
 * What the server keeps is ciphertext: after two browsers talk (one of them away, so messages wait
 * in the queue), the data folder — SQLite database with its -wal and -shm files — and the debug
 * log hold none of the texts sent, in clear, hex or base64. The handle, stored in clear by
 * design, is found by the same scan: the positive control that shows the scan can fail.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Page, expect, test } from '@playwright/test';
import { filesUnder, foundTexts as found } from '../support/server-scan.js';
import { startSystem } from '../support/system.js';
import { newPerson, onboard, openConversation, uniqueHandle } from '../support/users.js';

async function send(page: Page, text: string) {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
  await expect(page.getByTestId('message-list').locator('.bubble__body').last()).toHaveText(text);
}

test('the server’s database files and debug log contain no message text', async ({ browser }) => {
  const log: string[] = [];
  const system = await startSystem({ logLevel: 'debug', logDestination: { write: (line) => void log.push(line) } });
  try {
    const marker = () => `PLAINTEXT-MARKER-${randomBytes(12).toString('hex')}`;
    const markers = Array.from({ length: 6 }, marker);
    const aliceHandle = uniqueHandle('alice');
    const bobHandle = uniqueHandle('bob');
    const alice = await newPerson(browser);
    const bob = await newPerson(browser);
    await onboard(alice.page, system, aliceHandle, 'Alice Liddell');
    await onboard(bob.page, system, bobHandle, 'Bob Dylan');
    await openConversation(alice.page, bobHandle);
    await send(alice.page, markers[0]!);
    await bob.page.getByTestId('conversation-item').first().click();
    await send(bob.page, markers[1]!);
    await send(alice.page, markers[2]!);
    await expect(bob.page.getByTestId('message-list').locator('.bubble__body')).toHaveText(markers.slice(0, 3));
    // Bob goes away: the next ones wait on the server, encrypted, until his device acks them.
    await bob.page.close();
    for (const text of markers.slice(3)) await send(alice.page, text);

    const scan = () => filesUnder(system.dataDir).map((file) => readFileSync(file).toString('latin1')).join('\n');
    const files = filesUnder(system.dataDir).map((file) => file.slice(system.dataDir.length + 1));
    expect(files.some((file) => file.endsWith('-wal'))).toBe(true);
    // While the queue holds messages, and again after the server stopped (WAL checkpointed).
    expect(found(scan(), markers)).toEqual([]);
    expect(found(scan(), [aliceHandle, bobHandle])).toEqual([aliceHandle, bobHandle]);
    await alice.context.close();
    await bob.context.close();
    await system.stop({ keepData: true });
    expect(found(scan(), markers)).toEqual([]);
    expect(found(scan(), [aliceHandle])).toEqual([aliceHandle]);
    const logText = log.join('');
    expect(log.length).toBeGreaterThan(0);
    expect(found(logText, markers)).toEqual([]);
  } finally {
    await system.stop();
  }
});
