/**
 * One device's part in a group call: joins through the server's SFU requests, and composes the
 * parts that each own a piece of the call in the call's scope:
 *
 *   GroupMembership             who is in the call, who talks, who waits to be admitted
 *   GroupCallKeys               the sender-key schedule (group-keys.ts)
 *   GroupPresenceAndReactions   mute, camera, raised hand and emoji between participants
 *   GroupHostControls           the host's mute-all, lower-hands, lock and remove (group-host.ts)
 *   GroupMediaLayers            which simulcast layer of whom this device receives
 *   presenterOf                 who shares the one screen everyone sees (group-presenter.ts)
 *   GroupJoin                   one join's media with the SFU (a child scope per join)
 *
 * The snapshot the UI renders is a Behavior derived from the call's own state and the parts'.
 * Plain TypeScript over ports (SFU requests, Signal-encrypted messages, media; group-call-ports.ts),
 * so the orchestration is tested without WebRTC; RtcGroupMedia in apps/call is the real media.
 */
import type { Clock } from '@parley/clock';
import type { CallMedia, GroupReaction, SfuAnswers, SfuEvent, SfuParticipant } from '@parley/contracts';
import type { Behavior, ObservableScope } from '@parley/event-bus/scope';
import { BehaviorSubject, type Observable, Subject, filter } from 'rxjs';
import type { GroupKeyChannel, GroupMediaSession, GroupSignalChannel, KeyOrigin, SfuClient } from './group-call-ports.js';
import { GroupJoin } from './group-join.js';
import { GroupHostControls, type HostActionResult, type HostNotice, type HostState } from './group-host.js';
import { GroupCallKeys } from './group-keys.js';
import { GroupMediaLayers } from './group-layers.js';
import { type GroupRoster, GroupMembership, type JoinRequest } from './group-membership.js';
import { DEFAULT_PRESENCE, type GroupPresence, GroupPresenceAndReactions, type PresenceBoard } from './group-presence.js';
import { type PresentAnswer, mayPresent, presenterOf } from './group-presenter.js';

/** `waiting`: a call link with admin approval, until its creator admits this device. */
export type GroupCallPhase = 'joining' | 'waiting' | 'active' | 'rejoining' | 'ended';

/** A participant as the UI shows them. */
export interface GroupParticipantView extends SfuParticipant, GroupPresence {
  readonly self: boolean;
  readonly talking: boolean;
  /** The emoji they sent in the last REACTION_SHOWN_MS, if any. */
  readonly reaction: string | null;
}

export interface GroupCallSnapshot {
  readonly phase: GroupCallPhase;
  /** Known once joined (a link's call id comes with the join). */
  readonly callId: string | null;
  readonly media: CallMedia;
  readonly selfIndex: number | null;
  /** Everyone in the call, this device included, in join order. */
  readonly participants: readonly GroupParticipantView[];
  readonly joinedAt: number | null;
  /** Why the call could not be joined or ended early: a server code (`link_revoked`, `removed`, …) or a message. */
  readonly error: string | null;
  /** For a call link's creator: people waiting to be admitted. */
  readonly joinRequests: readonly JoinRequest[];
  /** The participant whose shared screen is the spotlight for everyone; null when nobody presents. */
  readonly presenter: number | null;
  /** The host's user id, when the server names one. */
  readonly host: string | null;
  /** This user is the host: the host controls are theirs. */
  readonly isHost: boolean;
  /** The host locked the call: nobody new joins. */
  readonly locked: boolean;
  /** The host's last request this device honoured ("Alice muted everyone"). */
  readonly hostNotice: HostNotice | null;
}

/** The call's own part of the snapshot; the rest comes from the parts. */
type CallCore = Omit<GroupCallSnapshot, 'participants' | 'joinRequests' | 'presenter' | 'host' | 'isHost' | 'locked' | 'hostNotice'>;

/** What to join: a call by id (invited), or a call link (its room id and verifier; the call id comes with the join). */
export type GroupCallTarget = { readonly callId: string } | { readonly link: { readonly roomId: string; readonly verifier: string } };

export interface GroupCallDeps<M extends GroupMediaSession> {
  /** The lifetime the call lives in: when it ends, the call is disposed. */
  readonly scope: ObservableScope;
  readonly target: GroupCallTarget;
  readonly media: CallMedia;
  readonly self: KeyOrigin;
  readonly sfu: SfuClient;
  readonly keys: GroupKeyChannel;
  readonly signals: GroupSignalChannel;
  readonly createMedia: () => M;
  readonly clock: Clock;
  readonly onWarning?: (message: string) => void;
}

