import { ManualClock } from '@parley/clock/testing';
import type { CallEntry, CallMedia } from '@parley/contracts';
import { ObservableScope } from '@parley/event-bus/scope';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCEPTED_NOTICE_DELAY_MS, CONNECT_TIMEOUT_MS, CallEngine, RECONNECT_GRACE_MS, RECONNECT_TIMEOUT_MS, RING_TIMEOUT_MS, toCallState } from './call-engine.js';
import { FakeCallMedia, FakeSignalingNetwork, settle } from './testing.js';

interface Device {
  readonly engine: CallEngine<FakeCallMedia>;
  readonly entries: CallEntry[];
  readonly sessions: FakeCallMedia[];
  readonly warnings: string[];
  /** The lifetime the engine was given (the app that hosts it). */
  readonly scope: ObservableScope;
}

const NAMES: Record<string, string> = { alice: 'Alice', bob: 'Bob', carol: 'Carol' };

function world() {
  const clock = new ManualClock();
  const network = new FakeSignalingNetwork();
  const engines: CallEngine<FakeCallMedia>[] = [];
  function device(userId: string, deviceId: number, opts: { autoConnect?: boolean; failOffer?: boolean; mediaOpened?: Promise<void>; callIds?: string[] } = {}): Device {
    const entries: CallEntry[] = [];
    const sessions: FakeCallMedia[] = [];
    const warnings: string[] = [];
    const scope = new ObservableScope();
    let n = 0;
    const engine = new CallEngine<FakeCallMedia>({
      scope,
      self: { userId, deviceId, displayName: NAMES[userId] ?? userId },
      channel: network.channel(userId, deviceId),
      clock,
      newCallId: () => opts.callIds?.[n++] ?? `${userId}-${deviceId}-call-${++n}`,
      createMedia: (init) => {
        const session = new FakeCallMedia(init, { autoConnect: opts.autoConnect ?? true, failOffer: opts.failOffer ?? false, mediaOpened: opts.mediaOpened });
        sessions.push(session);
        return session;
      },
      onWarning: (message) => warnings.push(message),
    });
    engine.entries$.subscribe((entry) => entries.push(entry));
    engines.push(engine);
    return { engine, entries, sessions, warnings, scope };
  }
  return { clock, network, device, engines };
}

const call = (from: Device, to: string, media: CallMedia = 'video') => from.engine.call({ conversationId: to, peer: { userId: to, displayName: NAMES[to] ?? to }, media });

type DeviceOptions = Parameters<ReturnType<typeof world>['device']>[2];

/** Alice calls Bob (one device each, both made with `opts`) and his device rings. */
async function aliceRingsBob(device: ReturnType<typeof world>['device'], media: CallMedia = 'video', opts: DeviceOptions = {}): Promise<{ alice: Device; bob: Device }> {
  const alice = device('alice', 1, opts);
  const bob = device('bob', 1, opts);
  call(alice, 'bob', media);
  await settle();
  return { alice, bob };
}

/** Alice calls Bob (one device each, both made with `opts`) and he accepts. */
async function aliceCallsBob(device: ReturnType<typeof world>['device'], media: CallMedia = 'video', opts: DeviceOptions = {}): Promise<{ alice: Device; bob: Device }> {
  const { alice, bob } = await aliceRingsBob(device, media, opts);
  bob.engine.accept();
  await settle();
  return { alice, bob };
}

/** Alice video-calls Bob, who has a phone (device 1) and a laptop (device 2); both ring. */
async function aliceRingsBobsDevices(device: ReturnType<typeof world>['device']): Promise<{ alice: Device; bobPhone: Device; bobLaptop: Device }> {
  const alice = device('alice', 1);
  const bobPhone = device('bob', 1);
  const bobLaptop = device('bob', 2);
  call(alice, 'bob');
  await settle();
  return { alice, bobPhone, bobLaptop };
}

let disposeAll: (() => void) | null = null;
afterEach(() => disposeAll?.());

