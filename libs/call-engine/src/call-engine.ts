/**
 * The 1:1 call state machine: plain TypeScript and RxJS, no DOM. It talks to the other side only
 * through a `CallSignalingChannel` and to WebRTC only through a `CallMediaSession`, and reads time
 * only from a `Clock` (@parley/clock), so every flow is tested with fakes in milliseconds. Its
 * subscriptions live in scopes: the engine's (a child of the one it is given) and one per call.
 *
 *   caller:  idle → outgoing ──answer──→ connecting ──media connected──→ active → ended
 *   callee:  idle → ringing  ──accept──→ connecting ──media connected──→ active → ended
 *
 * Multi-device: the offer goes to every device of the callee. The device that accepts sends its
 * answer to the caller and `accepted-elsewhere` to its own user; the caller, on the first answer,
 * locks onto that device and sends `accepted-elsewhere` to the callee's user too (so a device that
 * missed its sibling's message, or accepted a moment later, still stops). Signals of a locked call
 * from any other device are ignored.
 *
 * Glare: both users call each other at once. Each side sees the other's offer while its own call is
 * `outgoing` to that same user. The call with the smaller id (plain string comparison, the same on
 * both sides) wins: its caller ignores the other offer; the other caller drops its own call (tells
 * the peer `hangup: glare`, no call entry) and accepts the winning call at once, since both users
 * asked to talk. The winning call's media type (voice or video) applies.
 *
 * Network loss: when an active call's media drops (`disconnected` for RECONNECT_GRACE_MS, or
 * `failed`), the caller restarts ICE (`ice-restart` / `ice-restart-answer`); only the caller does,
 * so the two sides never restart at once. The call shows `reconnecting` meanwhile and fails only if
 * media is not back within RECONNECT_TIMEOUT_MS.
 *
 * Set-up latency: a ringing callee's media session is created at once and prepares the answer
 * (`prepareAnswer`: connection, SFrame worker and transforms, the offer applied) while the user
 * decides; it opens no device and sends nothing until Accept. It is published on `media$` only on
 * Accept, and closed with the call otherwise.
 *
 * Media state: the app tells the engine when this side mutes, turns the camera off or shares a
 * screen (`setLocalMediaState`); the engine sends it as `media-state` once media connects and on
 * every change after, and shows the peer's as `peerMedia`. An older peer never sends it, so
 * `peerMedia` stays null and the UI goes on inferring (an older receiver drops the unknown kind).
 *
 * Candidates: the media session puts the candidates gathered before the offer or answer is sent
 * inside its SDP (one message, not one per candidate); any later ones trickle. The caller keeps
 * trickled candidates until an answer names the device to talk to (it never fans them out to every
 * ringing device), the callee sends its own right after its answer, and received candidates wait
 * until the remote description is applied.
 */
import type { CallEntry, CallMedia, CallOutcome, CallRequest, CallState, Peer } from '@parley/contracts';
import type { Clock } from '@parley/clock';
import type { ObservableScope } from '@parley/event-bus/scope';
import { scheduleIn } from './scoped-timer.js';
import { BehaviorSubject, type Observable, Subject } from 'rxjs';
import type { CallMediaFactory, CallMediaSession, MediaConnectionState, SessionDescription } from './media-port.js';
import type { CallSignalingChannel, IncomingCallSignal, SignalOrigin } from './signaling-channel.js';
import type { CallMediaState, CallSignal, HangupReason, IceCandidateInit } from '@parley/contracts';

/** No answer within this long → missed (caller and callee each time it). */
export const RING_TIMEOUT_MS = 45_000;
/** Accepted but media not connected within this long → failed. */
export const CONNECT_TIMEOUT_MS = 30_000;
/** An active call's media down this long → the caller restarts ICE. */
export const RECONNECT_GRACE_MS = 2_000;
/**
 * Caller: how long after the answer it tells the callee's devices which one has the call. The
 * answering device tells its own other devices at once; this copy is the caller's word for races,
 * sent once the set-up's messages are through rather than among them.
 */
