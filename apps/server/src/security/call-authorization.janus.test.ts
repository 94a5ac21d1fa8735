/**
 * Who may let people into a group call (issue 21), through a real server, real relay WebSockets
 * and a real Janus (joining a call takes a Janus room, so there is no way around it): in a call
 * link's call only the link's creator lets people in — `invite` or `join` by call id bypass
 * neither approval nor a removal — while in an ordinary group call a participant still invites.
 * Needs the test network namespace (tools/test/in-loopback-namespace.sh sets
 * PARLEY_JANUS_INTERFACE): run it with `nx run server:test-janus`. Skipped, saying why, elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { janusSkipReason } from '../sfu/janus-test-prerequisites.js';
import { createBody, testCallLink } from '../call-links/test-links.js';
import { janusServerPerSuite } from '../sfu/janus-test-server.js';
import type { SfuTestDevice } from '../sfu/sfu-test-client.js';

const skipReason = janusSkipReason('call-authorization.janus.test.ts');

describe.skipIf(skipReason !== null)('call authorization', () => {
  const suite = janusServerPerSuite();
  const { id, connect, accounts } = suite;
  /** A call link created by `creator`; returns the `join-link` request for it. */
  const newLink = async (creator: string, approval: boolean) => {
    const link = testCallLink();
    const created = await fetch(`${suite.api}/api/call-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await accounts.token(creator)}`, 'content-type': 'application/json' },
      body: JSON.stringify(createBody(link, approval)),
    });
    expect(created.status).toBe(201);
    return { op: 'join-link', roomId: link.roomId, verifier: link.verifier } as const;
  };
  /** `device` joins through the link and must get in at once; returns the call id and its index. */
  const joinNow = async (device: SfuTestDevice, joinLink: Awaited<ReturnType<typeof newLink>>) => {
    const joined = await device.ok(joinLink);
    if (!('self' in joined)) throw new Error('made to wait for approval');
    return { callId: joined.callId, index: joined.self.index };
  };

  it('a participant of a link call with approval cannot invite an outsider past the creator', async () => {
    const [alice, bob, mallory] = [await connect('ana'), await connect('ben'), await connect('mal')];
    const joinLink = await newLink('ana', true);
    const { callId } = await joinNow(alice, joinLink);
    // Ben asks and the creator admits him: he is a participant now.
    const waiting = await bob.ok(joinLink);
    if (!('requestId' in waiting)) throw new Error('ben was let in without approval');
    await alice.ok({ op: 'admit', callId, requestId: (await alice.event('join-request')).requestId, admit: true });
    await joinNow(bob, joinLink);

    expect(await bob.request({ op: 'invite', callId, invitees: [await id('mal')] })).toMatchObject({ ok: false, code: 'not_link_admin' });
    expect(await mallory.request({ op: 'join', callId })).toMatchObject({ ok: false, code: 'not_invited' });
    // The only way in is to ask the creator.
    expect(await mallory.ok(joinLink)).toMatchObject({ waiting: true });
    expect((await suite.server.storage.groupCall(callId))?.invitees).not.toContain(await id('mal'));
  }, 30_000);

  it('an accomplice cannot re-invite someone the link creator removed, and the removed cannot join by call id', async () => {
    const [alice, bob, carol] = [await connect('ann'), await connect('bill'), await connect('cara')];
    // Without approval: anyone holding the link is let in, until the creator removes them.
    const joinLink = await newLink('ann', false);
    const { callId } = await joinNow(alice, joinLink);
    const bobIn = await joinNow(bob, joinLink);
    await joinNow(carol, joinLink);
    await alice.ok({ op: 'remove', callId, participant: bobIn.index });
    await bob.event('removed');

    expect(await carol.request({ op: 'invite', callId, invitees: [await id('bill')] })).toMatchObject({ ok: false, code: 'not_link_admin' });
    expect(await bob.request({ op: 'join', callId })).toMatchObject({ ok: false, code: 'not_invited' });
    expect(await bob.ok(joinLink)).toMatchObject({ waiting: true });

    // The creator's own invitation is the creator's word: it lets him back in.
    await alice.ok({ op: 'invite', callId, invitees: [await id('bill')] });
    expect((await bob.ok({ op: 'join', callId })).self).toMatchObject({ userId: await id('bill') });
  }, 30_000);

  it('an ordinary group call still lets a participant invite someone, who then joins by call id', async () => {
    const [alice, bob, carol] = [await connect('amy2'), await connect('bob2'), await connect('cyd2')];
    const { callId } = await alice.ok({ op: 'create', invitees: [await id('bob2')] });
    await alice.ok({ op: 'join', callId });
    await bob.ok({ op: 'join', callId });
    await bob.ok({ op: 'invite', callId, invitees: [await id('cyd2')] });
    expect((await carol.ok({ op: 'join', callId })).self).toMatchObject({ userId: await id('cyd2') });
    // Still: only a participant invites.
    const dan = await connect('dan2');
    expect(await dan.request({ op: 'invite', callId, invitees: [await id('dan2')] })).toMatchObject({ ok: false, code: 'not_joined' });
  }, 30_000);
});
