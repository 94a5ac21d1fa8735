/**
 * What the server keeps is ciphertext: after two browsers talk (one of them away, so messages wait
 * in the queue — scanned only once Alice's screen says "Sent" for each, i.e. the server answered
 * that it stored them, and their queue rows are there), the data folder — SQLite database with its
 * -wal and -shm files — and the debug log hold none of the texts sent, in clear, hex or base64.
 * The controls use the same scan: the handles, stored in clear by design, are found in the data
 * folder, and both user ids, logged in clear by design at debug level, are found in the log.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Page, expect, test } from '@playwright/test';
import { filesUnder, foundTexts as found } from '../support/server-scan.js';
import { startSystem } from '../support/system.js';
import { newPerson, onboard, openConversation, uniqueHandle } from '../support/users.js';

/** Sends `text` and waits until the sender's screen says the server took it ("Sent" or later). */
async function send(page: Page, text: string) {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
  const bubble = page.getByTestId('message').filter({ hasText: text });
  await expect(bubble.getByRole('img', { name: /^(Sent|Delivered|Read)$/ })).toBeVisible();
}

/** Reads the server's database (as another reader: WAL lets it while the server writes). */
function query<T>(dataDir: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dataDir, 'parley.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
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
    // Alice's screen said "Sent" for each: the server holds them in Bob's queue now.
    const [bobUser] = query<{ user_id: string }>(system.dataDir, 'SELECT user_id FROM accounts WHERE handle = ?', bobHandle);
    const [aliceUser] = query<{ user_id: string }>(system.dataDir, 'SELECT user_id FROM accounts WHERE handle = ?', aliceHandle);
    const queued = query<{ n: number }>(system.dataDir, 'SELECT count(*) AS n FROM envelopes WHERE recipient_user = ?', bobUser!.user_id)[0]!.n;
    expect(queued).toBeGreaterThanOrEqual(markers.length - 3);

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
    expect(found(logText, markers)).toEqual([]);
    // The log's control: what the server does log in clear (user ids, at debug) the scan finds.
    expect(found(logText, [aliceUser!.user_id, bobUser!.user_id])).toEqual([aliceUser!.user_id, bobUser!.user_id]);
  } finally {
    await system.stop();
  }
});