function setup() {
  const w = world();
  disposeAll = () => w.engines.forEach((engine) => engine.dispose());
  return w;
}

describe('call engine: an answered call', () => {
  it('rings the callee, connects on Accept, and both sides log a hung-up entry with its duration', async () => {
    const { clock, network, device } = setup();
    const alice = device('alice', 1);
    const bob = device('bob', 1);

    expect(call(alice, 'bob', 'video')).toBe(true);
    expect(alice.engine.snapshot.phase).toBe('outgoing');
    expect(toCallState(alice.engine.snapshot)).toMatchObject({ phase: 'outgoing', conversationId: 'bob', media: 'video', peer: { userId: 'bob', displayName: 'Bob' } });
    await settle();
    expect(bob.engine.snapshot).toMatchObject({ phase: 'ringing', role: 'callee', media: 'video', peer: { userId: 'alice', displayName: 'Alice' }, conversationId: 'alice' });
    expect(toCallState(bob.engine.snapshot).phase).toBe('incoming');
    // The caller keeps its candidates until an answer says which device to talk to.
    expect(network.kinds('ice')).toHaveLength(0);
    // While it rings, the callee's media prepares the answer, unseen and without opening a device.
    expect(bob.sessions.map((s) => ({ prepared: s.prepared?.sdp, answered: s.answered }))).toEqual([{ prepared: expect.stringContaining('offer-sdp'), answered: false }]);
    expect(bob.engine.media).toBeNull();

    bob.engine.accept();
    expect(bob.engine.snapshot.phase).toBe('connecting');
    expect(bob.engine.media).toBe(bob.sessions[0]);
    expect(bob.sessions).toHaveLength(1);
    await settle();
    expect(alice.engine.snapshot.phase).toBe('active');
    expect(bob.engine.snapshot.phase).toBe('active');
    // SDP and media keys reached the other side's media; candidates crossed both ways.
    expect(bob.sessions[0]!.peerKeys).toHaveLength(1);
    expect(alice.sessions[0]!.peerKeys).toHaveLength(1);
    expect(alice.sessions[0]!.remoteCandidates.map((c) => c?.candidate)).toEqual([expect.stringContaining('(callee)')]);
    expect(bob.sessions[0]!.remoteCandidates.map((c) => c?.candidate)).toEqual([expect.stringContaining('(caller)')]);

    clock.advance(61_000);
    alice.engine.hangUp();
    await settle();
    expect(alice.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'hung-up' });
    expect(bob.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'hung-up' });
    expect(alice.entries).toEqual([expect.objectContaining({ direction: 'outgoing', outcome: 'hung-up', durationMs: 61_000, conversationId: 'bob', media: 'video' })]);
    expect(bob.entries).toEqual([expect.objectContaining({ direction: 'incoming', outcome: 'hung-up', durationMs: 61_000, conversationId: 'alice' })]);
    expect(alice.sessions[0]!.closed && bob.sessions[0]!.closed).toBe(true);
    alice.engine.dismiss();
    expect(alice.engine.snapshot.phase).toBe('idle');
  });

  it('devices that fail to open after the answer went out end the call as failed on both sides', async () => {
    const { device } = setup();
    const { alice, bob } = await aliceCallsBob(device, 'video');
    expect(bob.engine.snapshot.phase).toBe('active');
    bob.sessions[0]!.localMediaFailed$.next(new Error('NotAllowedError: camera denied'));
    await settle();
    expect(bob.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'failed' });
    expect(alice.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'failed' });
  });

  it('ends on the callee hanging up too', async () => {
    const { clock, device } = setup();
    const { alice, bob } = await aliceCallsBob(device, 'audio');
    clock.advance(5_000);
    bob.engine.hangUp();
    await settle();
    expect(alice.entries[0]).toMatchObject({ outcome: 'hung-up', durationMs: 5_000, media: 'audio' });
    expect(bob.entries[0]).toMatchObject({ outcome: 'hung-up', durationMs: 5_000 });
  });

  it('refuses a second call while one is on', async () => {
    const { device } = setup();
    const alice = device('alice', 1);
    device('bob', 1);
    call(alice, 'bob');
    expect(call(alice, 'carol')).toBe(false);
    expect(alice.engine.snapshot.peer?.userId).toBe('bob');
  });
});

