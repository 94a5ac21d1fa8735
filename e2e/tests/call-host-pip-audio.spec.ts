/**
 * Issue 16 in real browsers through real Janus: the host of a link call with approval mutes
 * everyone (their audio energy falls to nothing at the host, and they are told who did it), a
 * participant's forged mute request is ignored, all hands are lowered, and a locked call refuses a
 * new link joiner saying why. Then a 1:1 call: its audio switches apply to the microphone and
 * persist across a reload, and picture-in-picture opens with working Mute and Hang up.
 */
import type { Browser, Page } from '@playwright/test';
import { callPanel, callPerson, connect } from '../support/calls.js';
import { expect, test } from '../support/fixtures.js';
import { groupCall } from '../support/group-calls.js';
import { joinOwnLink, makeLink } from '../support/call-links.js';
import { recordPeerConnections } from '../support/peer-connections.js';
import { newPerson } from '../support/users.js';

/** Audio energy (WebRTC `totalAudioEnergy`) received per inbound audio stream of the page, by stats id. */
function inboundAudioEnergy(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const energy: Record<string, number> = {};
    for (const pc of (window as unknown as { __parleyPeerConnections: RTCPeerConnection[] }).__parleyPeerConnections) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') energy[String(s.id)] = Number(s.totalAudioEnergy ?? 0);
      });
    }
    return energy;
  });
}

/** How many inbound audio streams carried sound over the next 2.5 s (energy rising above a whisper). */
async function audibleStreams(page: Page): Promise<number> {
  const before = await inboundAudioEnergy(page);
  await page.waitForTimeout(2_500);
  const after = await inboundAudioEnergy(page);
  return Object.entries(after).filter(([id, energy]) => energy - (before[id] ?? 0) > 1e-4).length;
}

/** A guest opens the link and asks to join (the call has approval: they wait). */
async function guestAsks(browser: Browser, url: string, name: string) {
  const guest = await newPerson(browser);
  await recordPeerConnections(guest.context);
  await guest.page.goto(url);
  const card = guest.page.getByTestId('guest-join');
  await card.getByLabel('Your name').fill(name);
  await card.getByRole('button', { name: 'Join as guest' }).click();
  return { ...guest, name };
}