export const ACCEPTED_NOTICE_DELAY_MS = 1_000;
/** An active call's media down this long → failed. */
export const RECONNECT_TIMEOUT_MS = 30_000;

export type CallRole = 'caller' | 'callee';
export type CallEnginePhase = 'idle' | 'outgoing' | 'ringing' | 'connecting' | 'active' | 'ended';

/** The engine's current call, as the UI renders it. */
export interface CallSnapshot {
  readonly phase: CallEnginePhase;
  readonly callId: string | null;
  readonly role: CallRole | null;
  readonly peer: Peer | null;
  readonly conversationId: string | null;
  readonly media: CallMedia | null;
  /** Ringing started, ms. */
  readonly startedAt: number | null;
  /** Media connected, ms: the start of the elapsed time. */
  readonly answeredAt: number | null;
  readonly endedAt: number | null;
  readonly outcome: CallOutcome | null;
  /** Active, but the media connection dropped and is being restored. */
  readonly reconnecting: boolean;
  /** What the peer last said of its media (muted, camera, sharing); null until it does (an older app never does). */
  readonly peerMedia: CallMediaState | null;
}

export const IDLE_SNAPSHOT: CallSnapshot = Object.freeze({
  phase: 'idle',
  callId: null,
  role: null,
  peer: null,
  conversationId: null,
  media: null,
  startedAt: null,
  answeredAt: null,
  endedAt: null,
  outcome: null,
  reconnecting: false,
  peerMedia: null,
});

/** This device. `displayName` goes into offers so the callee's devices can show who calls. */
export interface CallSelf {
  readonly userId: string;
  readonly deviceId: number;
  readonly displayName: string;
}

export interface CallEngineOptions<S extends CallMediaSession> {
  /** The lifetime the engine lives in: when it ends, the engine is disposed. */
  readonly scope: ObservableScope;
  readonly self: CallSelf;
  readonly channel: CallSignalingChannel;
  readonly clock: Clock;
  readonly newCallId: () => string;
  readonly createMedia: CallMediaFactory<S>;
  readonly ringTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Called for trouble that does not change the call (a signal that could not be sent). */
  readonly onWarning?: (message: string) => void;
}

interface LiveCall<S> {
  readonly id: string;
  readonly role: CallRole;
  readonly peer: Peer;
  readonly media: CallMedia;
  readonly startedAt: number;
  /** The peer's device this call talks to: the caller's device for a callee, the answering one for a caller. */
  peerDeviceId: number | null;
  /** Callee: the offer waiting for Accept. */
  offer: SessionDescription | null;
  session: S | null;
  /** Local description done and the peer known: local candidates may go out. */
  localReady: boolean;
  /** Remote description applied: remote candidates may go in. */
  remoteReady: boolean;
  readonly localCandidates: (IceCandidateInit | null)[];
  readonly remoteCandidates: { deviceId: number; candidate: IceCandidateInit | null }[];
  answeredAt: number | null;
  /** The call's subscriptions (its media session's streams): a child of the engine's scope, ended by teardown. */
  readonly scope: ObservableScope;
  cancelTimer: () => void;
  /** Timers of a network loss (restart grace, give-up), and whether an ICE restart is under way. */
  cancelReconnect: () => void;
  restarting: boolean;
  /** This side's media as the app last told it, and as last sent to the peer. */
  localMedia: CallMediaState | null;
  sentMedia: CallMediaState | null;
}

/** Maps the engine's phase to the bus's `call.state` phase (`ringing` is `incoming` there). */
export function toCallState(snapshot: CallSnapshot): CallState {
  if (snapshot.phase === 'idle') return { phase: 'idle', callId: null, conversationId: null, media: null, peer: null };
  return {
    phase: snapshot.phase === 'ringing' ? 'incoming' : snapshot.phase,
    callId: snapshot.callId,
    conversationId: snapshot.conversationId,
    media: snapshot.media,
    peer: snapshot.peer,
  };
}

