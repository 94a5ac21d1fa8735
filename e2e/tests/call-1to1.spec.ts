/**
 * A 1:1 call across the whole system: two browsers with real accounts, signaling sent as
 * Signal-encrypted content through the server's relay, media over WebRTC on loopback with SFrame.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../support/fixtures.js';
import { expectEncryptedMedia, tapSFrameWorkers } from '../support/sframe-wire.js';
import { newPerson, onboard, openConversation, uniqueHandle } from '../support/users.js';

const panel = (page: Page) => page.getByTestId('call-panel');
const decodedFrames = (page: Page) => page.getByTestId('remote-video').evaluate((video: HTMLVideoElement) => video.getVideoPlaybackQuality().totalVideoFrames);

test('Alice video-calls Bob from the chat: his browser rings, he accepts, both decode encrypted media, hang-up ends it on both sides', async ({ browser, system }) => {
  const alice = await newPerson(browser);
  const bob = await newPerson(browser);
  for (const { context } of [alice, bob]) await tapSFrameWorkers(context);
  const bobHandle = uniqueHandle('bob');
  await onboard(alice.page, system, uniqueHandle('alice'), 'Alice Liddell');
  await onboard(bob.page, system, bobHandle, 'Bob Dylan');
  await openConversation(alice.page, bobHandle);

  await alice.page.getByRole('button', { name: 'Video call' }).click();
  await expect(panel(alice.page)).toHaveAttribute('data-phase', 'outgoing');
  // The offer reached Bob's browser through the relay, encrypted: it rings with the caller's name.
  await expect(panel(bob.page)).toHaveAttribute('data-phase', 'incoming', { timeout: 20_000 });
  await expect(panel(bob.page)).toContainText('Alice Liddell');
  await bob.page.getByRole('button', { name: 'Accept' }).click();

  await expect(panel(alice.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await expect(panel(bob.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  // Video decodes both ways: the frames went through the SFrame transforms of both workers.
  await expect.poll(() => decodedFrames(alice.page), { timeout: 15_000 }).toBeGreaterThan(10);
  await expect.poll(() => decodedFrames(bob.page), { timeout: 15_000 }).toBeGreaterThan(10);
  await expect(alice.page.getByTestId('decrypt-failing')).toHaveCount(0);
  await expect(bob.page.getByTestId('decrypt-failing')).toHaveCount(0);
  // Encrypted, not just decodable: each side decrypts the other's frames, and none of the
  // plaintext either side encoded travels between them.
  await expectEncryptedMedia([{ page: alice.page, name: 'Alice' }, { page: bob.page, name: 'Bob' }], ['audio', 'video']);

  // Alice mutes: Bob's stage says so (a polite live region, for screen readers too), told by a
  // media-state signal through the relay. Camera off: Bob sees her avatar instead of a frozen frame.
  const peerMedia = bob.page.getByTestId('peer-media');
  await expect(peerMedia).toHaveAttribute('aria-live', 'polite');
  await expect(peerMedia).not.toContainText('muted');
  await alice.page.getByRole('button', { name: 'Mute' }).click();
  await expect(peerMedia).toHaveText('Alice Liddell muted', { timeout: 10_000 });
  await alice.page.getByRole('button', { name: 'Camera', exact: true }).click();
  await expect(bob.page.getByText('Alice Liddell\'s camera is off')).toBeVisible({ timeout: 10_000 });
  await expect(bob.page.getByTestId('peer-avatar')).toBeVisible();
  await alice.page.getByRole('button', { name: 'Mute' }).click();
  await expect(peerMedia).not.toContainText('muted', { timeout: 10_000 });

  await alice.page.getByRole('button', { name: 'Hang up' }).click();
  await expect(panel(alice.page)).toHaveAttribute('data-outcome', 'hung-up');
  await expect(panel(bob.page)).toHaveAttribute('data-outcome', 'hung-up', { timeout: 20_000 });

  await alice.context.close();
  await bob.context.close();
});
