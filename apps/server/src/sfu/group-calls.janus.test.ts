/**
 * Group calls against a real Janus (the Debian package), started by the server as in production.
 * Needs the test network namespace with its `ifb` link (tools/test/in-loopback-namespace.sh sets
 * PARLEY_JANUS_INTERFACE): run it with `nx run server:test-janus`. Skipped, saying why, elsewhere.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { RTCPeerConnection } from 'werift';
import { beforeAll, describe, expect, it } from 'vitest';
import { janusSkipReason } from './janus-test-prerequisites.js';
import { createBody, testCallLink } from '../call-links/test-links.js';
import { pino } from 'pino';
import { JanusPool } from './janus-pool.js';
import { JanusSupervisor } from './janus-process.js';
import { JanusRooms } from './janus-rooms.js';
import { janusServerPerSuite } from './janus-test-server.js';
import { RoomSecrets } from './room-secret.js';
import type { SfuService } from './sfu-service.js';

const iceInterface = process.env.PARLEY_JANUS_INTERFACE;
const skipReason = janusSkipReason('group-calls.janus.test.ts');

/** A real publisher (audio + video, send only) in werift, as a browser would publish. */
async function publisher(): Promise<{ sdp: string; answer(sdp: string): Promise<void>; connected: Promise<void>; close(): Promise<void> }> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('audio', { direction: 'sendonly' });
  pc.addTransceiver('video', { direction: 'sendonly' });
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const connected = new Promise<void>((resolve) => {
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') resolve();
    });
  });
  return {
    sdp: pc.localDescription?.sdp ?? offer.sdp,
    answer: async (sdp) => {
      await pc.setRemoteDescription({ type: 'answer', sdp });
    },
    connected,
    close: () => pc.close(),
  };
}