/** The call state machine of one device. */
export class CallEngine<S extends CallMediaSession = CallMediaSession> {
  private readonly snapshotSubject = new BehaviorSubject<CallSnapshot>(IDLE_SNAPSHOT);
  private readonly entriesSubject = new Subject<CallEntry>();
  private readonly mediaSubject = new BehaviorSubject<S | null>(null);
  /** The engine's own subscriptions: a child of the scope it was given, ended by dispose. */
  private readonly scope: ObservableScope;
  private readonly ringTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private live: LiveCall<S> | null = null;
  private disposed = false;

  /** The current call; every change is a new frozen object. */
  readonly snapshot$: Observable<CallSnapshot> = this.snapshotSubject.asObservable();
  /** Finished calls, one entry each, for the chat. */
  readonly entries$: Observable<CallEntry> = this.entriesSubject.asObservable();
  /** The media session of the current call while it has one (connecting, active; the caller from outgoing). */
  readonly media$: Observable<S | null> = this.mediaSubject.asObservable();

  constructor(private readonly options: CallEngineOptions<S>) {
    this.ringTimeoutMs = options.ringTimeoutMs ?? RING_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.scope = options.scope.child();
    this.scope.bind(options.channel.incoming$, (incoming) => this.receive(incoming));
    // The lifetime it was given is over (the app is being destroyed): as dispose.
    this.scope.onEnd(() => this.dispose());
  }

  get snapshot(): CallSnapshot {
    return this.snapshotSubject.getValue();
  }

  get media(): S | null {
    return this.mediaSubject.getValue();
  }

  /** Starts a call to `request.peer`; false (and nothing happens) while another call is on. */
  call(request: CallRequest): boolean {
    if (this.disposed || this.isBusy()) return false;
    const call = this.newLive(this.options.newCallId(), 'caller', request.peer, request.media, null);
    this.live = call;
    // Media first: the connection, the worker and the devices get going before the UI renders.
    const session = this.attachSession(call);
    const offered = session.createOffer();
    this.publish(call, 'outgoing', { conversationId: request.conversationId });
    call.cancelTimer = scheduleIn(call.scope, this.options.clock, this.ringTimeoutMs, () => {
      if (this.live !== call || this.snapshot.phase !== 'outgoing') return;
      this.sendTo(call.peer.userId, call.id, { kind: 'hangup', reason: 'timeout' });
      this.end(call, 'missed');
    });
    this.mediaSubject.next(session);
    void offered.then(
      async (offer) => {
        if (this.live !== call) return;
        call.localReady = false; // until an answer names the device
        try {
          await this.options.channel.send(call.peer.userId, {
            callId: call.id,
            signal: { kind: 'offer', media: call.media, sdp: offer.sdp, callerName: this.options.self.displayName, key: offer.key },
          });
        } catch (error) {
          if (this.live === call) this.end(call, 'failed');
          this.warn(`offer not sent: ${describe(error)}`);
        }
      },
      (error) => {
        this.warn(`could not start media: ${describe(error)}`);
        if (this.live === call) this.end(call, 'failed');
      },
    );
    return true;
  }

