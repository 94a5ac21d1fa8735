/**
 * Screen sharing in a group video call through Janus (issue 16): Alice shares Chromium's fake
 * 1280×720 screen after the trust warning; it goes through the SFU as its own stream, SFrame-encrypted
 * on its own KID slot (3; the screen's sound on slot 2), and is the spotlight for the others with
 * Alice's camera as a thumbnail. Carol decodes it at 1280×720 and hears its sound; Bob, whose keys
 * for Alice are wrong (the SFrame worker's test hook), gets the same frames and decodes none. A
 * second presenter is refused and told why; stopping returns the layout.
 */
import type { CallPerson } from '../support/calls.js';
import { expect, test } from '../support/fixtures.js';
import { corruptKeyOf, groupCall, groupMediaStats, groupOf, joinFromRing, recordWorkers } from '../support/group-calls.js';
import { SLOT, onSlot, participantIndex, receivedOnSlot, spotlightSize } from '../support/group-presentation.js';
import { plaintextWindowsIn, sharedFrames, wireTapReport } from '../support/sframe-wire.js';

test('a shared 1280×720 screen is the spotlight for the others, encrypted on its own KID; a second presenter is refused; stopping returns the layout', async ({ browser, system }) => {
  test.setTimeout(180_000);
  const [alice, bob, carol] = (await groupOf(browser, system, ['Alice Liddell', 'Bob Dylan', 'Carol King'], 'Designers', (context) => recordWorkers(context))) as [CallPerson, CallPerson, CallPerson];
  await alice.page.getByRole('button', { name: 'Start group call' }).click();
  await expect(groupCall(alice.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await joinFromRing(bob);
  await joinFromRing(carol);
  for (const person of [alice, bob, carol]) {
    await expect(person.page.getByTestId('group-call-count')).toContainText('3 participants', { timeout: 20_000 });
    await expect
      .poll(async () => (await groupMediaStats(person.page)).videoFrames.filter((n) => n > 10).length, { timeout: 45_000, message: `${person.name} decodes both others' cameras` })
      .toBeGreaterThanOrEqual(2);
  }
  const aliceIndex = await participantIndex(carol, 'Alice Liddell');
  // Bob's keys for Alice are replaced by random ones: he is a subscriber without her key.
  await corruptKeyOf(bob.page, aliceIndex);
  const spotlight = (person: CallPerson) => person.page.getByTestId('group-call-spotlight');

  // The trust warning first, as in 1:1 calls; Cancel shares nothing.
  const alicesCall = groupCall(alice.page);
  await alicesCall.getByRole('button', { name: 'Share screen' }).click();
  const warning = alice.page.getByRole('alertdialog', { name: 'Share your screen?' });
  await expect(warning).toContainText('Everyone in the call will see everything on the screen you share');
  await warning.getByRole('button', { name: 'Cancel' }).click();
  await expect(warning).toHaveCount(0);
  await expect(spotlight(carol)).not.toHaveAttribute('data-source', 'screen');
  await alicesCall.getByRole('button', { name: 'Share screen' }).click();
  await warning.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(alice.page.getByTestId('sharing-screen')).toHaveText('You are sharing your screen');
  await expect(alicesCall.getByRole('button', { name: 'Stop sharing' })).toHaveAttribute('aria-pressed', 'true');

  // Carol: Alice's screen is the spotlight, decoded at its full size, Alice's camera a thumbnail.
  await expect(spotlight(carol)).toHaveAttribute('data-source', 'screen', { timeout: 20_000 });
  await expect(spotlight(carol)).toHaveAttribute('data-participant', String(aliceIndex));
  await expect(carol.page.getByRole('status').filter({ hasText: 'Alice Liddell is sharing their screen' })).toHaveCount(1);
  await expect(spotlight(carol).getByLabel("Alice Liddell's screen")).toBeVisible();
  await expect.poll(() => spotlightSize(carol.page), { timeout: 30_000, message: 'Carol decodes the screen at 1280×720' }).toEqual([1280, 720]);
  await expect(carol.page.getByTestId('group-call-tile').and(carol.page.locator(`[data-participant="${aliceIndex}"]`))).toBeVisible();
  // The screen's sound (Chromium's fake capture has some) arrives on its own slot and decrypts.
  await expect.poll(async () => (await receivedOnSlot(carol.page, SLOT.screenAudio)).ok, { timeout: 15_000 }).toBeGreaterThan(10);

  // On the wire only ciphertext: frames Alice encrypted on the screen slot reach Carol and Bob as
  // they left her, and no run of their plaintext does.
  const sent = onSlot((await wireTapReport(alice.page)).sent, aliceIndex, SLOT.screen);
  const atCarol = onSlot((await wireTapReport(carol.page)).received, aliceIndex, SLOT.screen);
  const atBob = onSlot((await wireTapReport(bob.page)).received, aliceIndex, SLOT.screen);
  expect(sent.length, 'screen frames Alice encrypted').toBeGreaterThan(5);
  expect(sharedFrames(sent, atCarol), 'screen frames Carol received of those Alice encrypted').toBeGreaterThanOrEqual(3);
  expect(atBob.length, 'screen frames reaching Bob').toBeGreaterThan(0);
  expect(plaintextWindowsIn(sent, [...atCarol, ...atBob].map((f) => f.bytes))).toEqual([]);
  // Bob, without Alice's key, decrypts none of them and sees no picture: only the notice.
  const bobScreen = await receivedOnSlot(bob.page, SLOT.screen);
  expect(bobScreen.ok).toBe(0);
  expect(bobScreen.dropped).toBeGreaterThan(0);
  await expect(spotlight(bob)).toHaveAttribute('data-source', 'screen');
  expect(await spotlightSize(bob.page)).toEqual([0, 0]);
  await expect(bob.page.getByTestId('group-call-cant-decrypt')).toContainText('Alice Liddell');

  // One presenter at a time: Carol is refused and told why, without a picker.
  await groupCall(carol.page).getByRole('button', { name: 'Share screen' }).click();
  await expect(carol.page.getByRole('alert').filter({ hasText: 'Alice Liddell is sharing their screen. Only one person can share at a time' })).toBeVisible();
  await expect(carol.page.getByRole('alertdialog')).toHaveCount(0);
  await expect(spotlight(carol)).toHaveAttribute('data-participant', String(aliceIndex));

  // Alice stops: the layout returns for everyone.
  await alicesCall.getByRole('button', { name: 'Stop sharing' }).click();
  await expect(alicesCall.getByRole('button', { name: 'Share screen' })).toBeVisible();
  await expect(alice.page.getByTestId('sharing-screen')).toHaveCount(0);
  for (const person of [bob, carol]) {
    await expect(spotlight(person)).not.toHaveAttribute('data-source', 'screen', { timeout: 20_000 });
    await expect(person.page.getByTestId('group-call-presenting')).toHaveText('');
  }
  await expect.poll(async () => (await spotlightSize(carol.page))[0], { timeout: 20_000, message: "Carol's spotlight shows a camera again" }).toBeGreaterThan(0);

  for (const person of [alice, bob, carol]) await person.context.close();
});