/** The snapshot of the call's state and its parts' at one moment. */
function composeSnapshot(self: KeyOrigin, core: CallCore, roster: GroupRoster, board: PresenceBoard, host: HostState): GroupCallSnapshot {
  const participants = [...roster.participants.values()]
    .sort((a, b) => a.joinedAt - b.joinedAt || a.index - b.index)
    .map((p) => ({
      ...p,
      ...(board.presence.get(p.index) ?? DEFAULT_PRESENCE),
      self: p.index === core.selfIndex,
      talking: roster.talking.has(p.index),
      reaction: board.reactions.get(p.index) ?? null,
    }));
  return {
    ...core,
    participants,
    joinRequests: roster.joinRequests,
    presenter: presenterOf(participants),
    host: host.host,
    isHost: host.host === self.userId,
    locked: host.locked,
    hostNotice: host.notice,
  };
}

export class GroupCall<M extends GroupMediaSession> {
  /** The call's subscriptions and parts: a child of the scope it was given, ended with the call. */
  private readonly scope: ObservableScope;
  private readonly core: BehaviorSubject<CallCore>;
  private callId: string | null;
  /** While waiting for admission to a link's call: the request the server's answer will name. */
  private admission: string | null = null;
  private readonly mediaSubject = new BehaviorSubject<M | null>(null);
  private readonly lostPresentation = new Subject<number>();
  private readonly membership: GroupMembership;
  private readonly keys: GroupCallKeys;
  private readonly presence: GroupPresenceAndReactions;
  private readonly layers: GroupMediaLayers;
  private readonly host: GroupHostControls;
  private joined: GroupJoin<M> | null = null;
  /** SFU work that must not interleave (subscriber negotiations, rejoins), one after another. */
  private work: Promise<void> = Promise.resolve();
  /**
   * Events that come while a join is in flight: the server may announce someone who joined at
   * the same moment before it answers our join (without them). Replayed once the join is set up.
   */
  private eventsDuringJoin: SfuEvent[] | null = null;

  /** What the UI renders, derived from the call's state and its parts'. */
  readonly snapshot$: Behavior<GroupCallSnapshot>;
  /** The media of the current join (a rejoin makes a new one). */
  readonly media$: Observable<M | null> = this.mediaSubject.asObservable();
  /**
   * This device stopped presenting because someone else started at the same moment and counts as
   * the presenter (group-presenter.ts): their participant index. The app stops its screen and says why.
   */
  readonly presentationLost$: Observable<number> = this.lostPresentation.asObservable();

  constructor(private readonly deps: GroupCallDeps<M>) {
    this.scope = deps.scope.child();
    // First on the scope: when the given lifetime ends, the end is published while everything still listens.
    this.scope.onEnd(() => this.dispose());
    this.callId = 'callId' in deps.target ? deps.target.callId : null;
    const warn = (message: string) => this.warn(message);
    const callId = () => this.callId;
    this.membership = new GroupMembership(this.scope);
    this.keys = new GroupCallKeys(this.scope, { keys: deps.keys, membership: this.membership, clock: deps.clock, callId, warn });
    this.presence = new GroupPresenceAndReactions(this.scope, { signals: deps.signals, membership: this.membership, clock: deps.clock, callId, selfIndex: () => this.joined?.selfIndex, warn });
    this.layers = new GroupMediaLayers({ sfu: deps.sfu, warn });
    this.host = new GroupHostControls(this.scope, {
      signals: deps.signals,
      sfu: deps.sfu,
      membership: this.membership,
      self: deps.self,
      callId,
      selfIndex: () => this.joined?.selfIndex,
      handsRaised: () => [...this.presence.board$.value.presence].filter(([, presence]) => presence.handRaised).map(([index]) => index),
      muteSelf: () => {
        this.joined?.media.setMuted(true);
        this.presence.setLocal({ muted: true });
      },
      lowerOwnHand: () => this.presence.setLocal({ handRaised: false }),
      warn,
    });
    this.core = new BehaviorSubject<CallCore>({ phase: 'joining', callId: this.callId, media: deps.media, selfIndex: null, joinedAt: null, error: null });
    this.snapshot$ = this.scope.derive(
      [this.scope.behavior(this.core, this.core.getValue()), this.membership.roster$, this.presence.board$, this.host.state$],
      (core, roster, board, host) => composeSnapshot(deps.self, core, roster, board, host),
    );
    this.scope.bind(
      deps.sfu.events$.pipe(filter((frame) => frame.callId === this.callId || (frame.event.kind === 'link-admission' && frame.event.requestId === this.admission))),
      (frame) => this.onEvent(frame.event),
    );
    this.scope.bind(this.snapshot$, (snapshot) => this.yieldIfOutpresented(snapshot));
    let wasConnected = true;
    this.scope.bind(deps.sfu.connected$, (connected) => {
      if (connected && !wasConnected && this.phase !== 'ended') this.rejoin('the relay connection came back');
      wasConnected = connected;
    });
  }