test('host controls: mute everyone silences the others and tells them; a forged request is ignored; hands lowered; a locked call refuses a new joiner', async ({ browser, system }) => {
  test.setTimeout(180_000);
  const alice = await callPerson(browser, system, 'Alice Liddell');
  const url = await makeLink(alice.page, 'Standup', true);
  await joinOwnLink(alice.page, 'Standup');
  const bob = await guestAsks(browser, url, 'Bob Guest');
  await alice.page.getByRole('button', { name: 'Admit Bob Guest' }).click();
  await expect(groupCall(bob.page)).toHaveAttribute('data-phase', 'active', { timeout: 30_000 });
  const carol = await guestAsks(browser, url, 'Carol Guest');
  await alice.page.getByRole('button', { name: 'Admit Carol Guest' }).click();
  await expect(groupCall(carol.page)).toHaveAttribute('data-phase', 'active', { timeout: 30_000 });
  for (const person of [alice, bob, carol]) await expect(person.page.getByTestId('group-call-count')).toContainText('3 participants', { timeout: 20_000 });

  // Only the host has the host controls.
  await expect(groupCall(bob.page).getByRole('button', { name: 'Host controls' })).toHaveCount(0);
  const hostControls = groupCall(alice.page).getByRole('button', { name: 'Host controls' });
  await expect(hostControls).toBeVisible();

  // Both guests are heard at Alice's.
  await expect.poll(() => audibleStreams(alice.page), { timeout: 45_000, message: 'Alice hears Bob and Carol' }).toBe(2);

  // Bob, not the host, forges "mute everyone" (a modified app, through the test hook): Carol's app
  // ignores it. His reaction, sent after it on the same Signal session, says it has arrived.
  await bob.page.evaluate(() => (window as unknown as { parleyForgeGroupSignal: (s: unknown) => void }).parleyForgeGroupSignal({ kind: 'group-host', action: 'mute-all' }));
  await groupCall(bob.page).getByRole('button', { name: 'React with 🎉' }).click();
  await expect(carol.page.getByRole('img', { name: 'Bob Guest reacted 🎉' })).toBeVisible({ timeout: 20_000 });
  await expect(groupCall(carol.page).getByRole('button', { name: 'Mute', exact: true })).toHaveAttribute('aria-pressed', 'false');
  await expect(carol.page.getByTestId('group-call-host-notice')).toHaveCount(0);

  // The host mutes everyone, by keyboard from the "Host controls" button.
  await hostControls.focus();
  await alice.page.keyboard.press('Enter');
  const panel = alice.page.getByRole('group', { name: 'Host controls' });
  await panel.getByRole('button', { name: 'Mute everyone' }).focus();
  await alice.page.keyboard.press('Enter');
  await expect(alice.page.getByTestId('group-call-host-feedback')).toHaveText('You muted everyone. Only they can unmute themselves.');
  for (const person of [bob, carol]) {
    await expect(person.page.getByTestId('group-call-host-notice')).toHaveText('Alice Liddell muted everyone. You can unmute yourself.', { timeout: 20_000 });
    await expect(groupCall(person.page).getByRole('button', { name: 'Mute', exact: true })).toHaveAttribute('aria-pressed', 'true');
  }
  // Silence at Alice's: neither stream carries sound any more.
  await expect.poll(() => audibleStreams(alice.page), { timeout: 20_000, message: 'Bob and Carol are silent at Alice\'s' }).toBe(0);

  // Lower all hands: Carol's goes down; a second time there is none, and the host is told so.
  await groupCall(carol.page).getByRole('button', { name: 'Raise hand' }).click();
  const people = alice.page.getByTestId('group-call-participants');
  await people.locator('summary').click();
  await expect(people.getByTestId('group-call-participant').filter({ hasText: 'Carol Guest' }).getByRole('img', { name: 'Hand raised' })).toBeVisible({ timeout: 20_000 });
  await panel.getByRole('button', { name: 'Lower all hands' }).click();
  await expect(carol.page.getByTestId('group-call-host-notice')).toHaveText('Alice Liddell lowered all hands.', { timeout: 20_000 });
  await expect(groupCall(carol.page).getByRole('button', { name: 'Raise hand' })).toHaveAttribute('aria-pressed', 'false');
  await expect(people.getByTestId('group-call-participant').filter({ hasText: 'Carol Guest' }).getByRole('img', { name: 'Hand raised' })).toHaveCount(0, { timeout: 20_000 });
  await panel.getByRole('button', { name: 'Lower all hands' }).click();
  await expect(alice.page.getByTestId('group-call-host-feedback')).toHaveText('Nobody has a hand raised: there is nothing to lower.');

  // Lock: a new link joiner is refused at once, saying why; the others see the call is locked.
  await panel.getByRole('button', { name: 'Lock call' }).click();
  await expect(panel.getByRole('button', { name: 'Unlock call' })).toHaveAttribute('aria-pressed', 'true');
  await expect(bob.page.getByTestId('group-call-locked')).toHaveText('Locked: nobody new can join', { timeout: 20_000 });
  const dave = await guestAsks(browser, url, 'Dave Guest');
  const refusal = dave.page.getByTestId('group-call-error');
  await expect(refusal).toHaveAttribute('data-code', 'call_locked', { timeout: 30_000 });
  await expect(refusal).toHaveText('The host locked this call: nobody new can join. Ask the host to unlock it.');
  await expect(alice.page.getByTestId('group-call-join-request')).toHaveCount(0);
  // Escape closes the host's panel and gives the focus back to its button.
  await panel.getByRole('button', { name: 'Unlock call' }).focus();
  await alice.page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(hostControls).toBeFocused();

  for (const person of [alice, bob, carol, dave]) await person.context.close();
});

