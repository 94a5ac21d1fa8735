/**
 * Integrity of the SFrame worker (hardening, issue 21). The worker runs in the shell's origin, next
 * to the identity key and the device token; it must be code the release vouches for. Its bytes are
 * checked against the sha384 the build wrote into an integrity-pinned chunk before any worker
 * starts: a worker file changed on the server after publishing turns calls off with a notice.
 */
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { callPerson, connect } from '../support/calls.js';
import { expect, test } from '../support/fixtures.js';
import { distOf, type RunningSystem } from '../support/system.js';
import { openConversation, uniqueHandle } from '../support/users.js';

const TAMPERED_VERSION = '0.9.7';
const TAMPERED_NOTICE = "Calls are turned off: the call app's encryption code is not the code this release was approved with.";
const TAMPERED_NOTICE_RU = 'Звонки отключены: код шифрования приложения звонков не совпадает с одобренным для этого выпуска.';

/** Publishes the built call app and changes its worker file on the server, as an attacker with write access to the release folder would. */
async function publishTamperedWorker(system: RunningSystem): Promise<string> {
  await system.registry.publish({ remote: 'call', version: TAMPERED_VERSION, distDir: distOf('call') });
  await system.registry.setDefault('call', TAMPERED_VERSION);
  const asyncDir = join(system.releaseDir('call', TAMPERED_VERSION), 'static', 'js', 'async');
  const worker = readdirSync(asyncDir).find((name) => name.startsWith('sframe-worker.') && name.endsWith('.js'));
  expect(worker).toBeDefined();
  appendFileSync(join(asyncDir, worker!), '\n;self.postMessage({ tampered: true });\n');
  return worker!;
}

/** A person whose browser speaks Russian, onboarded through the Russian screens. */
async function russianPerson(browser: Browser, system: RunningSystem): Promise<Page> {
  const context = await browser.newContext({ locale: 'ru-RU' });
  const page = await context.newPage();
  await page.goto(system.addresses.shell);
  const onboarding = page.getByTestId('onboarding');
  await onboarding.locator('input').nth(0).fill(uniqueHandle('boris'));
  await onboarding.locator('input').nth(1).fill('Борис');
  await onboarding.getByRole('button').first().click();
  await expect(page.getByTestId('chat-app')).toBeVisible({ timeout: 20_000 });
  return page;
}

test('a worker file changed on the server after publishing is never started: calls are off with a notice, chat keeps working', async ({ browser, system }) => {
  const workerFile = await publishTamperedWorker(system);
  const bob = await callPerson(browser, system, 'Bob Dylan');
  const workerRequests: string[] = [];
  const alice = await callPerson(browser, system, 'Alice Liddell', async (context) => context.on('request', (request) => request.url().endsWith(workerFile) && workerRequests.push(request.url())));

  await expect(alice.page.getByTestId('call-app').getByRole('alert')).toHaveText(TAMPERED_NOTICE);
  // The check fetched the changed bytes and refused them: no worker runs them, now or later (the
  // call app would have started a spare worker within 2 s of idle time).
  expect(workerRequests).toHaveLength(1);
  await openConversation(alice.page, bob.handle);
  await expect(alice.page.getByTestId('chat-app').getByRole('textbox').first()).toBeVisible();
  await expect(alice.page.getByRole('button', { name: 'Video call' })).toHaveCount(0);
  await alice.page.waitForTimeout(2_500);
  expect(alice.page.workers()).toEqual([]);

  const boris = await russianPerson(browser, system);
  await expect(boris.getByTestId('call-app').getByRole('alert')).toHaveText(TAMPERED_NOTICE_RU);
});

test('positive control: the same release published untouched still connects a video call', async ({ browser, system }) => {
  await system.registry.publish({ remote: 'call', version: TAMPERED_VERSION, distDir: distOf('call') });
  await system.registry.setDefault('call', TAMPERED_VERSION);
  const alice = await callPerson(browser, system, 'Alice Liddell');
  const bob = await callPerson(browser, system, 'Bob Dylan');
  await connect(alice, bob, 'Video call');
  // The worker that runs is a blob of the checked bytes, in the shell's origin.
  expect(alice.page.workers().map((worker) => worker.url()).every((url) => url.startsWith(`blob:${system.addresses.shell}`))).toBe(true);
  expect(alice.page.workers().length).toBeGreaterThan(0);
  await expect(alice.page.getByTestId('call-app').getByRole('alert')).toHaveCount(0);
});