describe('call engine: unanswered outcomes', () => {
  it('declined: the caller sees it, and every callee device stops ringing', async () => {
    const { device } = setup();
    const { alice, bobPhone, bobLaptop } = await aliceRingsBobsDevices(device);
    expect(bobLaptop.engine.snapshot.phase).toBe('ringing');
    bobPhone.engine.decline();
    await settle();
    expect(alice.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'declined' });
    expect(alice.entries[0]).toMatchObject({ outcome: 'declined', durationMs: null });
    expect(bobPhone.entries[0]).toMatchObject({ outcome: 'declined', direction: 'incoming' });
    expect(bobLaptop.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'declined' });
  });

  it('busy: a callee already in a call answers busy, logs a missed call and keeps its own call', async () => {
    const { device } = setup();
    const alice = device('alice', 1);
    const bob = device('bob', 1);
    const carol = device('carol', 1);
    call(carol, 'bob');
    await settle();
    bob.engine.accept();
    await settle();
    expect(bob.engine.snapshot.phase).toBe('active');

    call(alice, 'bob');
    await settle();
    expect(alice.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'busy' });
    expect(alice.entries[0]).toMatchObject({ outcome: 'busy', direction: 'outgoing' });
    expect(bob.entries).toEqual([expect.objectContaining({ outcome: 'missed', direction: 'incoming', conversationId: 'alice' })]);
    expect(bob.engine.snapshot).toMatchObject({ phase: 'active', peer: { userId: 'carol' } });
  });

  it('missed: no answer in 45 s (injectable clock) ends the call on both sides', async () => {
    const { clock, network, device } = setup();
    const { alice, bob } = await aliceRingsBob(device);
    clock.advance(RING_TIMEOUT_MS - 1);
    expect(alice.engine.snapshot.phase).toBe('outgoing');
    expect(bob.engine.snapshot.phase).toBe('ringing');
    clock.advance(1);
    await settle();
    expect(alice.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'missed' });
    expect(bob.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'missed' });
    expect(network.kinds('hangup').map((s) => s.signal)).toEqual([{ kind: 'hangup', reason: 'timeout' }]);
    expect(alice.sessions[0]!.closed).toBe(true);
  });

  it('missed on the callee by its own timer when the caller\'s hang-up never arrives', async () => {
    const { clock, network, device } = setup();
    const { bob } = await aliceRingsBob(device);
    network.cut('alice', 1);
    clock.advance(RING_TIMEOUT_MS);
    await settle();
    expect(network.kinds('hangup')).toHaveLength(0);
    expect(bob.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'missed' });
    expect(bob.entries[0]).toMatchObject({ outcome: 'missed', peer: { userId: 'alice', displayName: 'Alice' } });
  });

  it('a device whose app closes while ringing logs a missed call and does not decline for the others', async () => {
    const { network, device } = setup();
    const { alice, bobPhone, bobLaptop } = await aliceRingsBobsDevices(device);
    bobPhone.engine.dispose();
    await settle();
    expect(bobPhone.entries[0]).toMatchObject({ outcome: 'missed' });
    expect(network.kinds('decline')).toHaveLength(0);
    expect(alice.engine.snapshot.phase).toBe('outgoing');
    expect(bobLaptop.engine.snapshot.phase).toBe('ringing');
  });

  it('the end of the lifetime it was given hangs up an answered call and stops listening', async () => {
    const { network, device } = setup();
    const { alice, bob } = await aliceCallsBob(device);
    expect(alice.engine.snapshot.phase).toBe('active');
    alice.scope.end();
    await settle();
    expect(alice.entries[0]).toMatchObject({ outcome: 'hung-up' });
    expect(alice.sessions[0]?.closed).toBe(true);
    expect(bob.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'hung-up' });
    expect(alice.engine.call({ conversationId: 'bob', peer: { userId: 'bob', displayName: 'Bob' }, media: 'audio' })).toBe(false);
    const delivered = network.log.length;
    bob.engine.dismiss();
    call(bob, 'alice');
    await settle();
    expect(network.log.length).toBeGreaterThan(delivered);
    expect(alice.engine.snapshot.phase).toBe('ended');
  });

  it('cancelled: the caller hangs up before an answer; the callee logs a missed call', async () => {
    const { device } = setup();
    const { alice, bob } = await aliceRingsBob(device);
    alice.engine.hangUp();
    await settle();
    expect(alice.entries[0]).toMatchObject({ outcome: 'cancelled', durationMs: null });
    expect(bob.entries[0]).toMatchObject({ outcome: 'missed', direction: 'incoming' });
  });
});