  get snapshot(): GroupCallSnapshot {
    return this.snapshot$.value;
  }

  private get phase(): GroupCallPhase {
    return this.core.getValue().phase;
  }

  /** Enters the call: join, publish, subscribe to whoever publishes. */
  join(): Promise<void> {
    return this.serially(() => this.enter());
  }

  /** Tells the others whether this device is muted, has its camera on, raised its hand. */
  setPresence(change: Partial<GroupPresence>): void {
    this.presence.setLocal(change);
  }

  /** Sends an emoji to everyone in the call. */
  react(emoji: GroupReaction): void {
    this.presence.react(emoji);
  }

  /**
   * Claims the screen for this device, unless someone else presents (then refused: their index).
   * The screen's media is the app's (its tracks, then `renegotiatePublisher` when it added m-lines).
   */
  present(): PresentAnswer {
    const answer = mayPresent(this.joined?.selfIndex ?? null, this.snapshot.presenter);
    if (answer.ok) this.presence.setLocal({ presenting: true });
    return answer;
  }

  /** Stops presenting: the layout returns for everyone. */
  stopPresenting(): void {
    if (this.presence.own.presenting) this.presence.setLocal({ presenting: false });
  }

  /** Sends the publisher's renegotiated offer (the media added a screen); throws when it fails. */
  renegotiatePublisher(): Promise<void> {
    return this.serially(async () => {
      await this.joined?.republish();
    });
  }

  /**
   * Receives this participant's video on this simulcast layer (0 lowest … 2 highest), or not at
   * all (`null`: not on screen — the SFU stops forwarding it, so it costs no downlink or decoding).
   */
  chooseLayer(participant: number, substream: number | null): void {
    this.layers.choose(participant, substream);
    this.joined?.sendLayers();
  }

  /** Leaves the call (the last one out ends it on the server). */
  async leave(): Promise<void> {
    if (this.phase === 'ended') return;
    const callId = this.callId;
    this.end(null);
    if (callId !== null) await this.deps.sfu.request({ op: 'leave', callId }).catch(() => {});
  }

  /** Ends this object's life without telling the server (the app is going away): the server's grace period removes us. */
  dispose(): void {
    this.end(null);
  }

  /** The link's creator lets someone in, or not. */
  async admit(requestId: string, admit: boolean): Promise<void> {
    if (this.callId === null) return;
    this.membership.answerJoin(requestId);
    await this.deps.sfu.request({ op: 'admit', callId: this.callId, requestId, admit });
  }

  /** The host removes someone from the call (the server checks that this user is the host). */
  remove(participant: number): Promise<void> {
    return this.host.remove(participant);
  }

  /** The host asks everyone else to mute (each client mutes itself and sees who asked). */
  muteAll(): HostActionResult {
    return this.host.muteAll();
  }

  /** The host lowers every raised hand; `no-hands` when there is none (nothing sent). */
  lowerHands(): HostActionResult {
    return this.host.lowerHands();
  }

  /** The host locks the call (nobody new joins) or unlocks it. */
  lock(locked: boolean): Promise<HostActionResult> {
    return this.host.lock(locked);
  }

  /** Joins by call id, or through the link until this device knows the call id (then rejoins use the id). */
  private async requestJoin(): Promise<SfuAnswers['join'] | 'waiting'> {
    const { sfu, target } = this.deps;
    if (this.callId !== null) return sfu.request({ op: 'join', callId: this.callId });
    if (!('link' in target)) throw new Error('no call to join');
    const answer = await sfu.request({ op: 'join-link', roomId: target.link.roomId, verifier: target.link.verifier });
    if ('waiting' in answer) {
      this.admission = answer.requestId;
      return 'waiting';
    }
    this.callId = answer.callId;
    return answer;
  }

  private async enter(): Promise<void> {
    let answer: SfuAnswers['join'] | 'waiting';
    this.eventsDuringJoin = [];
    try {
      answer = await this.requestJoin();
    } catch (error) {
      this.eventsDuringJoin = null;
      this.end(failureOf(error));
      return;
    }
    if (this.phase === 'ended') return;
    if (answer === 'waiting') {
      this.eventsDuringJoin = null;
      this.publish({ phase: 'waiting' });
      return;
    }
    const selfIndex = answer.self.index;
    this.membership.reset([answer.self, ...answer.participants]);
    const media = this.deps.createMedia();
    const joined = new GroupJoin<M>(this.scope.child(), {
      media,
      selfIndex,
      callId: this.callId!,
      sfu: this.deps.sfu,
      membership: this.membership,
      layers: this.layers,
      onMediaFailed: () => this.rejoin('the media connection failed'),
      warn: (message) => this.warn(message),
    });
    this.joined = joined;
    this.mediaSubject.next(media);
    this.presence.joined(selfIndex);
    this.host.joined(answer.host);
    this.publish({ phase: 'active', selfIndex, joinedAt: this.core.getValue().joinedAt ?? this.deps.clock.now(), error: null });
    // Our first key to everyone already here; newcomers get theirs when they join (onEvent 'joined').
    this.keys.start(media, selfIndex, answer.participants.map((p) => p.index));
    this.presence.tell(answer.participants);
    this.keys.applyEarlyKeys();
    const held = this.eventsDuringJoin ?? [];
    this.eventsDuringJoin = null;
    for (const event of held) this.onEvent(event);
    await joined.publish();
    joined.want(answer.participants.filter((p) => p.publishing).map((p) => p.index));
    await joined.subscribePending();
  }

