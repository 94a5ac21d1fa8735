/**
 * One device's part in a group call: joins through the server's SFU requests, publishes its
 * media, subscribes to everyone who publishes, and runs the key schedule of Signal's group calls
 * (libs/media-e2ee group-sender-keys): its own sender key goes to every participant over Signal;
 * a newcomer gets only the next, ratcheted generation; when someone leaves, a fresh key goes to
 * those who remain and is used after a short delay. A key for a participant index is accepted only
 * from the user the server says holds that index, so one participant cannot speak as another.
 *
 * Plain TypeScript over three ports (SFU requests, Signal-encrypted key messages, media), so the
 * orchestration is tested without WebRTC; RtcGroupMedia is the real media.
 */
import type { CallMedia, GroupKeyContent, SfuAnswers, SfuEvent, SfuEventFrame, SfuParticipant, SfuRequest, SfuStream } from '@parley/contracts';
import { type GroupKeyMessage, LocalSenderKey } from '@parley/media-e2ee';
import { fromBase64, toBase64 } from '@parley/messenger';
import { BehaviorSubject, type Observable, Subscription, filter } from 'rxjs';
import type { Clock as TimerClock } from '@parley/clock';
import type { Clock } from '../engine/clock.js';
import type { GroupMediaSession } from './group-media.js';

/** The server's SFU, through the page's relay connection. */
export interface SfuClient {
  request<Op extends SfuRequest['op']>(request: Extract<SfuRequest, { op: Op }>): Promise<SfuAnswers[Op]>;
  readonly events$: Observable<SfuEventFrame>;
  /** Whether the relay connection is up; a drop and return makes the call join again. */
  readonly connected$: Observable<boolean>;
}

/** Who sent a Signal message. */
export interface KeyOrigin {
  readonly userId: string;
  readonly deviceId: number;
}

/** Group keys over Signal sessions (the messenger), to every device of a user. */
export interface GroupKeyChannel {
  send(toUserId: string, content: GroupKeyContent): Promise<void>;
  readonly incoming$: Observable<{ readonly from: KeyOrigin; readonly content: GroupKeyContent }>;
}

/** What each participant shows the others about themselves (sent over Signal, never via the SFU). */
export interface GroupPresence {
  readonly muted: boolean;
  readonly cameraOn: boolean;
  readonly handRaised: boolean;
}

/** Emoji a participant can send to the call. */
export const GROUP_REACTIONS = ['👍', '❤️', '😂', '😮', '👏', '🎉'] as const;
/** How long a reaction shows on its sender's tile. */
export const REACTION_SHOWN_MS = 4_000;

/** Presence and reactions between participants: `call-signaling` content over Signal. */
export interface GroupSignalChannel {
  send(toUserId: string, callId: string, signal: GroupSignal): Promise<void>;
  readonly incoming$: Observable<{ readonly from: KeyOrigin; readonly callId: string; readonly signal: unknown }>;
}

export type GroupSignal = ({ readonly kind: 'group-presence' } & GroupPresence) | { readonly kind: 'group-reaction'; readonly emoji: string };

function parseGroupSignal(signal: unknown): GroupSignal | null {
  const s = signal as Record<string, unknown> | null;
  if (!s || typeof s !== 'object') return null;
  if (s.kind === 'group-presence' && typeof s.muted === 'boolean' && typeof s.cameraOn === 'boolean' && typeof s.handRaised === 'boolean') {
    return { kind: 'group-presence', muted: s.muted, cameraOn: s.cameraOn, handRaised: s.handRaised };
  }
  if (s.kind === 'group-reaction' && typeof s.emoji === 'string' && (GROUP_REACTIONS as readonly string[]).includes(s.emoji)) return { kind: 'group-reaction', emoji: s.emoji };
  return null;
}

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
}

/** What to join: a call by id (invited), or a call link (its room id and verifier; the call id comes with the join). */
export type GroupCallTarget = { readonly callId: string } | { readonly link: { readonly roomId: string; readonly verifier: string } };

/** Someone who opened the link and waits for the link's creator to let them in. */
export interface JoinRequest {
  readonly requestId: string;
  readonly userId: string;
  readonly displayName: string;
  readonly guest: boolean;
}