describe('call engine: failures', () => {
  it('network loss: "reconnecting", the caller restarts ICE after the grace period, and the call resumes', async () => {
    const { clock, network, device } = setup();
    const { alice, bob } = await aliceCallsBob(device);
    alice.sessions[0]!.connection$.next('disconnected');
    bob.sessions[0]!.connection$.next('disconnected');
    expect(alice.engine.snapshot).toMatchObject({ phase: 'active', reconnecting: true });
    expect(bob.engine.snapshot.reconnecting).toBe(true);
    clock.advance(RECONNECT_GRACE_MS - 1);
    await settle();
    expect(network.kinds('ice-restart')).toHaveLength(0);
    clock.advance(1);
    await settle();
    // Only the caller restarts; the callee answers; both come back.
    expect(network.kinds('ice-restart').map((s) => s.from.userId)).toEqual(['alice']);
    expect(network.kinds('ice-restart-answer').map((s) => s.from.userId)).toEqual(['bob']);
    expect(bob.sessions[0]!.restarts).toEqual([`restart-offer ${alice.engine.snapshot.callId}`]);
    bob.sessions[0]!.connection$.next('connected');
    expect(alice.engine.snapshot).toMatchObject({ phase: 'active', reconnecting: false });
    expect(bob.engine.snapshot).toMatchObject({ phase: 'active', reconnecting: false });
    clock.advance(RECONNECT_TIMEOUT_MS);
    expect(alice.engine.snapshot.phase).toBe('active');
  });

  it('network loss: ICE failing on the caller restarts at once, without waiting for the grace period', async () => {
    const { network, device } = setup();
    const { alice } = await aliceCallsBob(device);
    alice.sessions[0]!.connection$.next('failed');
    await settle();
    expect(network.kinds('ice-restart')).toHaveLength(1);
    expect(alice.engine.snapshot).toMatchObject({ phase: 'active', reconnecting: false });
  });

  it('failed: media that does not come back within the reconnect timeout ends the call on both sides', async () => {
    const { clock, device } = setup();
    const { alice, bob } = await aliceCallsBob(device, 'video', { autoConnect: false });
    alice.sessions[0]!.connection$.next('connected');
    bob.sessions[0]!.connection$.next('connected');
    clock.advance(10_000);
    alice.sessions[0]!.connection$.next('failed');
    bob.sessions[0]!.connection$.next('failed');
    await settle();
    clock.advance(RECONNECT_TIMEOUT_MS);
    await settle();
    expect(alice.entries[0]).toMatchObject({ outcome: 'failed', durationMs: 10_000 + RECONNECT_TIMEOUT_MS });
    expect(bob.entries[0]).toMatchObject({ outcome: 'failed' });
  });

  it('failed: accepted but never connected within the connect timeout', async () => {
    const { clock, device } = setup();
    const { alice, bob } = await aliceCallsBob(device, 'video', { autoConnect: false });
    expect(alice.engine.snapshot.phase).toBe('connecting');
    clock.advance(CONNECT_TIMEOUT_MS);
    await settle();
    expect(alice.engine.snapshot.outcome).toBe('failed');
    expect(bob.engine.snapshot.outcome).toBe('failed');
  });

  it('a callee answering a permission prompt slowly is not timed out: the connect timer starts with its answer', async () => {
    const { clock, device } = setup();
    let allow!: () => void;
    const alice = device('alice', 1);
    const bob = device('bob', 1, { mediaOpened: new Promise<void>((resolve) => (allow = resolve)) });
    call(alice, 'bob');
    await settle();
    bob.engine.accept();
    clock.advance(CONNECT_TIMEOUT_MS + 1_000); // still within the caller's 45 s of ringing
    await settle();
    expect(bob.engine.snapshot.phase).toBe('connecting');
    allow();
    await settle();
    expect(bob.engine.snapshot.phase).toBe('active');
    expect(alice.engine.snapshot.phase).toBe('active');
  });

  it('failed: no camera or microphone for the offer', async () => {
    const { network, device } = setup();
    const alice = device('alice', 1, { failOffer: true });
    device('bob', 1);
    call(alice, 'bob');
    await settle();
    expect(alice.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'failed' });
    expect(alice.warnings.join()).toContain('camera denied');
    expect(network.kinds('offer')).toHaveLength(0);
  });
});