  /** Callee: takes the ringing call on this device. */
  accept(): void {
    const call = this.live;
    if (!call || call.role !== 'callee' || this.snapshot.phase !== 'ringing' || !call.offer) return;
    const offer = call.offer;
    const session = call.session ?? this.attachSession(call);
    // Opening the microphone and camera and answering start before the UI changes: the first audio
    // the caller hears waits for this side's microphone to open.
    const answering = session.acceptOffer(offer);
    // The connect timer starts once the answer is out: opening the microphone and camera may wait
    // on the browser's permission prompt for as long as the user takes.
    this.enterConnecting(call, { startTimer: false });
    this.mediaSubject.next(session);
    void answering.then(
      async (answer) => {
        if (this.live !== call) return;
        call.remoteReady = true;
        this.flushRemoteCandidates(call);
        try {
          await this.options.channel.send(call.peer.userId, { callId: call.id, signal: { kind: 'answer', sdp: answer.sdp, key: answer.key } });
        } catch (error) {
          this.warn(`answer not sent: ${describe(error)}`);
          if (this.live === call) this.end(call, 'failed');
          return;
        }
        this.sendTo(this.options.self.userId, call.id, { kind: 'accepted-elsewhere', deviceId: this.options.self.deviceId });
        if (this.live !== call) return;
        if (this.snapshot.phase === 'connecting') this.startConnectTimer(call);
        call.localReady = true;
        this.flushLocalCandidates(call);
      },
      (error) => {
        this.warn(`could not answer: ${describe(error)}`);
        if (this.live !== call) return;
        this.sendTo(call.peer.userId, call.id, { kind: 'hangup', reason: 'failed' });
        this.end(call, 'failed');
      },
    );
  }

  /** Callee: refuses the ringing call (the caller sees "declined"; this user's other devices stop). */
  decline(): void {
    const call = this.live;
    if (!call || call.role !== 'callee' || this.snapshot.phase !== 'ringing') return;
    this.sendTo(call.peer.userId, call.id, { kind: 'decline' });
    this.end(call, 'declined');
  }

  /** Ends the call from this side: cancels an unanswered outgoing call, declines a ringing one. */
  hangUp(): void {
    const call = this.live;
    if (!call) return;
    switch (this.snapshot.phase) {
      case 'outgoing':
        this.sendTo(call.peer.userId, call.id, { kind: 'hangup', reason: 'cancelled' });
        this.end(call, 'cancelled');
        return;
      case 'ringing':
        this.decline();
        return;
      case 'connecting':
      case 'active':
        this.sendTo(call.peer.userId, call.id, { kind: 'hangup', reason: 'hung-up' });
        this.end(call, 'hung-up');
        return;
      default:
        return;
    }
  }

  /**
   * This side's microphone, camera and screen sharing, as the controls show them: the app calls it on
   * every change (and once when the call's media exists). Sent to the peer once media connects and on
   * every change after.
   */
  setLocalMediaState(state: CallMediaState): void {
    const call = this.live;
    if (!call || this.snapshot.phase === 'ended') return;
    call.localMedia = { muted: state.muted, cameraOn: state.cameraOn, sharing: state.sharing };
    this.sendMediaState(call);
  }

  /** Leaves the "call ended" screen. */
  dismiss(): void {
    if (this.snapshot.phase !== 'ended') return;
    this.live = null;
    this.snapshotSubject.next(IDLE_SNAPSHOT);
  }

  /** Hangs up whatever is on and stops listening (the app is being destroyed). */
  dispose(): void {
    if (this.disposed) return;
    // A call ringing here is not declined (the user's other devices keep ringing); anything else ends.
    if (this.live && this.snapshot.phase === 'ringing') this.end(this.live, 'missed');
    else this.hangUp();
    this.disposed = true;
    if (this.live) this.teardown(this.live);
    this.scope.end();
    this.snapshotSubject.complete();
    this.entriesSubject.complete();
    this.mediaSubject.complete();
  }

  // ---- incoming signals ----

