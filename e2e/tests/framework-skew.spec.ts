/**
 * The shell and chat moved from React to Preact's compat layer (issue 20), and share it under
 * Preact's names (tools/mf-build/shared-dependencies.mjs), never `react`. The two sides of that
 * change must still run together while a deployment moves from one to the other: a chat release on
 * React in today's shell loads its own React (the shell provides none), and today's chat in a shell
 * on React loads its own Preact (the shell provides only React). Each app mounts its own root, so two
 * frameworks on one page are fine; a message then goes both ways through the chat.
 *
 * REACT_COMMIT is the last commit whose shell and chat ran on React, built by
 * tools/test/build-at-commit.sh (cached under .tmp/version-skew/). Its contract is today's, or the
 * chat could not be offered to the other side's shell: the test says so rather than pass silently.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CONTRACT_VERSION } from '@parley/contracts';
import { builtVersion } from '@parley/server';
import type { Browser, Page } from '@playwright/test';
import { expect, test } from '../support/fixtures.js';
import { REPO_ROOT, type RunningSystem, distOf } from '../support/system.js';
import { newPerson, onboard, openConversation, uniqueHandle } from '../support/users.js';

/** The merge before the move to Preact (2026-12-08): shell and chat on React 19.3.1. */
const REACT_COMMIT = '0a71d07fbd9deb3d5f626500c59e8a76397ee94c';
const REACT_DIST = join(REPO_ROOT, '.tmp', 'version-skew', REACT_COMMIT, 'dist');

let reactContract: string;

test.beforeAll(async () => {
  // A cold build of three apps takes ~25 s on two busy cores; cached, nothing.
  test.setTimeout(240_000);
  const { stdout } = await promisify(execFile)('bash', [join(REPO_ROOT, 'tools/test/build-at-commit.sh'), REACT_COMMIT], { maxBuffer: 16 * 1024 * 1024 });
  expect(stdout.trim().split('\n').at(-1)).toBe(REACT_DIST);
  reactContract = (JSON.parse(readFileSync(join(REACT_DIST, 'build-info.json'), 'utf8')) as { contractVersion: string }).contractVersion;
  expect(reactContract, 'the React commit speaks today’s contract (else this test checks nothing)').toBe(CONTRACT_VERSION);
});

/**
 * Which framework rendered into `element`: React marks its root container with `__reactContainer$…`,
 * Preact with its root vnode under `__k`.
 */
async function frameworkAt(page: Page, selector: string): Promise<string> {
  return page.locator(selector).first().evaluate((element) => {
    if (Object.keys(element).some((key) => key.startsWith('__reactContainer$'))) return 'react';
    return '__k' in element ? 'preact' : 'none';
  });
}

/** The shell's root and the chat's mount point (RemoteSlot's, holding the chat app). */
const SHELL_ROOT = '#root';
const CHAT_MOUNT = '.remote-slot__mount:has([data-testid="chat-app"])';

/** A person in their own browser context, with the page errors it raised. */
async function person(browser: Browser, name: string) {
  const { context, page } = await newPerson(browser);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors, name, handle: uniqueHandle(name.split(' ')[0]!.toLowerCase()) };
}

/** Alice and Bob onboard, Alice writes, Bob reads and answers, Alice reads: the chat works both ways. */
async function talk(browser: Browser, system: RunningSystem, frameworks: { shell: string; chat: string }) {
  const alice = await person(browser, 'Alice Liddell');
  const bob = await person(browser, 'Bob Dylan');
  for (const who of [alice, bob]) await onboard(who.page, system, who.handle, who.name);
  for (const who of [alice, bob]) {
    expect(await frameworkAt(who.page, SHELL_ROOT)).toBe(frameworks.shell);
    expect(await frameworkAt(who.page, CHAT_MOUNT)).toBe(frameworks.chat);
  }
  await openConversation(alice.page, bob.handle);
  const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
  const bodies = (page: Page) => page.getByTestId('message-list').locator('.bubble__body');
  await composer(alice.page).fill('Hello Bob');
  await composer(alice.page).press('Enter');
  const item = bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' });
  await expect(item.getByTestId('conversation-preview')).toHaveText('Hello Bob', { timeout: 20_000 });
  await item.click();
  await expect(bodies(bob.page)).toHaveText(['Hello Bob']);
  // The composer takes the focus when a conversation opens, whichever framework drew it.
  await expect(composer(bob.page)).toBeFocused();
  await composer(bob.page).fill('Hi Alice');
  await composer(bob.page).press('Enter');
  await expect(bodies(alice.page)).toHaveText(['Hello Bob', 'Hi Alice'], { timeout: 20_000 });
  for (const who of [alice, bob]) expect(who.errors).toEqual([]);
  await alice.context.close();
  await bob.context.close();
}

test.describe("today's shell (Preact), the React commit's chat release", () => {
  test('the older chat loads its own React beside the shell’s Preact, and a message goes both ways', async ({ browser, system }) => {
    const chat = `${builtVersion(join(REACT_DIST, 'chat'))}-react-${REACT_COMMIT.slice(0, 8)}`;
    await system.registry.publish({ remote: 'chat', version: chat, distDir: join(REACT_DIST, 'chat'), contracts: `^${reactContract}` });
    await system.registry.setDefault('chat', chat);
    await talk(browser, system, { shell: 'preact', chat: 'react' });
  });
});

test.describe("the React commit's shell, today's chat release (Preact)", () => {
  test.use({ systemOptions: { env: { PARLEY_SHELL_DIST: join(REACT_DIST, 'shell') } } });

  test('today’s chat loads its own Preact beside the shell’s React, and a message goes both ways', async ({ browser, system }) => {
    // The server publishes today's chat at start; the shell served is the React commit's.
    expect(await (await fetch(`${system.addresses.shell}/`)).text()).toBe(readFileSync(join(REACT_DIST, 'shell', 'index.html'), 'utf8'));
    expect(readFileSync(join(distOf('chat'), 'mf-manifest.json'), 'utf8')).toContain('"preact/compat"');
    await talk(browser, system, { shell: 'react', chat: 'preact' });
  });
});