describe('call engine: nothing outlives its scope', () => {
  it('a hung-up call leaves no subscription to its media and, once the notices went, no timer', async () => {
    const { clock, device } = setup();
    const { alice, bob } = await aliceCallsBob(device);
    expect(alice.sessions[0]!.watched).toBe(true);
    alice.engine.hangUp();
    await settle();
    expect(bob.engine.snapshot.phase).toBe('ended');
    for (const session of [...alice.sessions, ...bob.sessions]) expect(session.watched).toBe(false);
    // Only the caller's delayed accepted-elsewhere copy may still wait (it is the engine's, not the call's).
    expect(clock.pendingDelays()).toEqual([ACCEPTED_NOTICE_DELAY_MS]);
    clock.advance(ACCEPTED_NOTICE_DELAY_MS);
    expect(clock.pendingDelays()).toEqual([]);
  });

  it('ending the app while a call rings, connects or is on leaves no listener, timer or subscription behind', async () => {
    const { clock, network, device } = setup();
    const { alice, bob } = await aliceCallsBob(device);
    const carol = device('carol', 1);
    call(carol, 'bob');
    await settle();
    for (const { scope } of [alice, bob, carol]) scope.end();
    await settle();
    expect(['alice', 'bob', 'carol'].filter((user) => network.listened(user, 1))).toEqual([]);
    for (const session of [...alice.sessions, ...bob.sessions, ...carol.sessions]) expect(session.watched).toBe(false);
    expect(clock.pendingDelays()).toEqual([]);
  });

  it("a caller's app ended before its delayed accepted-elsewhere copy went does not send it afterwards", async () => {
    const { clock, network, device } = setup();
    const { alice, bobLaptop } = await aliceRingsBobsDevices(device);
    bobLaptop.engine.accept();
    await settle();
    alice.scope.end();
    await settle();
    clock.advance(ACCEPTED_NOTICE_DELAY_MS);
    await settle();
    expect(network.kinds('accepted-elsewhere').map((s) => s.from.userId)).toEqual(['bob']);
  });
});