export interface GroupCallDeps<M extends GroupMediaSession> {
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

/** Keys that name a participant index the call does not know yet wait this many at most. */
const MAX_EARLY_KEYS = 64;

export class GroupCall<M extends GroupMediaSession> {
  private readonly state: BehaviorSubject<GroupCallSnapshot>;
  private callId: string | null;
  /** While waiting for admission to a link's call: the request the server's answer will name. */
  private admission: string | null = null;
  private readonly mediaSubject = new BehaviorSubject<M | null>(null);
  private readonly subscriptions = new Subscription();
  private readonly participants = new Map<number, SfuParticipant>();
  private readonly talking = new Set<number>();
  private readonly presence = new Map<number, GroupPresence>();
  private readonly reactions = new Map<number, { emoji: string; cancel: () => void }>();
  private localPresence: GroupPresence = { muted: false, cameraOn: true, handRaised: false };
  private readonly earlyKeys: { from: KeyOrigin; content: GroupKeyContent }[] = [];
  private session: { media: M; selfIndex: number; keys: LocalSenderKey; trickle: Subscription; subscribed: Set<number>; subscriberReady: boolean; publisherSent: boolean; pendingCandidates: { pc: 'publisher' | 'subscriber'; candidate: unknown }[] } | null = null;
  /** SFU work that must not interleave (subscriber negotiations, rejoins), one after another. */
  private work: Promise<void> = Promise.resolve();
  private wantSubscribe = new Set<number>();
  /**
   * Events that come while a join is in flight: the server may announce someone who joined at
   * the same moment before it answers our join (without them). Replayed once the join is set up.
   */
  private eventsDuringJoin: SfuEvent[] | null = null;
  /** Simulcast layer wanted per participant (0 low … 2 high), and what the SFU was last told. */
  private readonly layers = new Map<number, number | null>();
  private readonly layersSent = new Map<number, number | null>();

  readonly snapshot$: Observable<GroupCallSnapshot>;
  /** The media of the current join (a rejoin makes a new one). */
  readonly media$: Observable<M | null> = this.mediaSubject.asObservable();

  constructor(private readonly deps: GroupCallDeps<M>) {
    this.callId = 'callId' in deps.target ? deps.target.callId : null;
    this.state = new BehaviorSubject<GroupCallSnapshot>({ phase: 'joining', callId: this.callId, media: deps.media, selfIndex: null, participants: [], joinedAt: null, error: null, joinRequests: [] });
    this.snapshot$ = this.state.asObservable();
    this.subscriptions.add(
      deps.sfu.events$
        .pipe(filter((frame) => frame.callId === this.callId || (frame.event.kind === 'link-admission' && frame.event.requestId === this.admission)))
        .subscribe((frame) => this.onEvent(frame.event)),
    );
    // Keys can come before this device learns a link call's id: kept as early keys until then.
    this.subscriptions.add(deps.keys.incoming$.pipe(filter(({ content }) => this.callId === null || content.callId === this.callId)).subscribe((message) => this.onKey(message.from, message.content)));
    this.subscriptions.add(deps.signals.incoming$.pipe(filter(({ callId }) => callId === this.callId)).subscribe(({ from, signal }) => this.onSignal(from, signal)));
    let wasConnected = true;
    this.subscriptions.add(
      deps.sfu.connected$.subscribe((connected) => {
        if (connected && !wasConnected && this.phase !== 'ended') this.rejoin('the relay connection came back');
        wasConnected = connected;
      }),
    );
  }

  get snapshot(): GroupCallSnapshot {
    return this.state.getValue();
  }

  private get phase(): GroupCallPhase {
    return this.state.getValue().phase;
  }

  /** Enters the call: join, publish, subscribe to whoever publishes. */
  join(): Promise<void> {
    return this.serially(() => this.enter());
  }

  /** Tells the others whether this device is muted, has its camera on, raised its hand. */
  setPresence(change: Partial<GroupPresence>): void {
    this.localPresence = { ...this.localPresence, ...change };
    const selfIndex = this.session?.selfIndex;
    if (selfIndex !== undefined) this.presence.set(selfIndex, this.localPresence);
    this.refresh();
    this.broadcast(this.others(), { kind: 'group-presence', ...this.localPresence });
  }

  /** Sends an emoji to everyone in the call. */
  react(emoji: (typeof GROUP_REACTIONS)[number]): void {
    const selfIndex = this.session?.selfIndex;
    if (selfIndex === undefined) return;
    this.showReaction(selfIndex, emoji);
    this.broadcast(this.others(), { kind: 'group-reaction', emoji });
  }

  private onSignal(from: KeyOrigin, raw: unknown): void {
    const signal = parseGroupSignal(raw);
    const sender = [...this.participants.values()].find((p) => p.userId === from.userId && p.deviceId === from.deviceId);
    if (!signal || !sender || sender.index === this.session?.selfIndex) return;
    if (signal.kind === 'group-presence') {
      this.presence.set(sender.index, { muted: signal.muted, cameraOn: signal.cameraOn, handRaised: signal.handRaised });
      this.refresh();
    } else {
      this.showReaction(sender.index, signal.emoji);
    }
  }