/** The local microphone track's settings as the browser applied them (the sender of the call's connection). */
function microphoneSettings(page: Page): Promise<MediaTrackSettings | null> {
  return page.evaluate(() => {
    // The call's connection: a spare one made ahead has no microphone on it.
    const pcs = (window as unknown as { __parleyPeerConnections: RTCPeerConnection[] }).__parleyPeerConnections.filter((pc) => pc.connectionState !== 'closed');
    const tracks = pcs.flatMap((pc) => pc.getSenders().map((s) => s.track)).filter((t) => t?.kind === 'audio' && t.readyState === 'live');
    return tracks.at(-1)?.getSettings() ?? null;
  });
}

test('1:1: audio switches apply to the microphone and persist across a reload; picture-in-picture with working Mute and Hang up', async ({ browser, system }) => {
  test.setTimeout(150_000);
  const alice = await callPerson(browser, system, 'Alice Liddell');
  const bob = await callPerson(browser, system, 'Bob Dylan');
  await connect(alice, bob, 'Video call');

  // Noise suppression off, from the call settings: applied to the running microphone.
  const settings = async () => {
    await callPanel(alice.page).getByRole('button', { name: 'More' }).click();
    return alice.page.getByRole('dialog', { name: 'Call settings' }).getByRole('group', { name: 'Audio processing' });
  };
  let switches = await settings();
  await expect(switches.getByRole('switch', { name: 'Noise suppression' })).toBeChecked();
  await switches.getByRole('switch', { name: 'Noise suppression' }).click();
  await expect.poll(async () => (await microphoneSettings(alice.page))?.noiseSuppression, { timeout: 10_000 }).toBe(false);
  expect((await microphoneSettings(alice.page))?.echoCancellation).toBe(true);
  await alice.page.keyboard.press('Escape');

  // Headless Chromium keeps a page 'visible' when another tab comes to the front, so the automatic
  // picture-in-picture on a tab switch (the Media Session action) cannot be driven here: the button can.
  // Picture-in-picture from the button: Chromium opens a Document PiP window with the call's controls.
  await callPanel(alice.page).getByRole('button', { name: 'Picture in picture' }).click();
  await expect.poll(() => alice.page.evaluate(() => !!(globalThis as { documentPictureInPicture?: { window: Window | null } }).documentPictureInPicture?.window), { timeout: 10_000 }).toBe(true);
  const pipLabels = await alice.page.evaluate(() =>
    Array.from((globalThis as unknown as { documentPictureInPicture: { window: Window } }).documentPictureInPicture.window.document.querySelectorAll('button'), (b) => b.getAttribute('aria-label')),
  );
  expect(pipLabels).toEqual(['Mute', 'Camera', 'Hang up']);
  const pipClick = (label: string) =>
    alice.page.evaluate((name) => {
      const doc = (globalThis as unknown as { documentPictureInPicture: { window: Window } }).documentPictureInPicture.window.document;
      (doc.querySelector(`button[aria-label="${name}"]`) as HTMLButtonElement).click();
    }, label);
  await pipClick('Mute');
  await expect(callPanel(alice.page).getByRole('button', { name: 'Mute', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(bob.page.getByTestId('peer-muted')).toBeVisible({ timeout: 10_000 });
  await pipClick('Hang up');
  for (const person of [alice, bob]) await expect(callPanel(person.page)).not.toHaveAttribute('data-phase', 'active', { timeout: 15_000 });
  await expect.poll(() => alice.page.evaluate(() => !!(globalThis as { documentPictureInPicture?: { window: Window | null } }).documentPictureInPicture?.window)).toBe(false);

  // After a reload, the next call opens the microphone with noise suppression still off.
  await alice.page.reload();
  await connect(alice, bob, 'Voice call');
  await expect.poll(async () => (await microphoneSettings(alice.page))?.noiseSuppression, { timeout: 10_000 }).toBe(false);
  switches = await settings();
  await expect(switches.getByRole('switch', { name: 'Noise suppression' })).not.toBeChecked();
  await expect(switches.getByRole('switch', { name: 'Echo cancellation' })).toBeChecked();

  for (const person of [alice, bob]) await person.context.close();
});