describe.skipIf(skipReason !== null)('group calls through a real Janus', () => {
  const log: string[] = [];
  const tokens: string[] = [];
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      log.push(String(chunk));
      done();
    },
  });
  const suite = janusServerPerSuite({ logLevel: 'debug', logDestination });
  const { id, connect, accounts } = suite;
  let sfu: SfuService;
  /** Janus's own view, through a separate janode connection (with its API secret). */
  const janus = async () => {
    const instance = sfu.pool.all()[0]!;
    return instance.manager();
  };

  beforeAll(() => {
    const service = suite.server.sfu();
    if (!service) throw new Error('the SFU did not start');
    sfu = service;
    // Records every join token handed out, to prove none reaches the database or the log.
    const join = sfu.calls.join.bind(sfu.calls);
    sfu.calls.join = async (...args) => {
      const joined = await join(...args);
      tokens.push(joined.self.token);
      return joined;
    };
  });

  it('runs a call: rooms, tokens, e2ee publishing, a Janus crash, the end, and keeps secrets out of the database and log', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    const mallory = await connect('mallory');

    // Create: a room exists in Janus, requiring e2ee.
    const { callId } = await alice.ok({ op: 'create', invitees: [await id('bob')] });
    expect(callId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const stored = await suite.server.storage.groupCall(callId);
    expect(stored?.invitees).toEqual([await id('alice'), await id('bob')]);
    const roomId = stored!.roomId;
    const manager = await janus();
    expect((await manager.exists({ room: roomId })).exists).toBe(true);
    const listed = (await manager.list()).list.find((room) => room.room === roomId);
    expect(listed?.require_e2ee).toBe(true);

    // Join: the first participant gets index 0; the server refuses the uninvited.
    const aliceJoin = await alice.ok({ op: 'join', callId });
    expect(aliceJoin.self).toMatchObject({ index: 0, userId: await id('alice'), deviceId: 1, publishing: false });
    expect(aliceJoin.participants).toEqual([]);
    expect(await mallory.request({ op: 'join', callId })).toMatchObject({ ok: false, code: 'not_invited' });
    expect(await mallory.request({ op: 'publish', callId, jsep: { type: 'offer', sdp: 'v=0' } })).toMatchObject({ ok: false, code: 'not_joined' });
    expect(await mallory.request({ op: 'join', callId: 'no-such-call' })).toMatchObject({ ok: false, code: 'call_not_found' });

    // Janus itself refuses a join token it was not given (janode directly, past the server).
    const intruder = await sfu.pool.all()[0]!.attach();
    await expect(intruder.joinPublisher({ room: roomId, feed: 999, display: 'x', token: 'not-a-granted-token' })).rejects.toThrow(/433|unauthorized|allowed/i);
    await expect(intruder.joinPublisher({ room: roomId, feed: 998, display: 'x' })).rejects.toThrow(/433|unauthorized|allowed/i);
    await intruder.detach();

    const bobJoin = await bob.ok({ op: 'join', callId });
    expect(bobJoin.self.index).toBe(1);
    expect(bobJoin.participants.map((p) => p.index)).toEqual([0]);
    expect((await alice.event('joined')).participant).toMatchObject({ index: 1, userId: await id('bob') });

    // Publish a real offer (marked e2ee by the server): Janus answers, bob hears of it.
    const offer = await publisher();
    try {
      const published = await alice.ok({ op: 'publish', callId, jsep: { type: 'offer', sdp: offer.sdp } });
      expect(published.jsep.type).toBe('answer');
      expect(published.jsep.sdp).toMatch(/^v=0/);
      // Media flows to Janus over the ifb interface: then (webrtcup) the others hear `published`.
      await offer.answer(published.jsep.sdp);
      await offer.connected;
      expect((await bob.event('published')).participant).toMatchObject({ index: 0, publishing: true });

      // Bob subscribes to alice: Janus's offer, its m-lines named by participant index.
      const subscribed = await bob.ok({ op: 'subscribe', callId, participants: [0] });
      expect(subscribed.jsep!.type).toBe('offer');
      expect(subscribed.streams.map((s) => [s.participant, s.kind]).sort()).toEqual([
        [0, 'audio'],
        [0, 'video'],
      ]);
      expect(await bob.request({ op: 'subscribe', callId, participants: [7] })).toMatchObject({ ok: false, code: 'bad_request' });

      // Bob's answer (werift again) starts the subscription; dropping alice renegotiates it.
      const receiver = new RTCPeerConnection();
      try {
        await receiver.setRemoteDescription({ type: 'offer', sdp: subscribed.jsep!.sdp });
        const answer = await receiver.createAnswer();
        await receiver.setLocalDescription(answer);
        expect(await bob.request({ op: 'answer', callId, jsep: { type: 'answer', sdp: receiver.localDescription?.sdp ?? answer.sdp } })).toMatchObject({ ok: true });
        expect(await bob.request({ op: 'trickle', callId, pc: 'subscriber', candidate: null })).toMatchObject({ ok: true });
        const unsubscribed = await bob.ok({ op: 'unsubscribe', callId, participants: [0] });
        expect(unsubscribed.streams).toEqual([]);
      } finally {
        await receiver.close();
      }
      expect(await alice.request({ op: 'trickle', callId, pc: 'publisher', candidate: null })).toMatchObject({ ok: true });
    } finally {
      await offer.close();
    }

    // The database holds the call id (a positive control) and neither the room secret nor a token.
    const secret = RoomSecrets.fromDataDir(suite.folder).secretFor(callId);
    const database = () =>
      readdirSync(suite.folder)
        .filter((name) => name.startsWith('parley.sqlite'))
        .map((name) => readFileSync(join(suite.folder, name)).toString('latin1'))
        .join('\n');
    expect(database()).toContain(callId);
    expect(tokens).toHaveLength(2);
    for (const hidden of [secret, ...tokens]) expect(database()).not.toContain(hidden);

    // Janus dies: the supervisor starts it again and every joined device hears `restarted`.
    const supervisor = sfu.supervisor!;
    const pid = supervisor.pid!;
    process.kill(pid, 'SIGKILL');
    await Promise.all([alice.event('restarted', 15_000), bob.event('restarted', 15_000)]);
    expect(supervisor.pid).not.toBe(pid);
    expect(supervisor.restartCount).toBe(1);

    // Rejoining recreates the room with the same settings; indexes are never reused.
    const rejoined = await alice.ok({ op: 'join', callId });
    expect(rejoined.self.index).toBe(2);
    const managerAfter = await janus();
    expect((await managerAfter.exists({ room: roomId })).exists).toBe(true);
    expect((await managerAfter.list()).list.find((room) => room.room === roomId)?.require_e2ee).toBe(true);
    const offerAgain = await publisher();
    const receiver = new RTCPeerConnection();
    try {
      const answer = await alice.ok({ op: 'publish', callId, jsep: { type: 'offer', sdp: offerAgain.sdp } });
      expect(answer.jsep.type).toBe('answer');
      await offerAgain.answer(answer.jsep.sdp);
      await offerAgain.connected;

      // Bob rejoins and subscribes to alice again (she is publishing, so he is told in the join answer).
      const bobAgain = await bob.ok({ op: 'join', callId });
      expect(bobAgain.self.index).toBe(3);
      await expect.poll(async () => (await sfu.calls.participants(callId)).find((p) => p.index === 2)?.publishing).toBe(true);
      const subscribed = await bob.ok({ op: 'subscribe', callId, participants: [2] });
      await receiver.setRemoteDescription({ type: 'offer', sdp: subscribed.jsep!.sdp });
      const local = await receiver.createAnswer();
      await receiver.setLocalDescription(local);
      await bob.ok({ op: 'answer', callId, jsep: { type: 'answer', sdp: receiver.localDescription?.sdp ?? local.sdp } });

      // Alice leaves: bob hears it, and Janus renegotiates his subscription (her m-lines go inactive).
      await alice.ok({ op: 'leave', callId });
      expect((await bob.event('left')).participant).toBe(2);
      const renegotiation = await bob.event('subscriber-offer');
      expect(renegotiation.jsep.type).toBe('offer');
      expect(renegotiation.streams).toEqual([]);
    } finally {
      await offerAgain.close();
      await receiver.close();
    }

    // Bob, the last one, leaves: the room is destroyed and the call ended.
    await bob.ok({ op: 'leave', callId });
    expect((await managerAfter.exists({ room: roomId })).exists).toBe(false);
    expect(await suite.server.storage.groupCall(callId)).toBeUndefined();
    expect(await alice.request({ op: 'join', callId })).toMatchObject({ ok: false, code: 'call_not_found' });

    // The log (debug level, Janus's own output included) names the call and holds no secret.
    const logText = log.join('');
    expect(logText).toContain(callId);
    expect(logText).toContain('janus output');
    expect(tokens).toHaveLength(4);
    for (const hidden of [secret, ...tokens]) {
      expect(logText).not.toContain(hidden);
      expect(database()).not.toContain(hidden);
    }
    expect(logText).not.toMatch(/a=fingerprint|m=audio/);
  }, 60_000);

  it('a publisher adding a screen is announced again, and a subscriber gets only the new m-lines, named as a screen', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    const { callId } = await alice.ok({ op: 'create', invitees: [await id('bob')] });
    await alice.ok({ op: 'join', callId });
    await bob.ok({ op: 'join', callId });
    const pc = new RTCPeerConnection();
    const receiver = new RTCPeerConnection();
    try {
      pc.addTransceiver('audio', { direction: 'sendonly' });
      pc.addTransceiver('video', { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      const connected = new Promise<void>((resolve) => pc.connectionStateChange.subscribe((state) => state === 'connected' && resolve()));
      const sources = (mids: readonly string[], names: readonly string[]) => mids.map((mid, i) => ({ mid, source: names[i] as 'microphone' }));
      const mids = () => pc.getTransceivers().map((t) => t.mid!);
      const first = await alice.ok({ op: 'publish', callId, jsep: { type: 'offer', sdp: pc.localDescription!.sdp }, sources: sources(mids(), ['microphone', 'camera']) });
      await pc.setRemoteDescription({ type: 'answer', sdp: first.jsep.sdp });
      await connected;
      await bob.event('published');
      const subscribed = await bob.ok({ op: 'subscribe', callId, participants: [0] });
      expect(subscribed.streams.map((s) => [s.kind, s.source])).toEqual([
        ['audio', 'microphone'],
        ['video', 'camera'],
      ]);
      await receiver.setRemoteDescription({ type: 'offer', sdp: subscribed.jsep!.sdp });
      await receiver.setLocalDescription(await receiver.createAnswer());
      await bob.ok({ op: 'answer', callId, jsep: { type: 'answer', sdp: receiver.localDescription!.sdp } });

      // Alice adds her screen (video and its sound) and renegotiates: Bob hears `published` again.
      pc.addTransceiver('video', { direction: 'sendonly' });
      pc.addTransceiver('audio', { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      const again = await alice.ok({ op: 'publish', callId, jsep: { type: 'offer', sdp: pc.localDescription!.sdp }, sources: sources(mids(), ['microphone', 'camera', 'screen', 'screen-audio']) });
      await pc.setRemoteDescription({ type: 'answer', sdp: again.jsep.sdp });
      expect((await bob.event('published')).participant).toMatchObject({ index: 0 });

      // Bob subscribes to her again: Janus adds the two new m-lines only, no second camera.
      const added = await bob.ok({ op: 'subscribe', callId, participants: [0] });
      expect(added.jsep?.type).toBe('offer');
      expect(added.streams.map((s) => [s.kind, s.source])).toEqual([
        ['audio', 'microphone'],
        ['video', 'camera'],
        ['video', 'screen'],
        ['audio', 'screen-audio'],
      ]);
      await receiver.setRemoteDescription({ type: 'offer', sdp: added.jsep!.sdp });
      await receiver.setLocalDescription(await receiver.createAnswer());
      await bob.ok({ op: 'answer', callId, jsep: { type: 'answer', sdp: receiver.localDescription!.sdp } });
      // Nothing new since: no offer, the same streams; layers still go to the camera's m-line.
      const nothingNew = await bob.ok({ op: 'subscribe', callId, participants: [0] });
      expect(nothingNew.jsep).toBeUndefined();
      expect(nothingNew.streams).toEqual(added.streams);
      expect(await bob.request({ op: 'substream', callId, participant: 0, substream: 0 })).toMatchObject({ ok: true });
    } finally {
      await pc.close();
      await receiver.close();
    }
    await alice.ok({ op: 'leave', callId });
    await bob.ok({ op: 'leave', callId });
  });

  it('places rooms on the least-loaded of several Janus instances', async () => {
    const supervisors = [new JanusSupervisor({ iceInterface }), new JanusSupervisor({ iceInterface })];
    const pool = new JanusPool(await Promise.all(supervisors.map((s) => s.start())), { log: pino({ level: 'silent' }) });
    try {
      await pool.start();
      const rooms = new JanusRooms(pool);
      const [a, b] = pool.all().map((instance) => instance.url);
      const first = await rooms.createRoom(1001, 'secret-1');
      expect(first).toBe(a);
      rooms.adjustLoad(first, 3);
      expect(await rooms.createRoom(1002, 'secret-2')).toBe(b);
      rooms.adjustLoad(b!, 5);
      expect(await rooms.createRoom(1003, 'secret-3')).toBe(a);
      // Creating a room id again (after a server restart) replaces the stale room wherever it is.
      expect(await rooms.createRoom(1002, 'secret-2')).toBe(a);
      expect((await (await pool.all()[1]!.manager()).exists({ room: 1002 })).exists).toBe(false);
    } finally {
      await pool.stop();
      await Promise.all(supervisors.map((s) => s.stop()));
    }
  }, 30_000);

  it('takes a disconnected device out of its calls after the grace period', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    const { callId } = await alice.ok({ op: 'create', invitees: [await id('bob')] });
    await alice.ok({ op: 'join', callId });
    const bobIndex = (await bob.ok({ op: 'join', callId })).self.index;
    await alice.event('joined');
    bob.close();
    expect((await alice.event('left', 5_000)).participant).toBe(bobIndex);
    await alice.ok({ op: 'leave', callId });
    expect(await suite.server.storage.groupCall(callId)).toBeUndefined();
  }, 30_000);
  it('runs a call link\'s call: the creator joins, a holder waits, is admitted, publishes, is removed; revoking ends the call', async () => {
    const alice = await connect('alice');
    const dave = await connect('dave');
    const link = testCallLink();
    const created = await fetch(`${suite.api}/api/call-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await accounts.token('alice')}`, 'content-type': 'application/json' },
      body: JSON.stringify(createBody(link, true)),
    });
    expect(created.status).toBe(201);
    const joinLink = { op: 'join-link', roomId: link.roomId, verifier: link.verifier } as const;

    // The creator starts the link's call: a real Janus room, requiring e2ee.
    const aliceJoin = await alice.ok(joinLink);
    if (!('callId' in aliceJoin)) throw new Error('the creator was made to wait');
    const { callId } = aliceJoin;
    const janusRoom = (await suite.server.storage.groupCall(callId))!.roomId;
    expect((await (await janus()).list()).list.find((room) => room.room === janusRoom)?.require_e2ee).toBe(true);

    // Dave holds the link: he waits, alice hears of it and admits him.
    const waiting = await dave.ok(joinLink);
    expect(waiting).toEqual({ waiting: true, requestId: expect.any(String) });
    const request = await alice.event('join-request');
    expect(request).toMatchObject({ userId: await id('dave'), guest: false });
    await alice.ok({ op: 'admit', callId, requestId: request.requestId, admit: true });
    expect(await dave.event('link-admission')).toMatchObject({ requestId: request.requestId, admitted: true });
    const daveJoin = await dave.ok(joinLink);
    if (!('self' in daveJoin)) throw new Error('dave still waits after his admission');
    expect(daveJoin.self).toMatchObject({ userId: await id('dave'), viaLink: true });
    expect(daveJoin.participants.map((p) => p.userId)).toEqual([await id('alice')]);
    expect((await alice.event('joined')).participant).toMatchObject({ userId: await id('dave'), viaLink: true });

    // His join token works in Janus: he publishes, alice hears it, flagged as joined through the link.
    const offer = await publisher();
    try {
      const published = await dave.ok({ op: 'publish', callId, jsep: { type: 'offer', sdp: offer.sdp } });
      await offer.answer(published.jsep.sdp);
      await offer.connected;
      expect((await alice.event('published')).participant).toMatchObject({ index: daveJoin.self.index, viaLink: true });
      // Alice subscribes to him, and pauses and resumes his video (op receive-video) without renegotiating.
      const subscribed = await alice.ok({ op: 'subscribe', callId, participants: [daveJoin.self.index] });
      expect(subscribed.streams.map((s) => s.kind).sort()).toEqual(['audio', 'video']);
      await alice.ok({ op: 'receive-video', callId, participant: daveJoin.self.index, receive: false });
      await alice.ok({ op: 'receive-video', callId, participant: daveJoin.self.index, receive: true });
      expect(await alice.request({ op: 'receive-video', callId, participant: 77, receive: false })).toMatchObject({ ok: false, code: 'bad_request' });

      // Alice removes him: he hears it and is out; he cannot come back without asking again.
      expect(await dave.request({ op: 'remove', callId, participant: aliceJoin.self.index })).toMatchObject({ ok: false, code: 'not_link_admin' });
      await alice.ok({ op: 'remove', callId, participant: daveJoin.self.index });
      await dave.event('removed');
      expect((await alice.event('left')).participant).toBe(daveJoin.self.index);
      expect(await dave.request({ op: 'join', callId })).toMatchObject({ ok: false, code: 'not_invited' });
      expect(await dave.ok(joinLink)).toMatchObject({ waiting: true });
    } finally {
      await offer.close();
    }

    // Revoking the link ends its call: alice hears `ended`, the Janus room is gone, the link refuses.
    const revoked = await fetch(`${suite.api}/api/call-links/${link.roomId}`, { method: 'DELETE', headers: { authorization: `Bearer ${await accounts.token('alice')}` } });
    expect(revoked.status).toBe(204);
    await alice.event('ended');
    expect((await (await janus()).exists({ room: janusRoom })).exists).toBe(false);
    expect(await dave.request(joinLink)).toMatchObject({ ok: false, code: 'link_revoked' });
  }, 60_000);

  it('keeps a call across a server restart: the room comes back on the first join, indexes continue', async () => {
    const alice = await connect('alice');
    const { callId } = await alice.ok({ op: 'create', invitees: [await id('bob')] });
    const roomId = (await suite.server.storage.groupCall(callId))!.roomId;
    expect((await alice.ok({ op: 'join', callId })).self.index).toBe(0);
    alice.close();
    await suite.restart();
    sfu = suite.server.sfu()!;
    expect((await (await janus()).exists({ room: roomId })).exists).toBe(false);
    const again = await connect('alice');
    const joined = await again.ok({ op: 'join', callId });
    expect(joined.self.index).toBe(1);
    expect((await (await janus()).exists({ room: roomId })).exists).toBe(true);
    await again.ok({ op: 'leave', callId });
    expect(await suite.server.storage.groupCall(callId)).toBeUndefined();
  }, 30_000);
});