  private receive({ from, callId, signal }: IncomingCallSignal): void {
    if (this.disposed) return;
    const self = this.options.self;
    if (from.userId === self.userId && from.deviceId === self.deviceId) return;
    if (signal.kind === 'offer') {
      this.receiveOffer(from, callId, signal);
      return;
    }
    const call = this.live;
    if (!call || call.id !== callId || this.snapshot.phase === 'ended') return;
    const fromPeer = from.userId === call.peer.userId;
    const fromPeerDevice = fromPeer && (call.peerDeviceId === null || call.peerDeviceId === from.deviceId);
    switch (signal.kind) {
      case 'answer':
        if (call.role === 'caller' && fromPeer) this.receiveAnswer(call, from, { sdp: signal.sdp, key: signal.key });
        return;
      case 'ice':
        if (!fromPeer) return;
        call.remoteCandidates.push({ deviceId: from.deviceId, candidate: signal.candidate });
        this.flushRemoteCandidates(call);
        return;
      case 'decline':
        if (call.role === 'caller' && fromPeer && this.snapshot.phase === 'outgoing') {
          this.sendTo(call.peer.userId, call.id, { kind: 'hangup', reason: 'declined' });
          this.end(call, 'declined');
        }
        return;
      case 'busy':
        if (call.role === 'caller' && fromPeer && this.snapshot.phase === 'outgoing') {
          this.sendTo(call.peer.userId, call.id, { kind: 'hangup', reason: 'busy' });
          this.end(call, 'busy');
        }
        return;
      case 'hangup':
        if (fromPeerDevice) this.receiveHangup(call, signal.reason);
        return;
      case 'accepted-elsewhere':
        // A sibling that accepted stops our ringing. Once we accepted too, only the caller's word
        // (which answer it kept) counts, or two devices accepting at once would both give up.
        if (call.role !== 'callee' || signal.deviceId === self.deviceId) return;
        if (this.snapshot.phase === 'ringing' && (from.userId === self.userId || fromPeerDevice)) this.end(call, 'answered-elsewhere');
        else if (this.snapshot.phase === 'connecting' && fromPeerDevice) this.end(call, 'answered-elsewhere');
        return;
      case 'media-key':
        if (fromPeerDevice && call.session) void call.session.addPeerKey(signal.key).catch((error) => this.warn(`peer key rejected: ${describe(error)}`));
        return;
      case 'media-state':
        if (fromPeerDevice && (this.snapshot.phase === 'connecting' || this.snapshot.phase === 'active')) {
          this.publish(call, this.snapshot.phase, { peerMedia: { muted: signal.muted, cameraOn: signal.cameraOn, sharing: signal.sharing } });
        }
        return;
      case 'ice-restart':
        if (call.role === 'callee' && fromPeerDevice && this.snapshot.phase === 'active') this.answerIceRestart(call, signal.sdp);
        return;
      case 'ice-restart-answer':
        if (call.role === 'caller' && fromPeerDevice && call.restarting && call.session) {
          const session = call.session;
          void session.acceptIceRestartAnswer(signal.sdp).then(
            () => {
              if (this.live !== call) return;
              call.restarting = false;
              call.remoteReady = true;
              this.flushRemoteCandidates(call);
            },
            (error) => {
              call.restarting = false;
              this.warn(`ICE restart answer rejected: ${describe(error)}`);
            },
          );
        }
        return;
    }
  }

  private receiveOffer(from: SignalOrigin, callId: string, offer: Extract<CallSignal, { kind: 'offer' }>): void {
    if (from.userId === this.options.self.userId) return; // our own devices never call us
    const current = this.live;
    if (current?.id === callId) return; // a duplicate
    if (current && this.isBusy()) {
      if (current.role === 'caller' && this.snapshot.phase === 'outgoing' && current.peer.userId === from.userId) {
        if (current.id < callId) return; // glare, and our call wins: the peer will accept ours
        this.sendTo(current.peer.userId, current.id, { kind: 'hangup', reason: 'glare' });
        this.teardown(current);
        this.ring(from, callId, offer);
        this.accept();
        return;
      }
      this.sendTo(from.userId, callId, { kind: 'busy' });
      this.entriesSubject.next({
        callId,
        conversationId: from.userId,
        peer: { userId: from.userId, displayName: offer.callerName },
        direction: 'incoming',
        media: offer.media,
        outcome: 'missed',
        startedAt: this.options.clock.now(),
        durationMs: null,
      });
      return;
    }
    this.ring(from, callId, offer);
  }

