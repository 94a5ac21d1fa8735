/**
 * The call app's group calls: starting one from a group chat ("Start group call" on the bus),
 * the incoming ring, and the call itself (GroupCall), as Solid signals for the UI. The call's
 * state goes to the bus (`call.state`) while it runs, and a call entry when it ends.
 */
import {
  type CallSignalingChannel,
  GroupCall,
  type GroupCallSnapshot,
  type GroupCallTarget,
  type GroupKeyChannel,
  type GroupMediaSession,
  type GroupSignalChannel,
  type HostActionResult,
  type SfuClient,
  failureOf,
  RING_TIMEOUT_MS,
} from '@parley/call-engine';
import { schedule } from '@parley/clock';
import { decryptCallName, deriveCallLinkKeys } from '@parley/call-links';
import type { Clock } from '@parley/clock';
import { type CallMedia, type CallState, type GroupCallRequest, type GroupReaction, type GroupRing, IDLE_CALL_STATE, type Peer, parseGroupRing } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import type { ObservableScope } from '@parley/event-bus/scope';
import type { CallLinkApi } from '@parley/messenger';
import type { Observable } from 'rxjs';
import { createSignal } from 'solid-js';

/** A ring being shown: Join or Decline. */
export interface IncomingGroupCall {
  readonly callId: string;
  readonly ring: GroupRing;
  /** When it started ringing here, ms. */
  readonly at: number;
}

/** What every call entry of a group call says: the call, its chat (or link) and who rang. */
function groupCallEntry(callId: string, ring: GroupRing, direction: 'outgoing' | 'incoming', startedAt: number) {
  return {
    callId,
    conversationId: ring.groupId,
    peer: { userId: ring.groupId, displayName: ring.groupName },
    direction,
    media: ring.media,
    startedAt,
    kind: 'group' as const,
  };
}

/** What the group calls need besides the bus. */
export interface GroupCallStoreDeps<M extends GroupMediaSession> {
  readonly self: { readonly userId: string; readonly deviceId: number; readonly displayName: string };
  /** Null when the shell's relay connection has no SFU support: no group calls then. */
  readonly sfu: SfuClient | null;
  readonly keys: GroupKeyChannel;
  /** Sends the ring (Signal-encrypted call signaling). */
  readonly ringChannel: Pick<CallSignalingChannel, 'send'>;
  /** Ring signals received (raw `signal` objects of call-signaling content). */
  readonly incomingSignals$: Observable<{ readonly callId: string; readonly from: { readonly userId: string; readonly deviceId: number }; readonly signal: unknown }>;
  readonly createMedia: (media: CallMedia) => M;
  readonly clock: Clock;
  /** The 1:1 call, so someone can be added to it (it then moves to the SFU). */
  readonly oneToOne?: OneToOneCallPort;
  /** Looks a user up by handle (the messenger). */
  readonly findUser?: (handle: string) => Promise<Peer>;
  /** Call-link routes (the messenger); absent: links cannot be opened. */
  readonly links?: CallLinkApi | null;
}

/** What the group calls need of the 1:1 call app. */
export interface OneToOneCallPort {
  /** The 1:1 call in progress (connecting or active), if any. */
  current(): { readonly callId: string; readonly conversationId: string | null; readonly peer: Peer; readonly media: CallMedia } | null;
  /** Ends it quietly: the conversation goes on in the group call. */
  end(): void;
}

/** How long after a 1:1 call ended its peer may still move it to the SFU (their hang-up can overtake the move). */
export const MOVE_WINDOW_MS = 60_000;

interface Running<M extends GroupMediaSession> {
  readonly call: GroupCall<M>;
  /** The call's subscriptions; ended when it finishes. */
  readonly scope: ObservableScope;
  readonly ring: GroupRing;
  readonly direction: 'outgoing' | 'incoming';
  readonly startedAt: number;
  /** This user created the call link the call runs on: admits, removes. */
  readonly linkAdmin: boolean;
  /** A link's call: the link's root secret, so the call history can open it again. */
  readonly linkSecret?: string;
}

/** The conversation id call entries of a link's call are filed under. */
export const linkConversationId = (roomId: string) => `link:${roomId}`;