describe('call engine: several devices', () => {
  it('accepting on one device stops the ringing on the others (accepted-elsewhere)', async () => {
    const { clock, network, device } = setup();
    const { bobPhone, bobLaptop } = await aliceRingsBobsDevices(device);
    expect(network.kinds('ice')).toHaveLength(0);
    expect(bobPhone.engine.snapshot.phase).toBe('ringing');
    expect(bobLaptop.engine.snapshot.phase).toBe('ringing');
    bobLaptop.engine.accept();
    await settle();
    expect(bobLaptop.engine.snapshot.phase).toBe('active');
    expect(bobPhone.engine.snapshot).toMatchObject({ phase: 'ended', outcome: 'answered-elsewhere' });
    // The laptop told Bob's other device at once; the caller's copy (to both) waits until the set-up is through.
    const notices = () => network.kinds('accepted-elsewhere').map((s) => s.from.userId);
    expect(notices()).toEqual(['bob']);
    clock.advance(ACCEPTED_NOTICE_DELAY_MS);
    await settle();
    expect(notices()).toEqual(['bob', 'alice', 'alice']);
    expect(bobPhone.entries[0]).toMatchObject({ outcome: 'answered-elsewhere', durationMs: null });
    // The phone prepared an answer while ringing, but never answered (no camera or microphone) and let it go.
    expect(bobPhone.sessions.map((s) => ({ prepared: s.prepared !== null, answered: s.answered, closed: s.closed }))).toEqual([
      { prepared: true, answered: false, closed: true },
    ]);
    // The caller's candidates went out only after the answer, and only the answering device used them.
    expect(network.kinds('ice').filter((s) => s.from.userId === 'alice').length).toBeGreaterThan(0);
    expect(bobLaptop.sessions[0]!.remoteCandidates).toHaveLength(1);
  });

  it('two devices accepting at once: the caller keeps the first, the second is told and stops', async () => {
    const { device } = setup();
    const { alice, bobPhone, bobLaptop } = await aliceRingsBobsDevices(device);
    bobPhone.engine.accept();
    bobLaptop.engine.accept();
    await settle(10);
    const phases = [bobPhone.engine.snapshot, bobLaptop.engine.snapshot].map((s) => s.outcome ?? s.phase).sort();
    expect(phases).toEqual(['active', 'answered-elsewhere']);
    expect(alice.engine.snapshot.phase).toBe('active');
    // Hanging up reaches the device that has the call.
    alice.engine.hangUp();
    await settle();
    const inCall = bobPhone.engine.snapshot.outcome === 'hung-up' ? bobPhone : bobLaptop;
    expect(inCall.engine.snapshot.outcome).toBe('hung-up');
  });

  it('ignores its own messages and signals of calls it is not in', async () => {
    const { network, device } = setup();
    const alice = device('alice', 1);
    const bob = device('bob', 1);
    const stray = network.channel('carol', 1);
    await stray.send('bob', { callId: 'nope', signal: { kind: 'hangup', reason: 'hung-up' } });
    await stray.send('bob', { callId: 'nope', signal: { kind: 'answer', sdp: 'x', key: { suite: 4, generation: 0, secret: 'A'.repeat(43) + '=' } } });
    expect(bob.engine.snapshot.phase).toBe('idle');
    call(alice, 'bob');
    await settle();
    // Carol cannot hang up Alice's call to Bob.
    await stray.send('bob', { callId: bob.engine.snapshot.callId!, signal: { kind: 'hangup', reason: 'cancelled' } });
    expect(bob.engine.snapshot.phase).toBe('ringing');
  });
});

describe('call engine: glare', () => {
  it('both call at once: the smaller call id wins on both sides, one call connects, no entry for the loser', async () => {
    const { device } = setup();
    const alice = device('alice', 1, { callIds: ['b-call'] });
    const bob = device('bob', 1, { callIds: ['a-call'] });
    const bobLaptop = device('bob', 2);
    call(alice, 'bob', 'audio');
    call(bob, 'alice', 'video');
    await settle(10);
    expect(alice.engine.snapshot).toMatchObject({ phase: 'active', callId: 'a-call', role: 'callee', media: 'video' });
    expect(bob.engine.snapshot).toMatchObject({ phase: 'active', callId: 'a-call', role: 'caller' });
    expect(alice.entries).toEqual([]);
    expect(bob.entries).toEqual([]);
    // Bob's laptop rang for Alice's losing call and stopped without logging a missed call.
    expect(bobLaptop.engine.snapshot.phase).toBe('idle');
    expect(bobLaptop.entries).toEqual([]);
    expect(alice.sessions[0]!.closed).toBe(true); // alice's own offer's media
  });

  it('resolves the same way whichever side\'s offer lands first', async () => {
    const { device } = setup();
    const alice = device('alice', 1, { callIds: ['a-call'] });
    const bob = device('bob', 1, { callIds: ['b-call'] });
    call(bob, 'alice');
    call(alice, 'bob');
    await settle(10);
    expect(alice.engine.snapshot).toMatchObject({ phase: 'active', callId: 'a-call', role: 'caller' });
    expect(bob.engine.snapshot).toMatchObject({ phase: 'active', callId: 'a-call', role: 'callee' });
  });
});

