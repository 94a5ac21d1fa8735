/**
 * Integrity of the chat's open-conversation chunk (issue 20): the message thread, attachments,
 * actions, scheduled calls, the Calls view and message search are one lazily loaded chunk of the chat
 * release (apps/chat/src/lazy-open-conversation.ts), off the conversation list's path and fetched at
 * the first idle moment after it shows. The browser checks its script and its style sheet against the
 * sha384 the chat's build wrote into its runtime (the chat's entry, whose own sha384 comes from the
 * signed manifest), as the schedule form's chunk (security-remote-lazy-chunk-integrity.spec.ts).
 * Here the chunk is changed on its way: the list stays usable, an opened chat says it could not be
 * loaded, none of the changed code runs. Untouched, it arrives before any chat is opened.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Route } from '@playwright/test';
import { expect, test } from '../support/fixtures.js';
import { type RunningSystem, distOf } from '../support/system.js';
import { onboard, registerContact, uniqueHandle } from '../support/users.js';

const REFUSED = 'This part of Parley could not be loaded, or was not the code this version was built with. Reload the page.';

/** The chat's built file of `kind` (js or css) under static/<kind>/async that contains `marker` (a name found in no other). */
function chunkHolding(kind: 'js' | 'css', marker: string): string {
  const asyncDir = join(distOf('chat'), 'static', kind, 'async');
  const found = readdirSync(asyncDir).filter((name) => name.endsWith(`.${kind}`) && readFileSync(join(asyncDir, name), 'utf8').includes(marker));
  expect(found).toHaveLength(1);
  return `**/static/${kind}/async/${found[0]}`;
}

/** The open conversation's script (message search's test id is in no other chunk) or its style sheet (the bubbles'). */
const openConversationChunk = (kind: 'js' | 'css') => (kind === 'js' ? chunkHolding('js', 'message-search-panel') : chunkHolding('css', '.bubble--out'));

/**
 * Bob exists; Alice, whose browser gets the chunk of `kind` through `serve`, signs up and sees her
 * conversation list. Resolves to her page and how often the chunk was served.
 */
async function aliceSignedIn(browser: Browser, system: RunningSystem, kind: 'js' | 'css', serve: (route: Route) => Promise<void>) {
  const bobHandle = uniqueHandle('bob');
  await registerContact(system, bobHandle, 'Bob Dylan');
  const alice = await browser.newPage({ locale: 'en-US' });
  const chunk = { served: 0 };
  await alice.route(openConversationChunk(kind), async (route) => {
    chunk.served += 1;
    await serve(route);
  });
  await onboard(alice, system, uniqueHandle('alice'), 'Alice Liddell');
  await expect(alice.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
  return { alice, bobHandle, chunk };
}

async function startChat(page: Page, handle: string): Promise<void> {
  const chat = page.getByTestId('chat-app');
  await chat.getByRole('search').getByLabel('Handle').fill(handle);
  await chat.getByRole('button', { name: 'Start chat' }).click();
}

const tamper = async (route: Route) => {
  const genuine = await route.fetch();
  await route.fulfill({ response: genuine, body: `${await genuine.text()}\n;globalThis.__tamperedChunk = true;\n` });
};

for (const kind of ['js', 'css'] as const) {
  test(`the open-conversation chunk's ${kind === 'js' ? 'script' : 'style sheet'} changed in transit is refused: the list works, an opened chat says so`, async ({ browser, system }) => {
    const { alice, bobHandle, chunk } = await aliceSignedIn(browser, system, kind, tamper);
    // Fetched (and refused) at the first idle moment, before any chat was opened.
    await expect.poll(() => chunk.served).toBeGreaterThan(0);

    await startChat(alice, bobHandle);
    const opened = alice.getByRole('region', { name: 'Bob Dylan' });
    await expect(opened.getByRole('alert')).toHaveText(REFUSED);
    await expect(alice.getByTestId('conversation')).toHaveCount(0);
    await expect(alice.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
    expect(await alice.evaluate(() => (globalThis as { __tamperedChunk?: boolean }).__tamperedChunk ?? false)).toBe(false);
    // The chat around it still works: the list, and the Calls view's place says the same.
    await expect(alice.getByTestId('chat-crashed')).toHaveCount(0);
    await expect(alice.getByRole('navigation', { name: 'Conversations' }).getByText('Bob Dylan')).toBeVisible();
    await alice.getByRole('button', { name: /^Calls/ }).click();
    await expect(alice.getByRole('navigation', { name: 'Conversations' }).getByRole('alert')).toHaveText(REFUSED);
    await alice.close();
  });
}

test('positive control: untouched, the chunk arrives before a chat is opened and the chat opens without fetching it again', async ({ browser, system }) => {
  const { alice, bobHandle, chunk } = await aliceSignedIn(browser, system, 'js', async (route) => route.fulfill({ response: await route.fetch() }));
  await expect.poll(() => chunk.served).toBe(1);
  await expect(alice.getByRole('searchbox', { name: 'Search messages' })).toBeVisible();
  await startChat(alice, bobHandle);
  await expect(alice.getByTestId('conversation')).toHaveAttribute('data-handle', bobHandle);
  await alice.getByRole('textbox', { name: 'Message' }).fill('hello');
  await alice.getByRole('button', { name: 'Send' }).click();
  await expect(alice.getByTestId('conversation').getByText('hello')).toBeVisible();
  expect(chunk.served).toBe(1);
  await alice.close();
});
