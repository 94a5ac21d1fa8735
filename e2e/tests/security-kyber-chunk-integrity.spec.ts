/**
 * Kyber (ML-KEM-1024) is a chunk the shell fetches on first use (issue 20): only key generation and
 * a new session (PQXDH) need it, so a returning visit shows its conversation list without it. Like
 * every lazily loaded chunk it is checked by the browser against the sha384 the shell's build wrote
 * into its runtime (Subresource Integrity): changed in transit, it is refused and no account is made.
 */
import { expect, test } from '../support/fixtures.js';
import { expectAccountRefused, shellChunkWith, tamperInTransit } from '../support/tampered-chunk.js';
import { uniqueHandle } from '../support/users.js';

/** The shell's lazily loaded chunk with the ML-KEM arithmetic (@noble/post-quantum's errors name it). */
const kyberChunk = () => shellChunkWith('ML-KEM.decapsulate');

test('the Kyber chunk changed in transit is refused: onboarding says so and no account is made', async ({ page, system, requests }) => {
  const chunk = kyberChunk();
  await tamperInTransit(page, `${system.addresses.shell}${chunk}`);

  await page.goto(system.addresses.shell);
  await expectAccountRefused(page, requests, `${system.addresses.shell}${chunk}`, uniqueHandle('mallory'));
});

test('positive control: untouched, it makes the account; a returning visit lists conversations without it', async ({ page, system, requests }) => {
  const chunk = kyberChunk();
  await page.goto(system.addresses.shell);
  const onboarding = page.getByTestId('onboarding');
  await onboarding.getByLabel('Handle', { exact: true }).fill(uniqueHandle('trent'));
  await onboarding.getByLabel('Display name').fill('Trent');
  await onboarding.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible({ timeout: 20_000 });
  expect(requests).toContain(`${system.addresses.shell}${chunk}`);

  // The same browser returns (a new page load with the keys in IndexedDB): no new session, no new
  // Kyber prekeys, so the chunk is not fetched at all.
  requests.length = 0;
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('chat-app')).toBeVisible();
  expect(requests.filter((url) => url.endsWith(chunk))).toEqual([]);
});