  private ring(from: SignalOrigin, callId: string, offer: Extract<CallSignal, { kind: 'offer' }>): void {
    const peer: Peer = { userId: from.userId, displayName: offer.callerName };
    const call = this.newLive(callId, 'callee', peer, offer.media, from.deviceId);
    call.offer = { sdp: offer.sdp, key: offer.key };
    this.live = call;
    // Preparing the answer starts before the incoming call renders: a quick Accept finds it further on.
    this.attachSession(call).prepareAnswer(call.offer);
    // For a 1:1 chat the conversation id is the peer's user id (libs/messenger).
    this.publish(call, 'ringing', { conversationId: from.userId });
    call.cancelTimer = scheduleIn(call.scope, this.options.clock, this.ringTimeoutMs, () => {
      if (this.live === call && this.snapshot.phase === 'ringing') this.end(call, 'missed');
    });
  }

  private receiveAnswer(call: LiveCall<S>, from: SignalOrigin, answer: SessionDescription): void {
    if (call.peerDeviceId !== null) {
      // A second device accepted too: tell it (and the rest) who has the call.
      if (from.deviceId !== call.peerDeviceId) this.sendTo(call.peer.userId, call.id, { kind: 'accepted-elsewhere', deviceId: call.peerDeviceId });
      return;
    }
    if (this.snapshot.phase !== 'outgoing' || !call.session) return;
    call.peerDeviceId = from.deviceId;
    // The answer goes to WebRTC first: neither the UI (the connecting state) nor encrypting the
    // messages below may delay connecting.
    const session = call.session;
    const applied = session.acceptAnswer(answer);
    this.enterConnecting(call, { startTimer: true });
    // The engine's, not the call's: the notice goes even if the call ends meanwhile, only not after dispose.
    scheduleIn(this.scope, this.options.clock, ACCEPTED_NOTICE_DELAY_MS, () => this.sendTo(call.peer.userId, call.id, { kind: 'accepted-elsewhere', deviceId: from.deviceId }));
    call.localReady = true;
    this.flushLocalCandidates(call);
    void applied.then(
      () => {
        if (this.live !== call) return;
        call.remoteReady = true;
        this.flushRemoteCandidates(call);
      },
      (error) => {
        this.warn(`answer rejected: ${describe(error)}`);
        if (this.live !== call) return;
        this.sendTo(call.peer.userId, call.id, { kind: 'hangup', reason: 'failed' });
        this.end(call, 'failed');
      },
    );
  }

  private receiveHangup(call: LiveCall<S>, reason: HangupReason): void {
    const phase = this.snapshot.phase;
    if (phase === 'ringing') {
      if (reason === 'glare') {
        // The caller dropped this call for ours: nothing was missed.
        this.teardown(call);
        this.live = null;
        this.snapshotSubject.next(IDLE_SNAPSHOT);
        return;
      }
      this.end(call, reason === 'declined' ? 'declined' : 'missed');
      return;
    }
    this.end(call, reason === 'failed' ? 'failed' : 'hung-up');
  }

  // ---- media ----

  private attachSession(call: LiveCall<S>): S {
    const session = this.options.createMedia({ callId: call.id, role: call.role, media: call.media, peer: call.peer });
    call.session = session;
    call.scope.bind(session.localCandidates$, (candidate) => {
      call.localCandidates.push(candidate);
      this.flushLocalCandidates(call);
    });
    call.scope.bind(session.connection$, (state) => this.mediaConnection(call, state));
    if (session.localMediaFailed$) {
      call.scope.bind(session.localMediaFailed$, (error) => {
        if (this.live !== call || this.snapshot.phase === 'ended') return;
        this.warn(`could not open the microphone or camera: ${describe(error)}`);
        this.sendTo(call.peer.userId, call.id, { kind: 'hangup', reason: 'failed' });
        this.end(call, 'failed');
      });
    }
    return session;
  }