  private showReaction(index: number, emoji: string): void {
    this.reactions.get(index)?.cancel();
    const cancel = this.deps.clock.schedule(REACTION_SHOWN_MS, () => {
      this.reactions.delete(index);
      this.refresh();
    });
    this.reactions.set(index, { emoji, cancel });
    this.refresh();
  }

  /** Tells people who just met this device how it is, unless it is as everyone assumes (unmuted, camera on, no hand). */
  private tellPresence(to: readonly SfuParticipant[]): void {
    const { muted, cameraOn, handRaised } = this.localPresence;
    if (muted || !cameraOn || handRaised) this.broadcast(to, { kind: 'group-presence', ...this.localPresence });
  }

  private broadcast(to: readonly SfuParticipant[], signal: GroupSignal): void {
    for (const userId of new Set(to.map((p) => p.userId))) {
      this.deps.signals.send(userId, this.callId!, signal).catch((error: unknown) => this.warn(`a call update could not be sent: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  /**
   * Receives this participant's video on this simulcast layer (0 lowest … 2 highest), or not at
   * all (`null`: not on screen — the SFU stops forwarding it, so it costs no downlink or decoding).
   */
  chooseLayer(participant: number, substream: number | null): void {
    this.layers.set(participant, substream);
    this.sendLayers();
  }

  private sendLayers(): void {
    const session = this.session;
    if (!session || this.callId === null) return;
    const callId = this.callId;
    for (const [participant, wanted] of this.layers) {
      if (!session.subscribed.has(participant)) continue;
      // Undefined: nothing told yet — the SFU forwards video by default.
      const told = this.layersSent.get(participant);
      if (told === wanted) continue;
      this.layersSent.set(participant, wanted);
      const failed = (error: unknown) => {
        this.layersSent.delete(participant);
        this.warn(`the SFU did not switch video: ${error instanceof Error ? error.message : String(error)}`);
      };
      if (wanted === null) {
        this.deps.sfu.request({ op: 'receive-video', callId, participant, receive: false }).catch(failed);
        continue;
      }
      if (told === null) this.deps.sfu.request({ op: 'receive-video', callId, participant, receive: true }).catch(failed);
      this.deps.sfu.request({ op: 'substream', callId, participant, substream: wanted }).catch(failed);
    }
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
    const { sfu } = this.deps;
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
    const callId = this.callId!;
    this.participants.clear();
    this.talking.clear();
    this.presence.clear();
    for (const participant of [answer.self, ...answer.participants]) this.participants.set(participant.index, participant);
    const media = this.deps.createMedia();
    const keys = new LocalSenderKey({ sender: answer.self.index, clock: asTimerClock(this.deps.clock) });
    keys.onSwitch((generation, secret) => media.setLocalKey(answer.self.index, Number(generation), secret));
    const session = { media, selfIndex: answer.self.index, keys, trickle: new Subscription(), subscribed: new Set<number>(), subscriberReady: false, publisherSent: false, pendingCandidates: [] as { pc: 'publisher' | 'subscriber'; candidate: unknown }[] };
    this.session = session;
    this.mediaSubject.next(media);
    media.setLocalKey(answer.self.index, Number(keys.current.generation), keys.current.secret);
    session.trickle.add(media.candidates$.subscribe(({ pc, candidate }) => this.trickle(session, pc, candidate)));
    session.trickle.add(media.failed$.subscribe(() => this.rejoin('the media connection failed')));
    this.publish({ phase: 'active', selfIndex: answer.self.index, joinedAt: this.snapshot.joinedAt ?? this.deps.clock.now(), error: null });
    // Our first key to everyone already here; newcomers get it when they join (onEvent 'joined').
    this.sendKeys(keys.initialMessages(answer.participants.map((p) => p.index)));
    this.presence.set(answer.self.index, this.localPresence);
    this.tellPresence(answer.participants);
    this.applyEarlyKeys();
    const held = this.eventsDuringJoin ?? [];
    this.eventsDuringJoin = null;
    for (const event of held) this.onEvent(event);
    try {
      const offer = await media.createPublishOffer();
      if (this.session !== session) return;
      const published = await sfu.request({ op: 'publish', callId, jsep: { type: 'offer', sdp: offer } });
      if (this.session !== session) return;
      await media.acceptPublishAnswer(published.jsep.sdp);
      session.publisherSent = true;
      this.flushCandidates(session, 'publisher');
    } catch (error) {
      this.warn(`publishing failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const participant of answer.participants) if (participant.publishing) this.wantSubscribe.add(participant.index);
    await this.subscribePending(session);
  }

  private onEvent(event: SfuEvent): void {
    if (this.phase === 'ended') return;
    if (this.eventsDuringJoin && event.kind !== 'restarted' && event.kind !== 'ended') {
      this.eventsDuringJoin.push(event);
      return;
    }
    const session = this.session;
    switch (event.kind) {
      case 'joined':
        if (!session || event.participant.index === session.selfIndex) return;
        this.meet(session, event.participant);
        return;
      case 'published':
        if (!session || event.participant.index === session.selfIndex) return;
        this.meet(session, event.participant);
        this.wantSubscribe.add(event.participant.index);
        void this.serially(() => this.subscribePending(session));
        return;
      case 'left': {
        if (!session || !this.participants.has(event.participant)) return;
        this.participants.delete(event.participant);
        this.talking.delete(event.participant);
        this.presence.delete(event.participant);
        this.reactions.get(event.participant)?.cancel();
        this.reactions.delete(event.participant);
        session.subscribed.delete(event.participant);
        session.media.forgetPeer(event.participant);
        this.refresh();
        // A fresh key the leaver never sees, used once it had time to arrive.
        void session.keys.onLeave(this.others().map((p) => p.index)).then((messages) => this.sendKeys(messages));
        return;
      }
      case 'subscriber-offer':
        if (!session) return;
        void this.serially(async () => {
          if (this.session !== session) return;
          await this.answerSubscriberOffer(session, event.jsep.sdp, event.streams);
        });
        return;
      case 'talking':
        if (event.talking) this.talking.add(event.participant);
        else this.talking.delete(event.participant);
        this.refresh();
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
        this.publish({ joinRequests: [...this.snapshot.joinRequests.filter((r) => r.requestId !== event.requestId), { requestId: event.requestId, userId: event.userId, displayName: event.displayName, guest: event.guest }] });
        return;
      case 'removed':
        this.end('removed');
        return;
    }
  }

  /** The link's creator lets someone in, or not. */
  async admit(requestId: string, admit: boolean): Promise<void> {
    if (this.callId === null) return;
    this.publish({ joinRequests: this.snapshot.joinRequests.filter((r) => r.requestId !== requestId) });
    await this.deps.sfu.request({ op: 'admit', callId: this.callId, requestId, admit });
  }

  /** The link's creator removes someone from the call. */
  async remove(participant: number): Promise<void> {
    if (this.callId === null) return;
    await this.deps.sfu.request({ op: 'remove', callId: this.callId, participant });
  }

  /**
   * Someone is in the call whom this device learnt of after joining: a newcomer. They get the
   * next generation of our key only, so they cannot decrypt what was sent before they came.
   */
  private meet(session: NonNullable<GroupCall<M>['session']>, participant: SfuParticipant): void {
    const known = this.participants.has(participant.index);
    this.participants.set(participant.index, participant);
    this.refresh();
    if (known) return;
    void session.keys.onJoin([participant.index]).then((messages) => this.sendKeys(messages));
    this.tellPresence([participant]);
    this.applyEarlyKeys();
  }

  private onKey(from: KeyOrigin, content: GroupKeyContent): void {
    if (this.callId !== null && content.callId !== this.callId) return;
    const session = this.session;
    const holder = this.participants.get(content.sender);
    if (!session || !holder) {
      // Keys can overtake the SFU's 'joined' event: keep a few until we know who holds the index.
      if (this.earlyKeys.length >= MAX_EARLY_KEYS) this.earlyKeys.shift();
      this.earlyKeys.push({ from, content });
      return;
    }
    if (holder.userId !== from.userId) {
      this.warn(`ignored a media key for participant ${content.sender} sent by another user`);
      return;
    }
    if (content.sender === session.selfIndex) return;
    session.media.addPeerKey(content.sender, content.generation, fromBase64(content.secret));
  }

  private applyEarlyKeys(): void {
    const waiting = this.earlyKeys.splice(0);
    for (const { from, content } of waiting) this.onKey(from, content);
  }

  /** Sends key messages over Signal, once per user (the messenger encrypts to each of their devices). */
  private sendKeys(messages: readonly GroupKeyMessage[]): void {
    const sent = new Set<string>();
    for (const message of messages) {
      const userId = this.participants.get(message.to)?.userId;
      if (!userId) continue;
      const content: GroupKeyContent = { type: 'group-key', callId: this.callId!, sender: message.sender, generation: Number(message.generation), secret: toBase64(message.secret), reason: message.reason };
      const key = `${userId} ${content.generation}`;
      if (sent.has(key)) continue;
      sent.add(key);
      this.deps.keys.send(userId, content).catch((error: unknown) => this.warn(`a media key could not be sent: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  private async subscribePending(session: NonNullable<GroupCall<M>['session']>): Promise<void> {
    if (this.session !== session) return;
    const wanted = [...this.wantSubscribe].filter((index) => this.participants.has(index) && !session.subscribed.has(index));
    this.wantSubscribe.clear();
    if (wanted.length === 0) return;
    try {
      const answer = await this.deps.sfu.request({ op: 'subscribe', callId: this.callId!, participants: wanted });
      for (const index of wanted) session.subscribed.add(index);
      if (this.session !== session) return;
      await this.answerSubscriberOffer(session, answer.jsep.sdp, answer.streams);
    } catch (error) {
      this.warn(`subscribing failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async answerSubscriberOffer(session: NonNullable<GroupCall<M>['session']>, sdp: string, streams: readonly SfuStream[]): Promise<void> {
    const answerSdp = await session.media.applySubscriberOffer(sdp, streams);
    if (this.session !== session) return;
    await this.deps.sfu.request({ op: 'answer', callId: this.callId!, jsep: { type: 'answer', sdp: answerSdp } });
    session.subscriberReady = true;
    this.flushCandidates(session, 'subscriber');
    this.sendLayers();
  }

  private trickle(session: NonNullable<GroupCall<M>['session']>, pc: 'publisher' | 'subscriber', candidate: unknown): void {
    const ready = pc === 'publisher' ? session.publisherSent : session.subscriberReady;
    if (!ready) {
      session.pendingCandidates.push({ pc, candidate });
      return;
    }
    this.deps.sfu.request({ op: 'trickle', callId: this.callId!, pc, candidate: candidate as never }).catch(() => {});
  }

  private flushCandidates(session: NonNullable<GroupCall<M>['session']>, pc: 'publisher' | 'subscriber'): void {
    const due = session.pendingCandidates.filter((c) => c.pc === pc);
    session.pendingCandidates = session.pendingCandidates.filter((c) => c.pc !== pc);
    for (const { candidate } of due) this.trickle(session, pc, candidate);
  }

  /** Drops the current media and joins again (new index, new keys): after a relay drop, an SFU restart, failed media. */
  private rejoin(why: string): void {
    if (this.phase === 'ended') return;
    this.warn(`joining the call again: ${why}`);
    this.closeSession();
    this.publish({ phase: 'rejoining' });
    void this.serially(() => this.enter());
  }

  private closeSession(): void {
    const session = this.session;
    this.session = null;
    if (!session) return;
    session.trickle.unsubscribe();
    session.keys.dispose();
    this.layersSent.clear();
    session.media.close();
    this.mediaSubject.next(null);
  }

  private end(error: string | null): void {
    if (this.phase === 'ended') return;
    this.closeSession();
    this.subscriptions.unsubscribe();
    this.publish({ phase: 'ended', error });
  }

  private others(): SfuParticipant[] {
    return [...this.participants.values()].filter((p) => p.index !== this.session?.selfIndex);
  }

  private refresh(): void {
    this.publish({});
  }

  private publish(change: Partial<GroupCallSnapshot>): void {
    const selfIndex = change.selfIndex !== undefined ? change.selfIndex : this.snapshot.selfIndex;
    const participants = [...this.participants.values()]
      .sort((a, b) => a.joinedAt - b.joinedAt || a.index - b.index)
      .map((p) => ({
        ...p,
        ...(this.presence.get(p.index) ?? { muted: false, cameraOn: true, handRaised: false }),
        self: p.index === selfIndex,
        talking: this.talking.has(p.index),
        reaction: this.reactions.get(p.index)?.emoji ?? null,
      }));
    this.state.next({ ...this.snapshot, ...change, callId: this.callId, participants });
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

/**
 * The engine's schedule-style clock as the `@parley/clock` Clock the media keys take. Temporary: it
 * goes when the call engine itself runs on `@parley/clock` (the call-engine move).
 */
function asTimerClock(clock: Clock): TimerClock {
  return { now: () => clock.now(), setTimeout: (run, delayMs) => clock.schedule(delayMs, run), clearTimeout: (cancel) => (cancel as () => void)() };
}
