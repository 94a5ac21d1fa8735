import type { GroupKeyContent, SfuEventFrame, SfuParticipant, SfuRequest, SfuStream } from '@parley/contracts';
import { ROTATION_DELAY_MS } from '@parley/media-e2ee';
import { BehaviorSubject, Subject } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { ObservableScope } from '@parley/event-bus/scope';
import { GroupCall, type GroupCallTarget } from './group-call.js';
import type { GroupMediaSession, KeyOrigin } from './group-call-ports.js';

const CALL = 'call-1';
const participant = (index: number, userId: string, publishing = true): SfuParticipant => ({ index, userId, deviceId: 1, publishing, joinedAt: index });

/** Media without WebRTC: records what the call asked of it. */
class FakeMedia implements GroupMediaSession {
  readonly candidates$ = new Subject<{ pc: 'publisher' | 'subscriber'; candidate: null }>();
  readonly failed$ = new Subject<void>();
  readonly localKeys: { sender: number; generation: number; secret: string }[] = [];
  readonly peerKeys: { sender: number; generation: number }[] = [];
  readonly forgotten: number[] = [];
  readonly subscriberOffers: { sdp: string; streams: readonly SfuStream[] }[] = [];
  closed = false;
  createPublishOffer = async () => 'publisher-offer';
  publishedSources = () => [{ mid: '0', source: 'microphone' as const }, { mid: '1', source: 'camera' as const }];
  acceptPublishAnswer = async () => {};
  async applySubscriberOffer(sdp: string, streams: readonly SfuStream[]) {
    this.subscriberOffers.push({ sdp, streams });
    return `answer-to-${sdp}`;
  }
  setLocalKey(sender: number, generation: number, secret: Uint8Array) {
    this.localKeys.push({ sender, generation, secret: Buffer.from(secret).toString('hex') });
  }
  addPeerKey(sender: number, generation: number) {
    this.peerKeys.push({ sender, generation });
  }
  forgetPeer(sender: number) {
    this.forgotten.push(sender);
  }
  muted = false;
  setMuted(muted: boolean) {
    this.muted = muted;
  }
  async setCameraOn() {}
  close() {
    this.closed = true;
  }
}