  private mediaConnection(call: LiveCall<S>, state: MediaConnectionState): void {
    if (this.live !== call) return;
    const phase = this.snapshot.phase;
    if (phase !== 'connecting' && phase !== 'active') return;
    switch (state) {
      case 'connected':
        if (phase === 'connecting') {
          call.cancelTimer();
          call.answeredAt = this.options.clock.now();
          this.publish(call, 'active', { answeredAt: call.answeredAt });
          this.sendMediaState(call);
        } else if (this.snapshot.reconnecting) {
          call.cancelReconnect();
          call.cancelReconnect = () => {};
          this.publish(call, 'active', { reconnecting: false });
        }
        return;
      case 'disconnected':
        if (phase === 'active') this.mediaLost(call, false);
        return;
      case 'failed':
        if (phase === 'active') {
          this.mediaLost(call, true);
          return;
        }
        this.sendTo(call.peer.userId, call.id, { kind: 'hangup', reason: 'failed' });
        this.end(call, 'failed');
        return;
      case 'connecting':
        return;
    }
  }

  /** Media of an active call went down: show it, restart ICE (caller), give up after a while. */
  private mediaLost(call: LiveCall<S>, failed: boolean): void {
    if (!this.snapshot.reconnecting) {
      this.publish(call, 'active', { reconnecting: true });
      const clock = this.options.clock;
      const cancelGrace = call.role === 'caller' ? scheduleIn(call.scope, clock, RECONNECT_GRACE_MS, () => this.restartIce(call)) : () => {};
      const cancelGiveUp = scheduleIn(call.scope, clock, RECONNECT_TIMEOUT_MS, () => {
        if (this.live !== call || !this.snapshot.reconnecting) return;
        this.sendTo(call.peer.userId, call.id, { kind: 'hangup', reason: 'failed' });
        this.end(call, 'failed');
      });
      call.cancelReconnect = () => {
        cancelGrace();
        cancelGiveUp();
      };
    }
    // ICE gave up on its own: no point waiting out the grace period.
    if (failed) this.restartIce(call);
  }

  private restartIce(call: LiveCall<S>): void {
    if (this.live !== call || call.role !== 'caller' || call.restarting || !call.session || !this.snapshot.reconnecting) return;
    call.restarting = true;
    call.remoteReady = false;
    const session = call.session;
    void session.restartIce().then(
      (sdp) => {
        if (this.live === call) this.sendTo(call.peer.userId, call.id, { kind: 'ice-restart', sdp });
      },
      (error) => {
        call.restarting = false;
        this.warn(`ICE restart failed: ${describe(error)}`);
      },
    );
  }

  private answerIceRestart(call: LiveCall<S>, sdp: string): void {
    if (!call.session) return;
    call.remoteReady = false;
    const session = call.session;
    void session.acceptIceRestart(sdp).then(
      (answer) => {
        if (this.live !== call) return;
        this.sendTo(call.peer.userId, call.id, { kind: 'ice-restart-answer', sdp: answer });
        call.remoteReady = true;
        this.flushRemoteCandidates(call);
      },
      (error) => this.warn(`ICE restart offer rejected: ${describe(error)}`),
    );
  }

  /** Tells the peer this side's media state, once connected and only when it changed since last told. */
  private sendMediaState(call: LiveCall<S>): void {
    const state = call.localMedia;
    if (this.live !== call || this.snapshot.phase !== 'active' || !state || sameMediaState(state, call.sentMedia)) return;
    call.sentMedia = state;
    this.sendTo(call.peer.userId, call.id, { kind: 'media-state', ...state });
  }

  private flushLocalCandidates(call: LiveCall<S>): void {
    if (!call.localReady || this.live !== call) return;
    for (const candidate of call.localCandidates.splice(0)) this.sendTo(call.peer.userId, call.id, { kind: 'ice', candidate });
  }

