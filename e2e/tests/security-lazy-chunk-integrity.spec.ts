/**
 * Integrity of what the shell loads on demand (issue 20). A first visit shows the onboarding form
 * before the protocol, messenger and signed-in shell have loaded; they come as lazily loaded chunks,
 * each checked by the browser against the sha384 the shell's build wrote into its runtime (Subresource
 * Integrity). Here the chunk that starts a device session is changed on its way to the browser, as a
 * compromised server or proxy would: the browser refuses it, onboarding says so, nothing of it runs
 * and no account is made.
 */
import { expect, test } from '../support/fixtures.js';
import { expectAccountRefused, shellChunkWith, tamperInTransit } from '../support/tampered-chunk.js';
import { uniqueHandle } from '../support/users.js';

/** The shell's lazily loaded chunk that starts a device session (session/device-session.ts logs this prefix). */
const deviceSessionChunk = () => shellChunkWith('[shell] relay: ');

test('a lazily loaded shell chunk changed in transit is refused: onboarding says so and no account is made', async ({ page, system, requests }) => {
  const chunk = deviceSessionChunk();
  await tamperInTransit(page, `${system.addresses.shell}${chunk}`);

  await page.goto(system.addresses.shell);
  // The form needs none of the lazily loaded code: it is there, and usable, either way.
  await expectAccountRefused(page, requests, `${system.addresses.shell}${chunk}`, uniqueHandle('mallory'));
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
