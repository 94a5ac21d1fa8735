/**
 * The call app inside the shell, loaded from its own origin: its SFrame worker must start although
 * the worker script lives on the call origin (a page may not start a worker from another origin: it
 * starts from a blob of the checked bytes, see apps/call/src/media/worker-integrity.ts), and the
 * outgoing call shows the local preview.
 */
import { expect, openShell, test } from '../support/fixtures.js';

test('an outgoing video call from the shell starts the SFrame worker from the call origin and shows the camera', async ({ page, system }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await openShell(page, system);
  await page.getByRole('button', { name: 'Video call' }).click();
  await expect(page.getByTestId('call-panel')).toHaveAttribute('data-phase', 'outgoing');
  // The worker's own script ran: it installed the encoded-transform handler. (The call app starts
  // its workers ahead of calls, so the call's may have started before the click.)
  const transformWorkers = async () =>
    (await Promise.all(page.workers().map((worker) => worker.evaluate(() => typeof (globalThis as { onrtctransform?: unknown }).onrtctransform === 'function')))).filter(Boolean).length;
  await expect.poll(transformWorkers).toBeGreaterThan(0);
  await expect.poll(() => page.getByTestId('local-preview').evaluate((video: HTMLVideoElement) => video.videoWidth)).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Hang up' }).click();
  await expect(page.getByTestId('call-panel')).toHaveAttribute('data-outcome', 'cancelled');
  expect(errors).toEqual([]);
});