export function createGroupCallStore<M extends GroupMediaSession>(bus: EventBus, scope: ObservableScope, deps: GroupCallStoreDeps<M>) {
  const [incoming, setIncoming] = createSignal<IncomingGroupCall | null>(null);
  const [snapshot, setSnapshot] = createSignal<GroupCallSnapshot | null>(null);
  const [media, setMedia] = createSignal<M | null>(null);
  const [ring, setRing] = createSignal<GroupRing | null>(null);
  const [failure, setFailure] = createSignal<string | null>(null);
  const [current, setCurrent] = createSignal<GroupCall<M> | null>(null);
  const [linkAdmin, setLinkAdmin] = createSignal(false);
  let running: Running<M> | null = null;
  /** A join that failed is kept 'ended' on the bus until its summary goes (see start). */
  let holdingFailure = false;
  const signals: GroupSignalChannel = {
    send: (toUserId, callId, signal) => deps.ringChannel.send(toUserId, { callId, signal: signal as never }),
    incoming$: deps.incomingSignals$,
  };

  if (typeof __PARLEY_TEST_HOOKS__ !== 'undefined' && __PARLEY_TEST_HOOKS__) {
    // Test builds only: sends any group signal to everyone else in the call, as a hostile
    // participant's modified app could (a forged host request must be ignored by the others).
    (globalThis as { parleyForgeGroupSignal?: (signal: unknown) => void }).parleyForgeGroupSignal = (signal) => {
      const now = snapshot();
      if (!now?.callId) return;
      for (const userId of new Set(now.participants.filter((p) => !p.self).map((p) => p.userId))) void signals.send(userId, now.callId, signal as never);
    };
  }

  const names = (): ReadonlyMap<string, string> => new Map((ring()?.members ?? []).map((m) => [m.userId, m.displayName]));

  function callState(next: GroupCallSnapshot, current: Running<M>): CallState {
    const peer: Peer = { userId: current.ring.groupId, displayName: current.ring.groupName };
    const phase = next.phase === 'ended' ? 'ended' : next.phase === 'active' ? 'active' : 'connecting';
    return { phase, callId: next.callId, conversationId: current.ring.groupId, media: next.media, peer };
  }

  function start(target: GroupCallTarget, groupRing: GroupRing, direction: 'outgoing' | 'incoming', linkAdminHere = false, linkSecret?: string): void {
    // The app may be gone by the time a create or a link check answers: no call starts for nobody.
    if (!deps.sfu || running || scope.isEnded) return;
    // The call's lifetime: ended when the call ends, or with the app.
    const callScope = scope.child();
    const call = new GroupCall<M>({
      scope: callScope,
      target,
      media: groupRing.media,
      self: deps.self,
      sfu: deps.sfu,
      keys: deps.keys,
      signals,
      clock: deps.clock,
      createMedia: () => deps.createMedia(groupRing.media),
      onWarning: (message) => console.warn(`[call] group call: ${message}`),
    });
    holdingFailure = false;
    const current: Running<M> = { call, scope: callScope, ring: groupRing, direction, startedAt: deps.clock.now(), linkAdmin: linkAdminHere, ...(linkSecret ? { linkSecret } : {}) };
    running = current;
    setCurrent(() => call);
    setLinkAdmin(linkAdminHere);
    setRing(groupRing);
    setFailure(null);
    callScope.bind(call.snapshot$, (next) => {
      setSnapshot(next);
      // A join refused (locked, revoked, not admitted) stays 'ended' on the bus until its summary is
      // dismissed: a guest's shell ends their stay once the call is idle, and would hide why.
      const refused = next.phase === 'ended' && next.joinedAt === null && next.error !== null;
      if (refused) holdingFailure = true;
      bus.set('call.state', next.phase === 'ended' && !refused ? IDLE_CALL_STATE : callState(next, current));
      if (next.phase === 'ended') finish(current, next);
    });
    callScope.bind(call.media$, (session) => setMedia(() => session));
    void call.join();
  }

  function finish(current: Running<M>, last: GroupCallSnapshot): void {
    if (running !== current) return;
    running = null;
    setCurrent(null);
    setMedia(null);
    if (last.error) setFailure(last.error);
    const durationMs = last.joinedAt === null ? null : deps.clock.now() - last.joinedAt;
    bus.publish('call.entry', {
      ...groupCallEntry(last.callId ?? current.ring.groupId, current.ring, current.direction, current.startedAt),
      media: last.media,
      outcome: last.joinedAt === null ? 'failed' : 'hung-up',
      durationMs,
      ...(current.linkSecret ? { kind: 'link' as const, linkSecret: current.linkSecret } : {}),
    });
    current.scope.end();
  }

  /** A ring that ends unanswered here (declined, or not taken in time): its call entry. */
  function unanswered(ringing: IncomingGroupCall, outcome: 'declined' | 'missed'): void {
    bus.publish('call.entry', { ...groupCallEntry(ringing.callId, ringing.ring, 'incoming', ringing.at), outcome, durationMs: null });
  }

  // The ring shown's timeout (one ring at a time).
  let stopRinging = () => {};
  scope.onEnd(() => stopRinging());
  /** Shows a ring, which stops by itself after the 1:1 ring time and is then a missed call. */
  function ringHere(ringing: Omit<IncomingGroupCall, 'at'>): void {
    const shown: IncomingGroupCall = { ...ringing, at: deps.clock.now() };
    stopRinging();
    setIncoming(shown);
    stopRinging = schedule(deps.clock, RING_TIMEOUT_MS, () => {
      if (incoming() !== shown) return;
      setIncoming(null);
      unanswered(shown, 'missed');
    });
  }

  async function create(request: GroupCallRequest): Promise<void> {
    if (!deps.sfu || running) return;
    const members: Peer[] = [{ userId: deps.self.userId, displayName: deps.self.displayName }, ...request.members];
    const groupRing: GroupRing = { kind: 'group-ring', groupId: request.groupId, groupName: request.name, media: request.media, callerName: deps.self.displayName, members };
    let callId: string;
    try {
      ({ callId } = await deps.sfu.request({ op: 'create', invitees: request.members.map((m) => m.userId) }));
    } catch (error) {
      setRing(groupRing);
      // The server's code when it gave one (too_many_calls, sfu_unavailable…): the panel words it.
      setFailure(failureOf(error));
      return;
    }
    start({ callId }, groupRing, 'outgoing');
    for (const member of request.members) {
      deps.ringChannel.send(member.userId, { callId, signal: groupRing as never }).catch((error: unknown) => console.warn(`[call] a group ring could not be sent: ${String(error)}`));
    }
  }

  // The latest 1:1 call, kept a while after it ends: its peer's move can arrive after their hang-up.
  let lastOneToOne: { callId: string; peerUserId: string; seenAt: number } | null = null;
  const noteOneToOne = () => {
    const one = deps.oneToOne?.current();
    if (one) lastOneToOne = { callId: one.callId, peerUserId: one.peer.userId, seenAt: deps.clock.now() };
  };
  scope.bind(bus.state('call.state'), noteOneToOne);

  async function addPerson(handle: string): Promise<void> {
    const one = deps.oneToOne?.current();
    if (!one || !deps.sfu || !deps.findUser || running) throw new Error('there is no 1:1 call to add someone to');
    const newcomer = await deps.findUser(handle);
    const members: Peer[] = [{ userId: deps.self.userId, displayName: deps.self.displayName }, one.peer, newcomer];
    const { callId } = await deps.sfu.request({ op: 'create', invitees: [one.peer.userId, newcomer.userId] });
    // The others file the call under their chat with this user; this user under the 1:1 chat.
    const ringFor = (moveFrom?: string): GroupRing => ({
      kind: 'group-ring',
      groupId: deps.self.userId,
      groupName: members.map((m) => m.displayName).join(', '),
      media: one.media,
      callerName: deps.self.displayName,
      members,
      ...(moveFrom ? { moveFrom } : {}),
    });
    const warn = (error: unknown) => console.warn(`[call] a group ring could not be sent: ${String(error)}`);
    deps.ringChannel.send(one.peer.userId, { callId, signal: ringFor(one.callId) as never }).catch(warn);
    deps.ringChannel.send(newcomer.userId, { callId, signal: ringFor() as never }).catch(warn);
    deps.oneToOne?.end();
    start({ callId }, { ...ringFor(), groupId: one.conversationId ?? one.peer.userId }, 'outgoing');
  }

  /**
   * Opens a call link: checks it with the server (to say why it cannot be joined: unknown, revoked,
   * expired), reads its name, and joins — at once, or once its creator admits this device.
   */
  // A link being checked before its call starts: a second open (Join pressed again, or the page's
  // pending link at the same moment) must not start a second call.
  let openingLink = false;
  async function openLink(secret: string): Promise<void> {
    if (!deps.sfu || running || openingLink) return;
    openingLink = true;
    try {
      await checkAndJoinLink(secret);
    } finally {
      openingLink = false;
    }
  }

  async function checkAndJoinLink(secret: string): Promise<void> {
    const linkRing = (roomId: string, name: string, creator: string): GroupRing => ({ kind: 'group-ring', groupId: linkConversationId(roomId), groupName: name, media: 'video', callerName: creator, members: [] });
    let keys;
    try {
      keys = await deriveCallLinkKeys(secret);
    } catch {
      setRing(linkRing('', '', ''));
      setFailure('invalid-link');
      return;
    }
    let name = '';
    let admin = false;
    let creator = '';
    if (deps.links) {
      try {
        const info = await deps.links.get(keys.roomId, keys.verifier);
        name = (info.encryptedName && (await decryptCallName(keys, info.encryptedName))) || '';
        admin = info.creator.userId === deps.self.userId;
        creator = info.creator.displayName;
      } catch (error) {
        setRing(linkRing(keys.roomId, '', ''));
        setFailure((error as { code?: string }).code ?? String(error));
        return;
      }
    }
    start({ link: { roomId: keys.roomId, verifier: keys.verifier } }, linkRing(keys.roomId, name, creator), 'outgoing', admin, secret);
  }

  scope.bind(bus.on('call.group-requested'), (request) => void create(request));
  scope.bind(bus.on('call.link-opened'), ({ secret }) => void openLink(secret));
  scope.bind(bus.state('call.link-pending'), (pending) => {
    if (!pending) return;
    bus.set('call.link-pending', null);
    void openLink(pending.secret);
  });
  scope.bind(deps.incomingSignals$, ({ callId, from, signal }) => {
    const parsed = parseGroupRing(signal);
    if (!parsed || from.userId === deps.self.userId || running || incoming()) return;
    noteOneToOne();
    const moved = lastOneToOne;
    if (parsed.moveFrom && moved && moved.callId === parsed.moveFrom && moved.peerUserId === from.userId && deps.clock.now() - moved.seenAt < MOVE_WINDOW_MS) {
      // Our 1:1 call became a group call: go along without ringing.
      lastOneToOne = null;
      deps.oneToOne?.end();
      start({ callId }, parsed, 'incoming');
      return;
    }
    ringHere({ callId, ring: parsed });
  });
  scope.onEnd(() => running?.call.dispose());

  return {
    state: {
      get incoming() {
        return incoming();
      },
      get snapshot() {
        return snapshot();
      },
      get media() {
        return media();
      },
      /** This user created the link the running call is on. */
      get linkAdmin() {
        return linkAdmin();
      },
      /** The running call, for actions the UI takes on it (layers). */
      get call() {
        return current();
      },
      get ring() {
        return ring();
      },
      get failure() {
        return failure();
      },
      /** Display names by user id (from the ring's member list). */
      get names() {
        return names();
      },
      /** Whether this device can take part in group calls at all. */
      available: deps.sfu !== null,
    },
    join(): void {
      const ringing = incoming();
      if (!ringing) return;
      setIncoming(null);
      start({ callId: ringing.callId }, ringing.ring, 'incoming');
    },
    decline(): void {
      const ringing = incoming();
      setIncoming(null);
      if (ringing) unanswered(ringing, 'declined');
    },
    /** Mutes this device and tells the others. */
    setMuted(muted: boolean): void {
      const call = current();
      if (!call) return;
      media()?.setMuted(muted);
      call.setPresence({ muted });
    },
    async setCameraOn(on: boolean): Promise<void> {
      const call = current();
      if (!call) return;
      await media()?.setCameraOn(on);
      call.setPresence({ cameraOn: on });
    },
    setHandRaised(raised: boolean): void {
      current()?.setPresence({ handRaised: raised });
    },
    react(emoji: GroupReaction): void {
      current()?.react(emoji);
    },
    /** Adds someone to the 1:1 call in progress: it moves to the SFU with both of you. */
    addPerson,
    openLink,
    /** The link's creator admits (or refuses) someone waiting. */
    admit(requestId: string, admit: boolean): void {
      void current()?.admit(requestId, admit);
    },
    /** The host removes someone (the server checks the host). */
    remove(participant: number): void {
      void current()?.remove(participant).catch((error: unknown) => console.warn(`[call] could not remove a participant: ${String(error)}`));
    },
    /** The host asks everyone else to mute. */
    muteAll(): HostActionResult {
      return current()?.muteAll() ?? 'not-host';
    },
    /** The host lowers every raised hand; `no-hands` when none is raised. */
    lowerHands(): HostActionResult {
      return current()?.lowerHands() ?? 'not-host';
    },
    /** The host locks the call (the server then refuses anyone new) or unlocks it. */
    async lock(locked: boolean): Promise<HostActionResult | 'failed'> {
      const call = current();
      if (!call) return 'not-host';
      return call.lock(locked).catch(() => 'failed' as const);
    },
    /** Whether someone can be added to the current 1:1 call. */
    canAddPerson: () => deps.sfu !== null && deps.findUser !== undefined && deps.oneToOne !== undefined,
    leave(): void {
      void running?.call.leave();
    },
    dismiss(): void {
      if (holdingFailure && !running) bus.set('call.state', IDLE_CALL_STATE);
      holdingFailure = false;
      setSnapshot(null);
      setRing(null);
      setFailure(null);
    },
    now: () => deps.clock.now(),
  };
}

export type GroupCallStore<M extends GroupMediaSession = GroupMediaSession> = ReturnType<typeof createGroupCallStore<M>>;
