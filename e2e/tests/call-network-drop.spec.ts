/**
 * A short network drop in the middle of a call: every UDP packet is dropped (nftables, inside the
 * suite's loopback-only namespace) until both sides show the inline "Reconnecting…", then a few
 * seconds more; the call restarts ICE by itself (the offer travels over the relay's TCP, which
 * the drop spares) and video flows again, with no one pressing anything.
 */
import { expect, test } from '../support/fixtures.js';
import { callPanel as panel, callPerson, connect } from '../support/calls.js';
import { callStats } from '../support/peer-connections.js';
import { dropUdp, udpBlackoutUnavailable } from '../support/udp-blackout.js';
import { skipWhenMissing } from '../support/prerequisites.js';

test('a call survives a few seconds without UDP: "Reconnecting…" inline meanwhile, then media flows again by itself', async ({ browser, system }) => {
  const unavailable = udpBlackoutUnavailable();
  skipWhenMissing(unavailable);
  test.setTimeout(120_000);
  const alice = await callPerson(browser, system, 'Alice Liddell');
  const bob = await callPerson(browser, system, 'Bob Dylan');
  const people = [alice, bob];
  await connect(alice, bob, 'Video call');
  for (const { page } of people) {
    await expect.poll(async () => (await callStats(page)).videoFrames, { timeout: 15_000 }).toBeGreaterThan(10);
  }

  const blackout = dropUdp();
  try {
    for (const { page } of people) {
      // Inline status, not a modal: the call panel and its controls stay usable.
      await expect(page.getByTestId('call-reconnecting')).toHaveText('Reconnecting…', { timeout: 20_000 });
      await expect(page.getByTestId('call-reconnecting')).toHaveAttribute('role', 'status');
      await expect(page.getByRole('button', { name: 'Hang up' })).toBeEnabled();
    }
    const stalled = await Promise.all(people.map(async ({ page }) => (await callStats(page)).videoFrames));
    await alice.page.waitForTimeout(3_000);
    // Nothing got through meanwhile (a frame or two in flight at most).
    const during = await Promise.all(people.map(async ({ page }) => (await callStats(page)).videoFrames));
    during.forEach((frames, i) => expect(frames - stalled[i]!).toBeLessThan(5));
    blackout.restore();

    for (const [i, { page }] of people.entries()) {
      await expect(page.getByTestId('call-reconnecting')).toHaveCount(0, { timeout: 30_000 });
      await expect(panel(page)).toHaveAttribute('data-phase', 'active');
      await expect.poll(async () => (await callStats(page)).videoFrames, { timeout: 15_000 }).toBeGreaterThan(during[i]! + 30);
      await expect(page.getByTestId('decrypt-failing')).toHaveCount(0);
    }
  } finally {
    blackout.restore();
  }
  await alice.page.getByRole('button', { name: 'Hang up' }).click();
  await expect(panel(bob.page)).toHaveAttribute('data-outcome', 'hung-up', { timeout: 20_000 });
  for (const { context } of people) await context.close();
});