  private onEvent(event: SfuEvent): void {
    if (this.phase === 'ended') return;
    if (this.eventsDuringJoin && event.kind !== 'restarted' && event.kind !== 'ended') {
      this.eventsDuringJoin.push(event);
      return;
    }
    const joined = this.joined;
    switch (event.kind) {
      case 'joined':
        if (!joined || event.participant.index === joined.selfIndex) return;
        this.meet(event.participant);
        return;
      case 'published':
        if (!joined || event.participant.index === joined.selfIndex) return;
        this.meet(event.participant);
        joined.want([event.participant.index]);
        void this.serially(() => joined.subscribePending());
        return;
      case 'left':
        if (!joined || !this.membership.leave(event.participant)) return;
        this.presence.forget(event.participant);
        joined.forget(event.participant);
        this.keys.left(this.membership.others(joined.selfIndex).map((p) => p.index));
        return;
      case 'subscriber-offer':
        if (!joined) return;
        void this.serially(async () => {
          if (this.joined !== joined) return;
          await joined.answerSubscriberOffer(event.jsep.sdp, event.streams);
        });
        return;
      case 'talking':
        this.membership.setTalking(event.participant, event.talking);
        return;
      case 'restarted':
        this.rejoin('the SFU restarted');
        return;
      case 'ended':
        this.end(null);
        return;
      case 'link-admission':
        if (event.requestId !== this.admission) return;
        this.admission = null;
        if (event.admitted) void this.serially(() => this.enter());
        else this.end('refused');
        return;
      case 'join-request':
        this.membership.requestJoin({ requestId: event.requestId, userId: event.userId, displayName: event.displayName, guest: event.guest });
        return;
      case 'removed':
        this.end('removed');
        return;
    }
  }

  /** Someone is in the call whom this device learnt of after joining: a newcomer gets our next key and our presence. */
  private meet(participant: SfuParticipant): void {
    if (!this.membership.meet(participant)) return;
    this.keys.met(participant.index);
    this.presence.tell([participant]);
  }

  /** Drops the current media and joins again (new index, new keys): after a relay drop, an SFU restart, failed media. */
  private rejoin(why: string): void {
    if (this.phase === 'ended') return;
    this.warn(`joining the call again: ${why}`);
    this.closeJoin();
    this.publish({ phase: 'rejoining' });
    void this.serially(() => this.enter());
  }

  /** Two claimed the screen at once and the other one counts: this device gives way. */
  private yieldIfOutpresented(snapshot: GroupCallSnapshot): void {
    const presenter = snapshot.presenter;
    if (!this.presence.own.presenting || presenter === null || presenter === snapshot.selfIndex) return;
    this.presence.setLocal({ presenting: false });
    this.lostPresentation.next(presenter);
  }

  private closeJoin(): void {
    const joined = this.joined;
    this.joined = null;
    if (!joined) return;
    // The screen went with the media: the next join starts without it.
    this.stopPresenting();
    joined.close();
    this.keys.stop();
    this.layers.forgetTold();
    this.mediaSubject.next(null);
  }

  private end(error: string | null): void {
    if (this.phase === 'ended') return;
    this.closeJoin();
    this.publish({ phase: 'ended', error });
    this.scope.end();
  }

  private publish(change: Partial<CallCore>): void {
    this.core.next({ ...this.core.getValue(), ...change, callId: this.callId });
  }

  private serially(task: () => Promise<void>): Promise<void> {
    const next = this.work.then(task, task);
    this.work = next.catch(() => {});
    return next;
  }

  private warn(message: string): void {
    this.deps.onWarning?.(message);
  }
}

/** A failure as the snapshot's `error`: the server's code when it gave one (the UI words it), else the message. */
export function failureOf(error: unknown): string {
  const serverCode = (error as { serverCode?: unknown } | null)?.serverCode;
  if (typeof serverCode === 'string') return serverCode;
  return error instanceof Error ? error.message : String(error);
}
