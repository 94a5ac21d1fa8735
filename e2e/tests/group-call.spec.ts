import { execFileSync } from 'node:child_process';
import { expect, test } from '../support/fixtures.js';
import { dropUdp, udpBlackoutUnavailable } from '../support/udp-blackout.js';
import { skipWhenMissing } from '../support/prerequisites.js';
import { type CallPerson, callPanel, callPerson, connect } from '../support/calls.js';
import { expectEncryptedMedia } from '../support/sframe-wire.js';
import { corruptKeyOf, expectDecodingOthers, groupCall, groupMediaStats, groupOf, joinFromRing, misattributeStreams, recordLayerRequests, recordWorkers, type RequestedLayers, tileWidths } from '../support/group-calls.js';

test('three people in a group video call through Janus hear and see each other; thumbnails take the low layer', async ({ browser, system }) => {
  test.setTimeout(180_000);
  // The first context prepared is Alice's: her layer requests are the ones checked below.
  let aliceLayers: RequestedLayers | undefined;
  const [alice, bob, carol] = await groupOf(browser, system, ['Alice Liddell', 'Bob Dylan', 'Carol King'], 'Climbers', async (context) => {
    aliceLayers ??= recordLayerRequests(context);
    await recordWorkers(context);
  });
  await alice!.page.getByRole('button', { name: 'Start group call' }).click();
  await expect(groupCall(alice!.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await joinFromRing(bob!);
  await joinFromRing(carol!);

  for (const person of [alice!, bob!, carol!]) {
    await expect(person.page.getByTestId('group-call-count')).toContainText('3 participants', { timeout: 20_000 });
    // Two others, each with audio and video, all SFrame-decrypted (an encrypted frame decodes to nothing).
    await expectDecodingOthers([person], 2);
    await expect(person.page.getByTestId('group-call-cant-decrypt')).toHaveCount(0);
  }
  // Through Janus only ciphertext: each decrypts both others' frames (counted per sender by the
  // KID), and no run of anyone's plaintext reaches the others.
  await expectEncryptedMedia([alice!, bob!, carol!], ['audio', 'video']);

  // Alice's app asks for the high layer of her spotlight and the low one of her thumbnail; pinning
  // the thumbnail swaps them. What arrives is no larger for the thumbnail: a publisher short of CPU
  // may stop sending its high layer, and then both tiles get the same size, legitimately.
  const layersMatchTiles = async () => {
    const spotlight = Number(await alice!.page.getByTestId('group-call-spotlight').getAttribute('data-participant'));
    const thumbnail = Number(await alice!.page.getByTestId('group-call-tile').first().getAttribute('data-participant'));
    const { spotlight: spotlightWidth, thumbnails } = await tileWidths(alice!.page);
    return aliceLayers!.get(spotlight) === 2 && aliceLayers!.get(thumbnail) === 0 && thumbnails[0]! > 0 && thumbnails[0]! <= spotlightWidth;
  };
  await expect.poll(layersMatchTiles, { timeout: 30_000, message: 'the spotlight is asked for the high layer, the thumbnail for the low one' }).toBe(true);
  const before = await alice!.page.getByTestId('group-call-spotlight').getAttribute('data-participant');
  await alice!.page.getByTestId('group-call-tile').first().getByRole('button').click();
  await expect(alice!.page.getByTestId('group-call-spotlight')).not.toHaveAttribute('data-participant', before!);
  await expect.poll(layersMatchTiles, { timeout: 30_000, message: 'after the swap, the new spotlight is asked for the high layer and the new thumbnail for the low one' }).toBe(true);

  // Mute, raised hand and reactions reach the others (over Signal, not through the SFU).
  await groupCall(bob!.page).getByRole('button', { name: 'Mute' }).click();
  await groupCall(carol!.page).getByRole('button', { name: 'Raise hand' }).click();
  await groupCall(alice!.page).getByRole('button', { name: 'React with 👏' }).click();
  const aliceList = alice!.page.getByTestId('group-call-participants');
  await aliceList.locator('summary').click();
  await expect(aliceList.getByTestId('group-call-participant').filter({ hasText: 'Bob Dylan' }).getByRole('img', { name: 'Muted' })).toBeVisible();
  await expect(aliceList.getByTestId('group-call-participant').filter({ hasText: 'Carol King' }).getByRole('img', { name: 'Hand raised' })).toBeVisible();
  await expect(bob!.page.getByRole('img', { name: 'Alice Liddell reacted 👏' })).toBeVisible();

  // A wrong key for Bob at Alice's (the worker's test hook): his frames fail and the notice names him.
  const bobIndex = Number(await aliceList.getByTestId('group-call-participant').filter({ hasText: 'Bob Dylan' }).getAttribute('data-participant'));
  await corruptKeyOf(alice!.page, bobIndex);
  await expect(alice!.page.getByTestId('group-call-cant-decrypt')).toHaveText(["Can't decrypt media from Bob Dylan. Their audio and video are dropped."], { timeout: 20_000 });

  // The SFU passes one participant's media off as another's (Carol's worker hook swaps whose stream
  // each m-line is): the KIDs name someone else, so Carol decodes nothing more and is told.
  await misattributeStreams(carol!.page);
  await expect(carol!.page.getByTestId('group-call-cant-decrypt')).toHaveCount(2, { timeout: 20_000 });
  await expect(carol!.page.getByTestId('group-call-cant-decrypt').filter({ hasText: 'Alice Liddell' })).toHaveCount(1);
  await expect(carol!.page.getByTestId('group-call-cant-decrypt').filter({ hasText: 'Bob Dylan' })).toHaveCount(1);
  const carolStalled = await groupMediaStats(carol!.page);
  await carol!.page.waitForTimeout(1_000);
  expect((await groupMediaStats(carol!.page)).videoFrames).toEqual(carolStalled.videoFrames);

  // Carol leaves: the others see two participants.
  await groupCall(carol!.page).getByRole('button', { name: 'Leave' }).click();
  for (const person of [alice!, bob!]) await expect(person.page.getByTestId('group-call-count')).toContainText('2 participants', { timeout: 20_000 });

  for (const person of [alice!, bob!, carol!]) await person.context.close();
});

test('Janus killed mid-call: the server restarts it and both participants are back in the call', async ({ browser, system }) => {
  test.setTimeout(180_000);
  const [alice, bob] = await groupOf(browser, system, ['Alice Liddell', 'Bob Dylan'], 'Pair');
  await alice!.page.getByRole('button', { name: 'Start group call' }).click();
  await joinFromRing(bob!);
  const decodingBoth = async () => {
    for (const person of [alice!, bob!]) {
      const baseline = await groupMediaStats(person.page);
      await expect
        .poll(async () => {
          const stats = await groupMediaStats(person.page);
          return Math.max(0, ...stats.videoFrames) > Math.max(0, ...baseline.videoFrames) + 10;
        }, { timeout: 45_000, message: `${person.name} decodes video` })
        .toBe(true);
    }
  };
  await decodingBoth();

  // The Janus this test's server started is a child of this test process.
  const janus = execFileSync('pgrep', ['-P', String(process.pid), '-x', 'janus'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  expect(janus).toHaveLength(1);
  process.kill(Number(janus[0]), 'SIGKILL');

  for (const person of [alice!, bob!]) {
    await expect(groupCall(person.page)).toHaveAttribute('data-phase', 'active', { timeout: 45_000 });
    await expect(person.page.getByTestId('group-call-count')).toContainText('2 participants', { timeout: 45_000 });
  }
  await decodingBoth();
  const restarted = execFileSync('pgrep', ['-P', String(process.pid), '-x', 'janus'], { encoding: 'utf8' }).trim();
  expect(restarted).not.toBe(janus[0]);

  for (const person of [alice!, bob!]) await person.context.close();
});

test('adding someone to a 1:1 call moves it to the SFU: the peer follows without ringing, the newcomer joins from the ring', async ({ browser, system }) => {
  test.setTimeout(180_000);
  const alice = await callPerson(browser, system, 'Alice Liddell');
  const bob = await callPerson(browser, system, 'Bob Dylan');
  const carol = await callPerson(browser, system, 'Carol King');
  await connect(alice, bob, 'Video call');

  // "Add person" sits in the call's settings sheet, behind "More".
  await callPanel(alice.page).getByRole('button', { name: 'More' }).click();
  const add = callPanel(alice.page).getByRole('form', { name: 'Add person' });
  await add.getByLabel('Handle').fill(`@${carol.handle}`);
  await add.getByRole('button', { name: 'Add person' }).click();

  await expect(groupCall(alice.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await expect(groupCall(bob.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await expect(bob.page.getByTestId('group-call-incoming')).toHaveCount(0);
  await expect(callPanel(bob.page)).toHaveCount(0);
  await joinFromRing(carol);
  await expect(carol.page.getByTestId('group-call-incoming-title')).toHaveCount(0);
  for (const person of [alice, bob, carol]) {
    await expect(person.page.getByTestId('group-call-count')).toContainText('3 participants', { timeout: 20_000 });
    await expect
      .poll(async () => (await groupMediaStats(person.page)).videoFrames.filter((n) => n > 10).length, { timeout: 45_000, message: `${person.name} decodes both others` })
      .toBeGreaterThanOrEqual(2);
  }
  for (const person of [alice, bob, carol]) await person.context.close();
});

test('a group call survives seconds without UDP: media flows again by itself', async ({ browser, system }) => {
  const unavailable = udpBlackoutUnavailable();
  skipWhenMissing(unavailable);
  test.setTimeout(180_000);
  const [alice, bob] = await groupOf(browser, system, ['Alice Liddell', 'Bob Dylan'], 'Pair');
  await alice!.page.getByRole('button', { name: 'Start group call' }).click();
  await joinFromRing(bob!);
  for (const person of [alice!, bob!]) {
    await expect.poll(async () => (await groupMediaStats(person.page)).videoFrames.some((n) => n > 10), { timeout: 45_000 }).toBe(true);
  }

  // Frames decoded over two seconds, on whatever connections are open by then.
  const decodedOverTwoSeconds = async (person: CallPerson) => {
    const sum = async () => (await groupMediaStats(person.page)).videoFrames.reduce((a, b) => a + b, 0);
    const first = await sum();
    await person.page.waitForTimeout(2_000);
    return (await sum()) - first;
  };
  const blackout = dropUdp();
  try {
    await alice!.page.waitForTimeout(3_000);
    // The drop is real: nothing decodes meanwhile (a frame or two in flight at most).
    expect(await decodedOverTwoSeconds(alice!)).toBeLessThan(5);
    await alice!.page.waitForTimeout(3_000);
  } finally {
    blackout.restore();
  }
  // Both see each other again, whether the connections recover or the call joins again by itself.
  for (const person of [alice!, bob!]) {
    await expect.poll(() => decodedOverTwoSeconds(person), { timeout: 60_000, message: `${person.name} decodes again` }).toBeGreaterThan(15);
    await expect(groupCall(person.page)).toHaveAttribute('data-phase', 'active');
    await expect(person.page.getByTestId('group-call-count')).toContainText('2 participants');
  }
  for (const person of [alice!, bob!]) await person.context.close();
});
