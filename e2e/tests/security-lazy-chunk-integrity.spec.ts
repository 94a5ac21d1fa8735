/**
 * Integrity of what the shell loads on demand (issue 20). A first visit shows the onboarding form
 * before the protocol, messenger and signed-in shell have loaded; they come as lazily loaded chunks,
 * each checked by the browser against the sha384 the shell's build wrote into its runtime (Subresource
 * Integrity). Here the chunk that starts a device session is changed on its way to the browser, as a
 * compromised server or proxy would: the browser refuses it, onboarding says so, nothing of it runs
 * and no account is made.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '../support/fixtures.js';
import { distOf } from '../support/system.js';
import { uniqueHandle } from '../support/users.js';

const REFUSED = 'Part of Parley could not be loaded, or was not the code this version was built with. Reload the page.';

/** The shell's lazily loaded chunk that starts a device session (session/device-session.ts logs this prefix). */
function deviceSessionChunk(): string {
  const asyncDir = join(distOf('shell'), 'static', 'js', 'async');
  const found = readdirSync(asyncDir).filter((name) => name.endsWith('.js') && readFileSync(join(asyncDir, name), 'utf8').includes('[shell] relay: '));
  expect(found).toHaveLength(1);
  return `/static/js/async/${found[0]}`;
}

test('a lazily loaded shell chunk changed in transit is refused: onboarding says so and no account is made', async ({ page, system, requests }) => {
  const chunk = deviceSessionChunk();
  await page.route(`${system.addresses.shell}${chunk}`, async (route) => {
    const genuine = await route.fetch();
    await route.fulfill({ response: genuine, body: `${await genuine.text()}\n;globalThis.__tamperedChunk = true;\n` });
  });

  await page.goto(system.addresses.shell);
  const onboarding = page.getByTestId('onboarding');
  // The form needs none of the lazily loaded code: it is there, and usable, either way.
  await onboarding.getByLabel('Handle', { exact: true }).fill(uniqueHandle('mallory'));
  await onboarding.getByLabel('Display name').fill('Mallory');
  await onboarding.getByRole('button', { name: 'Create account' }).click();

  await expect(onboarding.getByRole('alert')).toHaveText(REFUSED);
  expect(requests).toContain(`${system.addresses.shell}${chunk}`);
  expect(await page.evaluate(() => (globalThis as { __tamperedChunk?: boolean }).__tamperedChunk ?? false)).toBe(false);
  expect(requests.some((url) => new URL(url).pathname.startsWith('/api/accounts'))).toBe(false);
  await expect(page.getByTestId('chat-app')).toHaveCount(0);
});

test('positive control: the same chunk passed through untouched lets onboarding finish', async ({ page, system }) => {
  const chunk = deviceSessionChunk();
  let served = 0;
  await page.route(`${system.addresses.shell}${chunk}`, async (route) => {
    served += 1;
    await route.fulfill({ response: await route.fetch() });
  });
  await page.goto(system.addresses.shell);
  const onboarding = page.getByTestId('onboarding');
  await onboarding.getByLabel('Handle', { exact: true }).fill(uniqueHandle('trent'));
  await onboarding.getByLabel('Display name').fill('Trent');
  await onboarding.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('chat-app')).toBeVisible({ timeout: 20_000 });
  expect(served).toBeGreaterThan(0);
});
