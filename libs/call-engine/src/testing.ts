/** Fakes for the call engine's collaborators: a signaling network of devices and a media session. */
import { Subject } from 'rxjs';
import type { CallMediaInit, CallMediaSession, MediaConnectionState, SessionDescription } from './media-port.js';
import type { CallSignalingChannel, IncomingCallSignal, OutgoingCallSignal, SignalOrigin } from './signaling-channel.js';
import type { IceCandidateInit, MediaKeyGrant } from '@parley/contracts';

/** One message as the fake network carried it. */
export interface CarriedSignal extends IncomingCallSignal {
  readonly to: SignalOrigin;
}

/**
 * Devices of several users. `send(toUserId, …)` reaches every device of that user except the
 * sender itself, asynchronously (a microtask), like the messenger's fan-out.
 */
export class FakeSignalingNetwork {
  private readonly devices = new Map<string, { origin: SignalOrigin; incoming: Subject<IncomingCallSignal>; online: boolean }>();
  /** Everything delivered, in order. */
  readonly log: CarriedSignal[] = [];

  channel(userId: string, deviceId: number): CallSignalingChannel {
    const origin = { userId, deviceId };
    const incoming = new Subject<IncomingCallSignal>();
    this.devices.set(`${userId}/${deviceId}`, { origin, incoming, online: true });
    return {
      send: async (toUserId: string, message: OutgoingCallSignal) => {
        await Promise.resolve();
        if (!this.devices.get(`${userId}/${deviceId}`)?.online) return;
        for (const device of this.devices.values()) {
          if (device.origin.userId !== toUserId || (toUserId === userId && device.origin.deviceId === deviceId) || !device.online) continue;
          const carried = { ...message, from: origin, to: device.origin };
          this.log.push(carried);
          device.incoming.next({ ...message, from: origin });
        }
      },
      incoming$: incoming.asObservable(),
    };
  }

  /** Takes a device off the network: what it sends is lost and nothing reaches it. */
  cut(userId: string, deviceId: number): void {
    const device = this.devices.get(`${userId}/${deviceId}`);
    if (device) device.online = false;
  }

  /** Whether anything still listens to what reaches this device: after its app is gone, nothing may. */
  listened(userId: string, deviceId: number): boolean {
    return this.devices.get(`${userId}/${deviceId}`)?.incoming.observed ?? false;
  }

  /** Signals of one kind in the log. */
  kinds(kind: string): CarriedSignal[] {
    return this.log.filter((carried) => carried.signal.kind === kind);
  }
}

const SECRET = 'A'.repeat(43) + '=';

/**
 * A media session that connects as soon as both descriptions are applied (or never, when told to
 * stay down), records what it was given, and can be driven by hand.
 */
export class FakeCallMedia implements CallMediaSession {
  readonly localCandidates$ = new Subject<IceCandidateInit | null>();
  readonly connection$ = new Subject<MediaConnectionState>();
  /** Emit to play a microphone or camera that failed to open after the offer or answer went out. */
  readonly localMediaFailed$ = new Subject<Error>();
  readonly remoteCandidates: (IceCandidateInit | null)[] = [];
  readonly peerKeys: MediaKeyGrant[] = [];
  /** The offer prepared while ringing, and whether Accept answered it (opened the devices). */
  prepared: SessionDescription | null = null;
  /** Whether anything still watches this session's streams: once its call is over, nothing may. */
  get watched(): boolean {
    return this.localCandidates$.observed || this.connection$.observed || this.localMediaFailed$.observed;
  }
  answered = false;
  closed = false;

  constructor(
    readonly init: CallMediaInit,
    private readonly behaviour: { autoConnect: boolean; failOffer?: boolean; mediaOpened?: Promise<void> },
  ) {}

  private key(): MediaKeyGrant {
    return { suite: 4, generation: 0, secret: SECRET };
  }

  private candidate(n: number): IceCandidateInit {
    return { candidate: `candidate:${n} 1 udp 1 127.0.0.1 ${5000 + n} typ host (${this.init.role})`, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null };
  }

  async createOffer(): Promise<SessionDescription> {
    if (this.behaviour.failOffer) throw new Error('camera denied');
    queueMicrotask(() => this.localCandidates$.next(this.candidate(1)));
    return { sdp: `offer-sdp ${this.init.callId}`, key: this.key() };
  }

  prepareAnswer(offer: SessionDescription): void {
    this.prepared = offer;
  }

  async acceptOffer(offer: SessionDescription): Promise<SessionDescription> {
    this.answered = true;
    await this.behaviour.mediaOpened; // e.g. the browser's permission prompt
    this.peerKeys.push(offer.key);
    queueMicrotask(() => this.localCandidates$.next(this.candidate(2)));
    if (this.behaviour.autoConnect) setTimeout(() => this.connection$.next('connected'), 0);
    return { sdp: `answer-sdp ${this.init.callId}`, key: this.key() };
  }

  async acceptAnswer(answer: SessionDescription): Promise<void> {
    this.peerKeys.push(answer.key);
    if (this.behaviour.autoConnect) setTimeout(() => this.connection$.next('connected'), 0);
  }

  async addRemoteCandidate(candidate: IceCandidateInit | null): Promise<void> {
    this.remoteCandidates.push(candidate);
  }

  /** ICE restarts this session took part in. */
  readonly restarts: string[] = [];

  async restartIce(): Promise<string> {
    this.restarts.push('offer');
    return `restart-offer ${this.init.callId}`;
  }

  async acceptIceRestart(sdp: string): Promise<string> {
    this.restarts.push(sdp);
    if (this.behaviour.autoConnect) setTimeout(() => this.connection$.next('connected'), 0);
    return `restart-answer ${this.init.callId}`;
  }

  async acceptIceRestartAnswer(sdp: string): Promise<void> {
    this.restarts.push(sdp);
    if (this.behaviour.autoConnect) setTimeout(() => this.connection$.next('connected'), 0);
  }

  async addPeerKey(key: MediaKeyGrant): Promise<void> {
    this.peerKeys.push(key);
  }

  close(): void {
    this.closed = true;
  }
}

/** Lets queued microtasks and zero-delay timers (the fake network, fake media) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
