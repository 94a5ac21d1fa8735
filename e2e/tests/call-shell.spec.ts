/**
 * The call app inside the shell, loaded from its own origin: its SFrame worker must start although
 * the worker script lives on the call origin (a page may not start a worker from another origin;
 * see apps/call/src/media/cross-origin-worker.ts), and the outgoing call shows the local preview.
 */
import { expect, openShell, test } from '../support/fixtures.js';

test('an outgoing video call from the shell starts the SFrame worker from the call origin and shows the camera', async ({ page, system }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await openShell(page, system);
  const workerStarted = page.waitForEvent('worker');
  await page.getByRole('button', { name: 'Video call' }).click();
  await expect(page.getByTestId('call-panel')).toHaveAttribute('data-phase', 'outgoing');
  const worker = await workerStarted;
  // The worker's own script ran: it installed the encoded-transform handler.
  await expect.poll(() => worker.evaluate(() => typeof (globalThis as { onrtctransform?: unknown }).onrtctransform === 'function')).toBe(true);
  await expect.poll(() => page.getByTestId('local-preview').evaluate((video: HTMLVideoElement) => video.videoWidth)).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Hang up' }).click();
  await expect(page.getByTestId('call-panel')).toHaveAttribute('data-outcome', 'cancelled');
  expect(errors).toEqual([]);
});
