/**
 * What the server keeps is ciphertext: after two browsers talk (one of them away, so messages wait
 * in the queue), the data folder — SQLite database with its -wal and -shm files — and the debug
 * log hold none of the texts sent, in clear, hex or base64. The handle, stored in clear by
 * design, is found by the same scan: the positive control that shows the scan can fail.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { startSystem } from '../support/system.js';
import { newPerson, onboard, openConversation, uniqueHandle } from '../support/users.js';

/** Every form the scan looks for: the text in clear, hex (both cases) and base64 at each alignment. */
function encodings(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const hex = bytes.toString('hex');
  const base64 = [0, 1, 2].map((pad) => {
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    // Only the groups made of marker bytes alone: the first and last depend on what surrounds it.
    return encoded.slice(4, encoded.length - 4);
  });
  return [text, hex, hex.toUpperCase(), ...base64, ...base64.map((b) => b.replace(/\+/g, '-').replace(/\//g, '_'))];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Which of `texts` occur, in any encoding, in `haystack` (read as latin1 so bytes map 1:1). */
function found(haystack: string, texts: readonly string[]): string[] {
  return texts.filter((text) => encodings(text).some((form) => haystack.includes(form)));
}

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