function setup(others: SfuParticipant[] = [participant(0, 'alice'), participant(1, 'bob')], target: GroupCallTarget = { callId: CALL }, host?: string) {
  /** Answers to `join-link`, in order (then: joined). */
  const linkAnswers: ('waiting' | 'joined')[] = [];
  const clock = new ManualClock();
  const requests: SfuRequest[] = [];
  const events = new Subject<SfuEventFrame>();
  const connected = new BehaviorSubject(true);
  const self = participant(2, 'carol', false);
  /** Participants whose subscription the SFU answers without an offer (nothing new to receive). */
  const nothingNewOf = new Set<number>();
  let joinCount = 0;
  const sfu = {
    events$: events,
    connected$: connected,
    request: vi.fn(async (request: SfuRequest) => {
      requests.push(request);
      switch (request.op) {
        case 'join':
          joinCount += 1;
          return { self: { ...self, index: self.index + 10 * (joinCount - 1) }, participants: others, ...(host ? { host } : {}) };
        case 'join-link':
          if ((linkAnswers.shift() ?? 'joined') === 'waiting') return { waiting: true, requestId: 'req-1' };
          joinCount += 1;
          return { callId: CALL, self, participants: others };
        case 'publish':
          return { jsep: { type: 'answer', sdp: 'publisher-answer' } };
        case 'subscribe':
          if (request.participants.every((p) => nothingNewOf.has(p))) return { streams: [] };
          return { jsep: { type: 'offer', sdp: `offer-${request.participants.join(',')}` }, streams: request.participants.map((p) => ({ mid: String(p), participant: p, kind: 'video' })) };
        default:
          return {};
      }
    }),
  };
  const sentKeys: { to: string; content: GroupKeyContent }[] = [];
  const incomingKeys = new Subject<{ from: KeyOrigin; content: GroupKeyContent }>();
  const keys = { send: async (to: string, content: GroupKeyContent) => void sentKeys.push({ to, content }), incoming$: incomingKeys };
  const medias: FakeMedia[] = [];
  const sentSignals: { to: string; signal: unknown }[] = [];
  const incomingSignals = new Subject<{ from: KeyOrigin; callId: string; signal: unknown }>();
  const signals = { send: async (to: string, _callId: string, signal: unknown) => void sentSignals.push({ to, signal }), incoming$: incomingSignals };
  const scope = new ObservableScope();
  const call = new GroupCall<FakeMedia>({
    scope,
    target,
    media: 'video',
    self: { userId: 'carol', deviceId: 1 },
    sfu: sfu as never,
    keys,
    signals,
    clock,
    createMedia: () => {
      const media = new FakeMedia();
      medias.push(media);
      return media;
    },
  });
  const event = (e: SfuEventFrame['event']) => events.next({ t: 'sfu-event', callId: CALL, event: e });
  /** Events the server sends before it answers the next join (someone joined at the same moment). */
  const beforeJoinAnswer: SfuEventFrame['event'][] = [];
  const answerJoin = sfu.request.getMockImplementation()!;
  sfu.request.mockImplementation(async (request: SfuRequest) => {
    if (request.op === 'join') for (const e of beforeJoinAnswer.splice(0)) event(e);
    return answerJoin(request);
  });
  const key = (fromUser: string, sender: number, generation = 0): { from: KeyOrigin; content: GroupKeyContent } => ({
    from: { userId: fromUser, deviceId: 1 },
    content: { type: 'group-key', callId: CALL, sender, generation, secret: Buffer.alloc(32, sender + 1).toString('base64'), reason: 'initial' },
  });
  const linkEvent = (e: SfuEventFrame['event']) => events.next({ t: 'sfu-event', callId: 'whatever-the-server-calls-it', event: e });
  const presence = (userId: string, presenting: boolean) =>
    incomingSignals.next({ from: { userId, deviceId: 1 }, callId: CALL, signal: { kind: 'group-presence', muted: false, cameraOn: true, handRaised: false, presenting } });
  return { scope, linkAnswers, linkEvent, call, clock, requests, event, beforeJoinAnswer, sentKeys, incomingKeys, key, medias, connected, sentSignals, incomingSignals, presence, nothingNewOf, ops: () => requests.map((r) => r.op) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('GroupCall', () => {
  it('joins, publishes, gives its first key to everyone there, and subscribes to those publishing', async () => {
    const { call, requests, sentKeys, medias, ops } = setup([participant(0, 'alice'), participant(1, 'bob', false)]);
    await call.join();
    await settle();
    expect(ops()).toEqual(['join', 'publish', 'subscribe', 'answer']);
    expect(requests[1]).toMatchObject({ jsep: { type: 'offer', sdp: 'publisher-offer' } });
    expect(requests[2]).toMatchObject({ participants: [0] });
    expect(requests[3]).toMatchObject({ jsep: { type: 'answer', sdp: 'answer-to-offer-0' } });
    expect(sentKeys.map((k) => [k.to, k.content.sender, k.content.generation, k.content.reason])).toEqual([
      ['alice', 2, 0, 'initial'],
      ['bob', 2, 0, 'initial'],
    ]);
    expect(medias[0]!.localKeys).toHaveLength(1);
    expect(medias[0]!.localKeys[0]).toMatchObject({ sender: 2, generation: 0 });
    expect(call.snapshot.phase).toBe('active');
    expect(call.snapshot.participants.map((p) => [p.index, p.self])).toEqual([[0, false], [1, false], [2, true]]);
  });

  it('gives a newcomer only the next, ratcheted generation, and switches to it at once', async () => {
    const { call, event, sentKeys, medias } = setup();
    await call.join();
    sentKeys.length = 0;
    event({ kind: 'joined', participant: participant(3, 'dave', false) });
    await vi.waitFor(() => expect(sentKeys.map((k) => [k.to, k.content.generation, k.content.reason])).toEqual([['dave', 1, 'join']]));
    const media = medias[0]!;
    expect(media.localKeys.map((k) => k.generation)).toEqual([0, 1]);
    expect(media.localKeys[1]!.secret).not.toBe(media.localKeys[0]!.secret);
  });

  it('after a leave, sends a fresh key to those who remain only and uses it after the rotation delay', async () => {
    const { call, event, sentKeys, medias, clock } = setup();
    await call.join();
    sentKeys.length = 0;
    event({ kind: 'left', participant: 1 });
    await vi.waitFor(() => expect(sentKeys).toHaveLength(1));
    expect(sentKeys.map((k) => [k.to, k.content.generation, k.content.reason])).toEqual([['alice', 1, 'leave']]);
    const media = medias[0]!;
    expect(media.forgotten).toEqual([1]);
    expect(media.localKeys.map((k) => k.generation)).toEqual([0]);
    clock.advance(ROTATION_DELAY_MS);
    expect(media.localKeys.map((k) => k.generation)).toEqual([0, 1]);
    expect(media.localKeys[1]!.secret).toBe(Buffer.from(sentKeys[0]!.content.secret, 'base64').toString('hex'));
    expect(call.snapshot.participants.map((p) => p.index)).toEqual([0, 2]);
  });

  it("accepts a participant's key only from the user holding that index; keys that come before the SFU's event wait", async () => {
    const { call, event, incomingKeys, key, medias } = setup();
    await call.join();
    const media = medias[0]!;
    incomingKeys.next(key('alice', 0));
    incomingKeys.next(key('mallory', 1)); // index 1 is bob's
    expect(media.peerKeys).toEqual([{ sender: 0, generation: 0 }]);

    incomingKeys.next(key('dave', 3)); // dave's key overtook the SFU's 'joined'
    expect(media.peerKeys).toHaveLength(1);
    event({ kind: 'joined', participant: participant(3, 'dave', false) });
    expect(media.peerKeys).toEqual([{ sender: 0, generation: 0 }, { sender: 3, generation: 0 }]);
  });

  it('answers the SFU when it renegotiates, and subscribes to whoever starts publishing', async () => {
    const { call, event, requests, medias } = setup([participant(0, 'alice')]);
    await call.join();
    await settle();
    requests.length = 0;
    event({ kind: 'published', participant: participant(1, 'bob') });
    await vi.waitFor(() => expect(requests.map((r) => r.op)).toEqual(['subscribe', 'answer']));
    expect(requests[0]).toMatchObject({ participants: [1] });
    event({ kind: 'subscriber-offer', jsep: { type: 'offer', sdp: 'renegotiated' }, streams: [] });
    await vi.waitFor(() => expect(requests.map((r) => r.op)).toEqual(['subscribe', 'answer', 'answer']));
    expect(medias[0]!.subscriberOffers.map((o) => o.sdp)).toEqual(['offer-0', 'offer-1', 'renegotiated']);
  });

  it('switches simulcast layers only for subscribed participants, once per change', async () => {
    const { call, requests } = setup([participant(0, 'alice')]);
    await call.join();
    await settle();
    requests.length = 0;
    call.chooseLayer(0, 0);
    call.chooseLayer(0, 0);
    call.chooseLayer(5, 2); // not subscribed: remembered, not sent
    expect(requests).toEqual([{ op: 'substream', callId: CALL, participant: 0, substream: 0 }]);
    // Off the page: not forwarded at all; back on it: forwarded again, on the layer asked for.
    requests.length = 0;
    call.chooseLayer(0, null);
    call.chooseLayer(0, null);
    call.chooseLayer(0, 2);
    expect(requests).toEqual([
      { op: 'receive-video', callId: CALL, participant: 0, receive: false },
      { op: 'receive-video', callId: CALL, participant: 0, receive: true },
      { op: 'substream', callId: CALL, participant: 0, substream: 2 },
    ]);
  });

  it('joins again with new media and a new key when the SFU restarts or the relay comes back', async () => {
    const { call, event, medias, ops, connected } = setup([]);
    await call.join();
    event({ kind: 'restarted' });
    await vi.waitFor(() => expect(medias).toHaveLength(2));
    expect(medias[0]!.closed).toBe(true);
    await vi.waitFor(() => expect(call.snapshot.phase).toBe('active'));
    expect(call.snapshot.selfIndex).toBe(12);
    expect(medias[1]!.localKeys[0]!.secret).not.toBe(medias[0]!.localKeys[0]!.secret);

    connected.next(false);
    connected.next(true);
    await vi.waitFor(() => expect(medias).toHaveLength(3));
    expect(ops().filter((op) => op === 'join')).toHaveLength(3);
  });

  it('leaving tells the SFU, closes the media and ends; a refused join ends with the reason', async () => {
    const { call, medias, ops } = setup([]);
    await call.join();
    await call.leave();
    expect(ops()).toContain('leave');
    expect(medias[0]!.closed).toBe(true);
    expect(call.snapshot.phase).toBe('ended');

    const refused = setup([]);
    (refused.call as unknown as { deps: { sfu: { request: (r: SfuRequest) => Promise<unknown> } } }).deps.sfu.request = async () => {
      throw new Error('not invited');
    };
    await refused.call.join();
    expect(refused.call.snapshot).toMatchObject({ phase: 'ended', error: 'not invited' });
  });

  it('shares mute, camera and raised hand with the others and shows their reactions for a while', async () => {
    const { call, sentSignals, incomingSignals, clock, event } = setup();
    await call.join();
    call.setPresence({ muted: true, handRaised: true });
    expect(sentSignals.map((s) => s.to)).toEqual(['alice', 'bob']);
    expect(sentSignals[0]!.signal).toEqual({ kind: 'group-presence', muted: true, cameraOn: true, handRaised: true });
    expect(call.snapshot.participants.find((p) => p.self)).toMatchObject({ muted: true, handRaised: true });

    incomingSignals.next({ from: { userId: 'alice', deviceId: 1 }, callId: CALL, signal: { kind: 'group-reaction', emoji: '👏' } });
    incomingSignals.next({ from: { userId: 'mallory', deviceId: 1 }, callId: CALL, signal: { kind: 'group-presence', muted: true, cameraOn: false, handRaised: false } });
    incomingSignals.next({ from: { userId: 'bob', deviceId: 1 }, callId: CALL, signal: { kind: 'group-reaction', emoji: '<script>' } });
    expect(call.snapshot.participants.map((p) => [p.index, p.reaction, p.muted])).toEqual([[0, '👏', false], [1, null, false], [2, null, true]]);
    clock.advance(4_000);
    expect(call.snapshot.participants[0]!.reaction).toBeNull();

    // This device's reaction goes to everyone and shows on its own tile for a while too.
    sentSignals.length = 0;
    call.react('🎉');
    expect(sentSignals).toEqual([
      { to: 'alice', signal: { kind: 'group-reaction', emoji: '🎉' } },
      { to: 'bob', signal: { kind: 'group-reaction', emoji: '🎉' } },
    ]);
    expect(call.snapshot.participants.find((p) => p.self)?.reaction).toBe('🎉');
    clock.advance(4_000);
    expect(call.snapshot.participants.find((p) => p.self)?.reaction).toBeNull();

    // A newcomer learns this device is muted with a raised hand.
    sentSignals.length = 0;
    event({ kind: 'joined', participant: participant(3, 'dave', false) });
    expect(sentSignals).toEqual([{ to: 'dave', signal: { kind: 'group-presence', muted: true, cameraOn: true, handRaised: true } }]);
  });

  it('ends with the scope it was given: the end is published, the media closed, and nothing more is heard', async () => {
    const { scope, call, medias, incomingSignals, incomingKeys, key, event, ops, clock } = setup();
    await call.join();
    // A reaction on show waits on a timer: it goes with the call.
    call.react('🎉');
    expect(clock.pendingDelays()).not.toEqual([]);
    const phases: string[] = [];
    call.snapshot$.subscribe({ next: (snapshot) => phases.push(snapshot.phase), complete: () => phases.push('complete') });
    scope.end();
    expect(phases).toEqual(['active', 'ended', 'complete']);
    expect(medias[0]!.closed).toBe(true);
    expect(ops()).not.toContain('leave');
    expect(incomingSignals.observed || incomingKeys.observed).toBe(false);
    expect(clock.pendingDelays()).toEqual([]);
    incomingKeys.next(key('alice', 0, 1));
    event({ kind: 'joined', participant: participant(3, 'dave') });
    expect(medias[0]!.peerKeys).toEqual([]);
    expect(call.snapshot.phase).toBe('ended');
  });

  it('a rejoin ends the old join’s scope: the old media’s failures and candidates no longer count', async () => {
    const { call, medias, event, ops } = setup();
    await call.join();
    event({ kind: 'restarted' });
    await vi.waitFor(() => expect(medias).toHaveLength(2));
    await settle();
    const joins = ops().filter((op) => op === 'join').length;
    expect(medias[0]!.closed).toBe(true);
    expect(medias[0]!.failed$.observed || medias[0]!.candidates$.observed).toBe(false);
    medias[0]!.failed$.next();
    await settle();
    expect(ops().filter((op) => op === 'join')).toHaveLength(joins);
    expect(call.snapshot.phase).toBe('active');
  });

  it('someone announced while our join is in flight (and missing from its answer) is met as a newcomer', async () => {
    const { call, beforeJoinAnswer, sentKeys, requests } = setup([]);
    beforeJoinAnswer.push({ kind: 'joined', participant: participant(5, 'erin', false) }, { kind: 'published', participant: participant(5, 'erin') });
    await call.join();
    await vi.waitFor(() => expect(sentKeys.map((k) => [k.to, k.content.generation, k.content.reason])).toEqual([['erin', 1, 'join']]));
    await vi.waitFor(() => expect(requests.filter((r) => r.op === 'subscribe')).toEqual([{ op: 'subscribe', callId: CALL, participants: [5] }]));
    expect(call.snapshot.participants.map((p) => p.index)).toEqual([2, 5]);
  });

  describe('through a call link', () => {
    const link: GroupCallTarget = { link: { roomId: 'r'.repeat(22), verifier: 'v'.repeat(43) } };

    it('joins at once when no approval is needed, and learns the call id from the answer', async () => {
      const { call, requests, ops } = setup([participant(0, 'alice')], link);
      await call.join();
      expect(requests[0]).toEqual({ op: 'join-link', roomId: 'r'.repeat(22), verifier: 'v'.repeat(43) });
      expect(call.snapshot).toMatchObject({ phase: 'active', callId: CALL });
      expect(ops().slice(1, 2)).toEqual(['publish']);
    });

    it('waits for the creator, then joins when admitted', async () => {
      const { call, linkAnswers, linkEvent, ops, sentKeys } = setup([participant(0, 'alice')], link);
      linkAnswers.push('waiting');
      await call.join();
      expect(call.snapshot.phase).toBe('waiting');
      expect(sentKeys).toEqual([]); // no keys to anyone before being let in
      linkEvent({ kind: 'link-admission', requestId: 'someone-else', admitted: true });
      expect(call.snapshot.phase).toBe('waiting');
      linkEvent({ kind: 'link-admission', requestId: 'req-1', admitted: true });
      await vi.waitFor(() => expect(call.snapshot.phase).toBe('active'));
      expect(ops().filter((op) => op === 'join-link')).toHaveLength(2);
      expect(sentKeys.map((k) => k.to)).toEqual(['alice']);
    });

    it('ends saying so when refused, or removed', async () => {
      const refused = setup([], link);
      refused.linkAnswers.push('waiting');
      await refused.call.join();
      refused.linkEvent({ kind: 'link-admission', requestId: 'req-1', admitted: false });
      expect(refused.call.snapshot).toMatchObject({ phase: 'ended', error: 'refused' });

      const removed = setup([], link);
      await removed.call.join();
      removed.event({ kind: 'removed' });
      expect(removed.call.snapshot).toMatchObject({ phase: 'ended', error: 'removed' });
    });

    it("a server refusal ends the call with the server's code (revoked, expired, …)", async () => {
      const { call } = setup([], link);
      (call as unknown as { deps: { sfu: { request: (r: SfuRequest) => Promise<unknown> } } }).deps.sfu.request = async () => {
        throw Object.assign(new Error('This call link was revoked.'), { serverCode: 'link_revoked' });
      };
      await call.join();
      expect(call.snapshot).toMatchObject({ phase: 'ended', error: 'link_revoked' });
    });

    it("shows the creator who waits, and sends the creator's decisions", async () => {
      const { call, event, requests } = setup([], link);
      await call.join();
      event({ kind: 'join-request', requestId: 'q1', userId: 'guest-1', displayName: 'Visitor', guest: true });
      expect(call.snapshot.joinRequests).toEqual([{ requestId: 'q1', userId: 'guest-1', displayName: 'Visitor', guest: true }]);
      await call.admit('q1', true);
      expect(call.snapshot.joinRequests).toEqual([]);
      await call.remove(4);
      expect(requests.slice(-2)).toEqual([
        { op: 'admit', callId: CALL, requestId: 'q1', admit: true },
        { op: 'remove', callId: CALL, participant: 4 },
      ]);
    });
  });

  describe('screen sharing: one presenter at a time', () => {
    it('claims the screen, tells everyone (newcomers too), and gives it back', async () => {
      const { call, sentSignals, event } = setup();
      await call.join();
      expect(call.snapshot.presenter).toBeNull();
      expect(call.present()).toEqual({ ok: true });
      expect(call.snapshot.presenter).toBe(2);
      expect(sentSignals).toEqual([
        { to: 'alice', signal: { kind: 'group-presence', muted: false, cameraOn: true, handRaised: false, presenting: true } },
        { to: 'bob', signal: { kind: 'group-presence', muted: false, cameraOn: true, handRaised: false, presenting: true } },
      ]);
      sentSignals.length = 0;
      event({ kind: 'joined', participant: participant(3, 'dave', false) });
      expect(sentSignals).toEqual([{ to: 'dave', signal: { kind: 'group-presence', muted: false, cameraOn: true, handRaised: false, presenting: true } }]);

      sentSignals.length = 0;
      call.stopPresenting();
      expect(call.snapshot.presenter).toBeNull();
      expect(sentSignals.map((s) => s.signal)).toEqual(Array(3).fill({ kind: 'group-presence', muted: false, cameraOn: true, handRaised: false }));
    });

    it("makes another participant's shared screen the presenter, counted only from the device holding the index, until they stop or leave", async () => {
      const { call, presence, event } = setup();
      await call.join();
      presence('mallory', true);
      expect(call.snapshot.presenter).toBeNull();
      presence('bob', true);
      expect(call.snapshot.presenter).toBe(1);
      presence('bob', false);
      expect(call.snapshot.presenter).toBeNull();
      presence('bob', true);
      event({ kind: 'left', participant: 1 });
      expect(call.snapshot.presenter).toBeNull();
    });

    it('refuses a second presenter while someone presents, sending nothing', async () => {
      const { call, presence, sentSignals } = setup();
      await call.join();
      presence('bob', true);
      sentSignals.length = 0;
      expect(call.present()).toEqual({ ok: false, presenter: 1 });
      expect(sentSignals).toEqual([]);
      expect(call.snapshot.presenter).toBe(1);
      expect(call.snapshot.participants.find((p) => p.self)?.presenting).toBe(false);
    });

    it('when two start at the same moment, the one who joined first keeps the screen and the other gives way, told by whom', async () => {
      const { call, presence, sentSignals, event } = setup();
      await call.join();
      const lost: number[] = [];
      call.presentationLost$.subscribe((presenter) => lost.push(presenter));
      // A later joiner's claim crossing ours: ours counts.
      event({ kind: 'joined', participant: participant(3, 'dave', false) });
      expect(call.present()).toEqual({ ok: true });
      presence('dave', true);
      expect(call.snapshot.presenter).toBe(2);
      expect(lost).toEqual([]);
      // An earlier joiner's claim crossing ours: theirs counts, and everyone hears that we stopped.
      sentSignals.length = 0;
      presence('alice', true);
      expect(call.snapshot.presenter).toBe(0);
      expect(lost).toEqual([0]);
      expect(call.snapshot.participants.find((p) => p.self)?.presenting).toBe(false);
      expect(sentSignals.map((s) => s.signal)).toEqual(Array(3).fill({ kind: 'group-presence', muted: false, cameraOn: true, handRaised: false }));
    });

    it('sends the renegotiated publisher offer with what each m-line carries', async () => {
      const { call, requests, medias } = setup();
      await call.join();
      await settle();
      requests.length = 0;
      medias[0]!.publishedSources = () => [
        { mid: '0', source: 'microphone' },
        { mid: '1', source: 'camera' },
        { mid: '2', source: 'screen' },
        { mid: '3', source: 'screen-audio' },
      ] as never;
      await call.renegotiatePublisher();
      expect(requests).toEqual([
        {
          op: 'publish',
          callId: CALL,
          jsep: { type: 'offer', sdp: 'publisher-offer' },
          sources: [
            { mid: '0', source: 'microphone' },
            { mid: '1', source: 'camera' },
            { mid: '2', source: 'screen' },
            { mid: '3', source: 'screen-audio' },
          ],
        },
      ]);
    });

    it('subscribes again to a participant who published again (a screen added), and answers only when the SFU offers something', async () => {
      const { call, event, requests, nothingNewOf } = setup([participant(0, 'alice')]);
      await call.join();
      await settle();
      requests.length = 0;
      event({ kind: 'published', participant: participant(0, 'alice') });
      await vi.waitFor(() => expect(requests.map((r) => r.op)).toEqual(['subscribe', 'answer']));
      expect(requests[0]).toMatchObject({ participants: [0] });
      requests.length = 0;
      nothingNewOf.add(0);
      event({ kind: 'published', participant: participant(0, 'alice') });
      await vi.waitFor(() => expect(requests.map((r) => r.op)).toEqual(['subscribe']));
      await settle();
      expect(requests.map((r) => r.op)).toEqual(['subscribe']);
    });

    it('a rejoin drops the claim: the screen went with the old media', async () => {
      const { call, event, medias } = setup();
      await call.join();
      call.present();
      event({ kind: 'restarted' });
      await vi.waitFor(() => expect(medias).toHaveLength(2));
      expect(call.snapshot.presenter).toBeNull();
    });
  });

  describe('host controls', () => {
    const mute = { kind: 'group-host', action: 'mute-all' } as const;

    it("honours the host's mute-all: mutes this device, tells the others, and says who asked", async () => {
      const { call, incomingSignals, medias, sentSignals } = setup(undefined, undefined, 'alice');
      await call.join();
      expect(call.snapshot).toMatchObject({ host: 'alice', isHost: false, locked: false, hostNotice: null });
      incomingSignals.next({ from: { userId: 'alice', deviceId: 1 }, callId: CALL, signal: mute });
      expect(medias[0]!.muted).toBe(true);
      expect(call.snapshot.participants.find((p) => p.self)?.muted).toBe(true);
      expect(call.snapshot.hostNotice).toEqual({ action: 'mute-all', by: 'alice', seq: 1 });
      await settle();
      expect(sentSignals).toContainEqual({ to: 'bob', signal: { kind: 'group-presence', muted: true, cameraOn: true, handRaised: false } });
    });

    it('ignores a forged request: from a participant who is not the host, from a host device not in the call, from anyone when the server named no host', async () => {
      const { call, incomingSignals, medias } = setup(undefined, undefined, 'alice');
      await call.join();
      incomingSignals.next({ from: { userId: 'bob', deviceId: 1 }, callId: CALL, signal: mute });
      incomingSignals.next({ from: { userId: 'alice', deviceId: 7 }, callId: CALL, signal: mute });
      incomingSignals.next({ from: { userId: 'alice', deviceId: 1 }, callId: 'another-call', signal: mute });
      incomingSignals.next({ from: { userId: 'alice', deviceId: 1 }, callId: CALL, signal: { kind: 'group-host', action: 'unmute-all' } });
      expect(medias[0]!.muted).toBe(false);
      expect(call.snapshot.hostNotice).toBeNull();

      const older = setup();
      await older.call.join();
      older.incomingSignals.next({ from: { userId: 'alice', deviceId: 1 }, callId: CALL, signal: mute });
      expect(older.medias[0]!.muted).toBe(false);
      expect(older.call.snapshot).toMatchObject({ host: null, isHost: false });
    });

    it('lowers its own hand and records a lock from the host', async () => {
      const { call, incomingSignals } = setup(undefined, undefined, 'alice');
      await call.join();
      call.setPresence({ handRaised: true });
      incomingSignals.next({ from: { userId: 'alice', deviceId: 1 }, callId: CALL, signal: { kind: 'group-host', action: 'lower-hands' } });
      expect(call.snapshot.participants.find((p) => p.self)?.handRaised).toBe(false);
      incomingSignals.next({ from: { userId: 'alice', deviceId: 1 }, callId: CALL, signal: { kind: 'group-host', action: 'lock' } });
      expect(call.snapshot).toMatchObject({ locked: true, hostNotice: { action: 'lock', by: 'alice', seq: 2 } });
    });

    it('the host sends mute-all to the others, locks through the server, and skips lowering hands when none is raised', async () => {
      const { call, sentSignals, requests, incomingSignals, medias } = setup(undefined, undefined, 'carol');
      await call.join();
      expect(call.snapshot.isHost).toBe(true);
      expect(call.muteAll()).toBe('done');
      await settle();
      expect(sentSignals.filter((s) => (s.signal as { kind: string }).kind === 'group-host').map((s) => s.to).sort()).toEqual(['alice', 'bob']);
      // The host is not muted by its own request.
      expect(medias[0]!.muted).toBe(false);
      expect(call.lowerHands()).toBe('no-hands');
      incomingSignals.next({ from: { userId: 'bob', deviceId: 1 }, callId: CALL, signal: { kind: 'group-presence', muted: false, cameraOn: true, handRaised: true } });
      expect(call.lowerHands()).toBe('done');
      expect(await call.lock(true)).toBe('done');
      expect(requests.at(-1)).toEqual({ op: 'lock', callId: CALL, locked: true });
      expect(call.snapshot.locked).toBe(true);
    });

    it('a participant who is not the host cannot use them (nothing is sent)', async () => {
      const { call, sentSignals, requests } = setup(undefined, undefined, 'alice');
      await call.join();
      expect(call.muteAll()).toBe('not-host');
      expect(call.lowerHands()).toBe('not-host');
      expect(await call.lock(true)).toBe('not-host');
      await settle();
      expect(sentSignals.filter((s) => (s.signal as { kind: string }).kind === 'group-host')).toEqual([]);
      expect(requests.some((r) => r.op === 'lock')).toBe(false);
    });
  });
});