describe('call engine: media state (mute, camera, sharing)', () => {
  const mediaStates = (network: FakeSignalingNetwork, from: string) => network.log.filter((s) => s.from.userId === from && s.signal.kind === 'media-state').map((s) => s.signal);

  it('sends what the app reported once media connects, then each change, and shows the peer\'s on the snapshot', async () => {
    const { network, device } = setup();
    const alice = device('alice', 1);
    const bob = device('bob', 1);
    call(alice, 'bob');
    alice.engine.setLocalMediaState({ muted: false, cameraOn: true, sharing: false });
    await settle();
    expect(mediaStates(network, 'alice')).toEqual([]); // not while it rings
    bob.engine.accept();
    bob.engine.setLocalMediaState({ muted: false, cameraOn: true, sharing: false });
    await settle();
    expect(alice.engine.snapshot.phase).toBe('active');
    expect(mediaStates(network, 'alice')).toEqual([{ kind: 'media-state', muted: false, cameraOn: true, sharing: false }]);
    expect(bob.engine.snapshot.peerMedia).toEqual({ muted: false, cameraOn: true, sharing: false });
    expect(alice.engine.snapshot.peerMedia).toEqual({ muted: false, cameraOn: true, sharing: false });

    alice.engine.setLocalMediaState({ muted: true, cameraOn: true, sharing: false });
    alice.engine.setLocalMediaState({ muted: true, cameraOn: true, sharing: false }); // unchanged: not sent again
    await settle();
    expect(bob.engine.snapshot.peerMedia).toEqual({ muted: true, cameraOn: true, sharing: false });
    alice.engine.setLocalMediaState({ muted: true, cameraOn: false, sharing: true });
    await settle();
    expect(bob.engine.snapshot.peerMedia).toEqual({ muted: true, cameraOn: false, sharing: true });
    expect(mediaStates(network, 'alice')).toHaveLength(3);
    expect(bob.engine.snapshot.phase).toBe('active');
  });

  it('an older peer that never tells its media state leaves peerMedia null (the UI infers) and the call goes on', async () => {
    const { device } = setup();
    const { alice, bob } = await aliceCallsBob(device);
    alice.engine.setLocalMediaState({ muted: true, cameraOn: false, sharing: false });
    await settle();
    expect(alice.engine.snapshot.peerMedia).toBeNull();
    expect(bob.engine.snapshot.peerMedia).toEqual({ muted: true, cameraOn: false, sharing: false });
    expect(alice.engine.snapshot.phase).toBe('active');
  });

  it('ignores a media state from a device that is not in the call, and starts the next call without the last one\'s', async () => {
    const { network, device } = setup();
    const { alice, bob } = await aliceCallsBob(device);
    const stranger = network.channel('bob', 2);
    await stranger.send('alice', { callId: alice.engine.snapshot.callId!, signal: { kind: 'media-state', muted: true, cameraOn: false, sharing: true } });
    await settle();
    expect(alice.engine.snapshot.peerMedia).toBeNull();

    bob.engine.setLocalMediaState({ muted: true, cameraOn: true, sharing: false });
    await settle();
    expect(alice.engine.snapshot.peerMedia).toEqual({ muted: true, cameraOn: true, sharing: false });
    alice.engine.hangUp();
    alice.engine.dismiss();
    call(alice, 'bob');
    expect(alice.engine.snapshot.peerMedia).toBeNull();
  });
});