  private flushRemoteCandidates(call: LiveCall<S>): void {
    if (!call.remoteReady || !call.session || call.peerDeviceId === null) return;
    const session = call.session;
    const ready = call.remoteCandidates.splice(0);
    for (const { deviceId, candidate } of ready) {
      if (deviceId !== call.peerDeviceId) continue; // a device that lost the race
      void session.addRemoteCandidate(candidate).catch((error) => this.warn(`candidate rejected: ${describe(error)}`));
    }
  }

  // ---- state ----

  private isBusy(): boolean {
    const phase = this.snapshot.phase;
    return phase === 'outgoing' || phase === 'ringing' || phase === 'connecting' || phase === 'active';
  }

  private newLive(id: string, role: CallRole, peer: Peer, media: CallMedia, peerDeviceId: number | null): LiveCall<S> {
    return {
      id,
      role,
      peer,
      media,
      startedAt: this.options.clock.now(),
      peerDeviceId,
      offer: null,
      session: null,
      localReady: false,
      remoteReady: false,
      localCandidates: [],
      remoteCandidates: [],
      answeredAt: null,
      scope: this.scope.child(),
      cancelTimer: () => {},
      cancelReconnect: () => {},
      restarting: false,
      localMedia: null,
      sentMedia: null,
    };
  }

  private enterConnecting(call: LiveCall<S>, { startTimer }: { startTimer: boolean }): void {
    call.cancelTimer();
    call.cancelTimer = () => {};
    this.publish(call, 'connecting');
    if (startTimer) this.startConnectTimer(call);
  }

  private startConnectTimer(call: LiveCall<S>): void {
    call.cancelTimer = scheduleIn(call.scope, this.options.clock, this.connectTimeoutMs, () => {
      if (this.live !== call || this.snapshot.phase !== 'connecting') return;
      this.sendTo(call.peer.userId, call.id, { kind: 'hangup', reason: 'failed' });
      this.end(call, 'failed');
    });
  }

  private publish(call: LiveCall<S>, phase: CallEnginePhase, extra: Partial<CallSnapshot> = {}): void {
    const previous = this.snapshot.callId === call.id ? this.snapshot : IDLE_SNAPSHOT;
    this.snapshotSubject.next(
      Object.freeze({
        ...previous,
        phase,
        callId: call.id,
        role: call.role,
        peer: call.peer,
        media: call.media,
        startedAt: call.startedAt,
        answeredAt: call.answeredAt,
        ...extra,
      }),
    );
  }

  /** Stops timers, subscriptions and media of a call, without publishing anything. */
  private teardown(call: LiveCall<S>): void {
    call.cancelTimer();
    call.cancelReconnect();
    call.scope.end();
    call.session?.close();
    if (this.mediaSubject.getValue() === call.session && !this.mediaSubject.closed) this.mediaSubject.next(null);
  }

  private end(call: LiveCall<S>, outcome: CallOutcome): void {
    if (this.live !== call || this.snapshot.phase === 'ended') return;
    this.teardown(call);
    const endedAt = this.options.clock.now();
    const durationMs = call.answeredAt === null ? null : endedAt - call.answeredAt;
    const conversationId = this.snapshot.conversationId ?? call.peer.userId;
    this.publish(call, 'ended', { outcome, endedAt, reconnecting: false });
    this.entriesSubject.next({
      callId: call.id,
      conversationId,
      peer: call.peer,
      direction: call.role === 'caller' ? 'outgoing' : 'incoming',
      media: call.media,
      outcome,
      startedAt: call.startedAt,
      durationMs,
    });
  }

  private sendTo(toUserId: string, callId: string, signal: CallSignal): void {
    this.options.channel.send(toUserId, { callId, signal }).catch((error) => this.warn(`${signal.kind} not sent: ${describe(error)}`));
  }

  private warn(message: string): void {
    this.options.onWarning?.(message);
  }
}

function sameMediaState(a: CallMediaState, b: CallMediaState | null): boolean {
  return !!b && a.muted === b.muted && a.cameraOn === b.cameraOn && a.sharing === b.sharing;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
