/**
 * A group-call participant run by Node instead of a browser, for load: a real account (keys made
 * through the accounts API), the real relay client and messenger over `ws`, and werift for WebRTC
 * to Janus. It joins a call through the same SFU requests as the call app (libs/contracts sfu.ts),
 * publishes a pre-encoded clip (Opus + small VP8) SFrame-encrypted with its own sender key, answers
 * the SFU's key-frame requests (PLI, FIR) with the clip's next key frame, subscribes to a few
 * feeds, and sends its sender key to the participants' users over Signal (`group-key` content).
 *
 * A bot never ratchets or rotates: it keeps generation 0 and gives that same key to newcomers
 * (reason 'initial'), which receivers accept like any first key. It decrypts nothing it receives:
 * it only counts the RTP it gets, which is what loads the SFU.
 */
import type { CallSignalingContent, GroupKeyContent, SfuAnswers, SfuEvent, SfuParticipant, SfuRequest, SfuStream } from '@parley/contracts';
import { EventBus } from '@parley/event-bus';
import { TrackSlot, generateSenderSecret, isVp8KeyFrame } from '@parley/media-e2ee';
import { fromBase64, toBase64 } from '@parley/bytes';
import { InMemoryHistoryStore, MessengerClient, ParleyApiClient, type SessionCredentials, createAccount } from '@parley/messenger';
import { InMemorySignalProtocolStore } from '@parley/signal-protocol';
import { RelayClient, type RelaySocketConstructor } from '@parley/signaling';
import type { Subscription } from 'rxjs';
import {
  MediaStreamTrack,
  OpusPacketizer,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpSender,
  RtcpPayloadSpecificFeedback,
  type RtpPacket,
  Vp8Packetizer,
  useFIR,
  useNACK,
  usePLI,
} from 'werift';
import { WebSocket } from 'ws';
import { FrameLoop } from './frame-loop.js';
import type { MediaClip } from './media-clip.js';
import { type MediaTicker, sharedTicker } from './media-ticker.js';
import { type DecryptCounts, ReceivedMediaCheck } from './received-media.js';
import { TrackEncryptor } from './track-encryptor.js';

/** Where the bot's server is. */
export interface BotServer {
  /** The API origin, e.g. `http://127.0.0.1:43123` (the relay is at `/ws` on it). */
  readonly api: string;
}

export interface GroupCallBotOptions {
  readonly server: BotServer;
  readonly handle: string;
  readonly displayName?: string;
  readonly clip: MediaClip;
  /** How many others' feeds to receive (the first publishers in join order); default 2. */
  readonly subscribeTo?: number;
  /** Simulcast layer asked for the received video (0 lowest … 2 highest), as thumbnails do; default 0. */
  readonly substream?: 0 | 1 | 2;
  /** Which participants get this bot's key; default everyone (a bench may skip other bots, which decrypt nothing). */
  readonly sendKeyTo?: (participant: SfuParticipant) => boolean;
  readonly ticker?: MediaTicker;
  /** Reassemble and decrypt what it receives with the keys others send it (tests: costs CPU). */
  readonly checkReceived?: boolean;
  /** Something went wrong that does not stop the bot. */
  readonly onWarning?: (message: string) => void;
}

/** What a bot did in its call, for a benchmark's table. */
export interface BotReport {
  readonly index: number | null;
  /** `join` request → publisher connection up (when Janus reports it published), ms. */
  readonly joinMs: number | null;
  readonly published: boolean;
  readonly framesSent: { readonly audio: number; readonly video: number };
  readonly keyFramesRequested: number;
  readonly subscribedTo: readonly number[];
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  readonly keysSent: number;
  readonly encryptFailures: number;
  /** With `checkReceived`: received frames that decrypted with the senders' keys, and those that did not. */
  readonly decrypted?: { readonly audio: DecryptCounts; readonly video: DecryptCounts };
}

/** Why a bot could not do what it was asked. */
export class BotError extends Error {
  constructor(
    readonly code: 'no-ring' | 'not-in-call' | 'publish-failed' | 'sfu-refused',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BotError';
  }
}

/** RTP payload types offered (Janus answers with the same); werift rewrites each packet's type anyway. */
const OPUS = () => new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: 111 });
const VP8 = () => new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, payloadType: 96, rtcpFeedback: [useNACK(), usePLI(), useFIR()] });
/** RTCP payload-specific feedback format of a Full Intra Request (RFC 5104 §4.3.1). */
const FIR_FORMAT = 4;
/** Room for SRTP and header extensions under a 1,280-byte path MTU. */
const MAX_RTP_PAYLOAD = 1_100;

interface CallState {
  readonly callId: string;
  readonly self: SfuParticipant;
  readonly participants: Map<number, SfuParticipant>;
  readonly keyedUsers: Set<string>;
  readonly secret: Uint8Array;
  publisher: RTCPeerConnection | null;
  subscriber: RTCPeerConnection | null;
  subscribed: Set<number>;
  stopTracks: (() => void)[];
}

/** How often a failed subscription is tried again before the bot gives up on those feeds. */
const SUBSCRIBE_RETRIES = 4;

export class GroupCallBot {
  private call: CallState | null = null;
  /**
   * Events of the call being joined that arrive before the join's answer (someone publishing at that
   * moment): kept and applied once the call state exists, or the bot would never subscribe to them.
   */
  private eventsWhileJoining: { callId: string; events: SfuEvent[] } | null = null;
  private readonly subscriptions: Subscription[] = [];
  private readonly rings: { callId: string; from: string }[] = [];
  private readonly ringWaiters: ((ring: { callId: string; from: string }) => void)[] = [];
  private stats = { joinMs: null as number | null, published: false, audio: 0, video: 0, keyFrames: 0, packets: 0, bytes: 0, keys: 0, encryptFailures: 0 };
  private subscribing: Promise<void> = Promise.resolve();
  private readonly received: ReceivedMediaCheck | null;

  private constructor(
    readonly credentials: SessionCredentials,
    private readonly relay: RelayClient,
    private readonly messenger: MessengerClient,
    private readonly bus: EventBus,
    private readonly options: GroupCallBotOptions,
  ) {
    this.received = options.checkReceived ? new ReceivedMediaCheck() : null;
    this.subscriptions.push(
      bus.on('content.group-key').subscribe(({ content }) => {
        if (!this.call || content.callId === this.call.callId) this.received?.addKey(content.sender, content.generation, fromBase64(content.secret));
      }),
      bus.on('content.call-signaling').subscribe(({ from, content }) => this.onSignal(from.userId, content)),
      relay.sfuEvents$.subscribe((frame) => {
        if (frame.callId === this.call?.callId) this.onEvent(this.call, frame.event);
        else if (frame.callId === this.eventsWhileJoining?.callId) this.eventsWhileJoining.events.push(frame.event);
      }),
    );
  }

  /** Registers a new account (a few one-time prekeys: browsers open sessions with it) and connects it. */
  static async start(options: GroupCallBotOptions): Promise<GroupCallBot> {
    const api = new ParleyApiClient({ baseUrl: options.server.api, fetch: (input, init) => fetch(input, init) });
    const setup = await createAccount({
      api,
      createStore: (identity, registrationId) => new InMemorySignalProtocolStore(identity, registrationId),
      handle: options.handle,
      displayName: options.displayName ?? options.handle,
      preKeyCounts: { oneTimePreKeys: 8, kyberOneTimePreKeys: 4 },
    });
    const credentials = setup.credentials;
    const authed = new ParleyApiClient({ baseUrl: options.server.api, fetch: (input, init) => fetch(input, init), token: credentials.token });
    const bus = new EventBus();
    let messenger: MessengerClient | null = null;
    const relay = new RelayClient({
      url: `${options.server.api.replace(/^http/, 'ws')}/ws`,
      token: () => credentials.token,
      bus,
      decrypt: (frame) => messenger!.decrypt(frame),
      onControlFrame: (frame) => messenger!.handleControlFrame(frame),
      WebSocketImpl: WebSocket as unknown as RelaySocketConstructor,
    });
    messenger = await MessengerClient.open({
      self: { userId: credentials.userId, deviceId: credentials.deviceId, handle: credentials.handle, displayName: credentials.displayName },
      api: authed,
      store: setup.store,
      history: new InMemoryHistoryStore(),
      relay,
    });
    relay.connect();
    await waitUntil(() => relay.status.value === 'open', 20_000, `the relay did not open for ${options.handle}`);
    return new GroupCallBot(credentials, relay, messenger, bus, options);
  }

  get userId(): string {
    return this.credentials.userId;
  }

  get handle(): string {
    return this.credentials.handle;
  }

  /** The call id of the next (or an already received) group ring, e.g. from a browser's "Start group call". */
  nextRing(timeoutMs = 30_000): Promise<{ callId: string; from: string }> {
    const ring = this.rings.shift();
    if (ring) return Promise.resolve(ring);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.ringWaiters.splice(this.ringWaiters.indexOf(waiter), 1);
        reject(new BotError('no-ring', `${this.handle} got no group ring within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (r: { callId: string; from: string }) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.ringWaiters.push(waiter);
    });
  }

  /** Opens a call inviting these users (this bot joins it with `join`). */
  async create(invitees: readonly string[]): Promise<string> {
    const { callId } = await this.sfu({ op: 'create', invitees: [...invitees] });
    return callId;
  }

  /** Invites more users to the call this bot is in. */
  async invite(invitees: readonly string[]): Promise<void> {
    const call = this.requireCall();
    await this.sfu({ op: 'invite', callId: call.callId, invitees: [...invitees] });
  }

  /**
   * Joins the call, publishes and resolves once the publisher connection is up (Janus then tells
   * the others this bot publishes); subscriptions follow in the background.
   */
  async join(callId: string, timeoutMs = 20_000): Promise<void> {
    if (this.call) throw new BotError('sfu-refused', `${this.handle} is already in call ${this.call.callId}`);
    const started = performance.now();
    this.eventsWhileJoining = { callId, events: [] };
    let answer: SfuAnswers['join'];
    try {
      answer = await this.sfu({ op: 'join', callId });
    } catch (error) {
      this.eventsWhileJoining = null;
      throw error;
    }
    const call: CallState = {
      callId,
      self: answer.self,
      participants: new Map(answer.participants.map((p) => [p.index, p])),
      keyedUsers: new Set(),
      secret: generateSenderSecret(),
      publisher: null,
      subscriber: null,
      subscribed: new Set(),
      stopTracks: [],
    };
    this.call = call;
    const early = this.eventsWhileJoining.events;
    this.eventsWhileJoining = null;
    for (const event of early) this.onEvent(call, event);
    this.sendKeys(call, answer.participants);
    await this.publish(call, timeoutMs);
    this.stats.joinMs = performance.now() - started;
    this.stats.published = true;
    this.subscribeMore(call);
  }

  /** Leaves the call (stops media, tells the SFU). */
  async leave(): Promise<void> {
    const call = this.call;
    if (!call) return;
    this.call = null;
    for (const stop of call.stopTracks) stop();
    await this.sfu({ op: 'leave', callId: call.callId }).catch(() => undefined);
    await Promise.allSettled([call.publisher?.close(), call.subscriber?.close()]);
  }

  /** Leaves any call and disconnects. */
  async stop(): Promise<void> {
    await this.leave();
    for (const s of this.subscriptions) s.unsubscribe();
    this.relay.close();
    this.messenger.close();
  }

  report(): BotReport {
    return {
      index: this.call?.self.index ?? null,
      joinMs: this.stats.joinMs,
      published: this.stats.published,
      framesSent: { audio: this.stats.audio, video: this.stats.video },
      keyFramesRequested: this.stats.keyFrames,
      subscribedTo: [...(this.call?.subscribed ?? [])],
      packetsReceived: this.stats.packets,
      bytesReceived: this.stats.bytes,
      keysSent: this.stats.keys,
      encryptFailures: this.stats.encryptFailures,
      ...(this.received ? { decrypted: structuredClone(this.received.counts) } : {}),
    };
  }

  // ── media ───────────────────────────────────────────────────────────────────────────────────

  private async publish(call: CallState, timeoutMs: number): Promise<void> {
    const pc = new RTCPeerConnection({ iceServers: [], iceUseIpv6: false, codecs: { audio: [OPUS()], video: [VP8()] } });
    call.publisher = pc;
    const audio = pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
    const video = pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
    const connected = new Promise<void>((resolve, reject) => {
      pc.connectionStateChange.subscribe((state) => {
        if (state === 'connected') resolve();
        if (state === 'failed') reject(new BotError('publish-failed', `${this.handle}'s publisher connection failed`));
      });
    });
    await pc.setLocalDescription(await pc.createOffer());
    const answer = await this.sfu({ op: 'publish', callId: call.callId, jsep: { type: 'offer', sdp: pc.localDescription!.sdp } });
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.jsep.sdp });
    await withTimeout(connected, timeoutMs, () => new BotError('publish-failed', `${this.handle}'s publisher did not connect within ${timeoutMs} ms`));
    const { clip } = this.options;
    const [audioTrack, videoTrack] = await Promise.all([
      TrackEncryptor.create('opus', call.secret, { sender: call.self.index, generation: 0, track: TrackSlot.microphone }),
      TrackEncryptor.create('vp8', call.secret, { sender: call.self.index, generation: 0, track: TrackSlot.camera }),
    ]);
    const audioLoop = new FrameLoop(clip.audio.frames, { clockRate: 48_000, frameMs: clip.audio.frameMs });
    const videoLoop = new FrameLoop(clip.video.frames, { clockRate: 90_000, frameMs: 1000 / clip.video.fps, isKeyFrame: isVp8KeyFrame });
    const ticker = this.options.ticker ?? sharedTicker;
    call.stopTracks.push(
      ticker.add(this.pacedTrack(audio.sender, audioLoop, audioTrack, new OpusPacketizer({ maxPayloadSize: MAX_RTP_PAYLOAD }), 'audio')),
      ticker.add(this.pacedTrack(video.sender, videoLoop, videoTrack, new Vp8Packetizer({ maxPayloadSize: MAX_RTP_PAYLOAD }), 'video')),
    );
    const keyFrame = () => {
      this.stats.keyFrames++;
      videoLoop.requestKeyFrame();
    };
    const pli = video.sender.onPictureLossIndication.subscribe(keyFrame);
    // werift reports PLI itself; FIR (RFC 5104) only as a raw RTCP packet.
    const fir = video.sender.onRtcp.subscribe((packet) => {
      if (packet instanceof RtcpPayloadSpecificFeedback && packet.feedback.count === FIR_FORMAT) keyFrame();
    });
    call.stopTracks.push(() => pli.unSubscribe(), () => fir.unSubscribe());
  }

  private pacedTrack(sender: RTCRtpSender, loop: FrameLoop, encryptor: TrackEncryptor, packetizer: { packetize(data: Buffer, timestamp: number): RtpPacket[] }, kind: 'audio' | 'video') {
    // Encryption is async: frames go out through one chain so their packets keep their order.
    let chain: Promise<void> = Promise.resolve();
    return {
      frameMs: kind === 'audio' ? this.options.clip.audio.frameMs : 1000 / this.options.clip.video.fps,
      sendFrame: () => {
        const frame = loop.next();
        chain = chain.then(async () => {
          const sealed = await encryptor.encrypt(frame.data);
          if (!sealed) {
            this.stats.encryptFailures++;
            return;
          }
          for (const packet of packetizer.packetize(Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength), frame.timestamp)) {
            await sender.sendRtp(packet);
          }
          this.stats[kind]++;
        }).catch((error: unknown) => this.warn(`sending ${kind} failed: ${String(error)}`));
      },
    };
  }

  /**
   * Subscribes to more publishers until `subscribeTo` feeds are received, one negotiation at a time;
   * a failed subscription (e.g. raced with a publisher's renegotiation) is tried again a few times.
   */
  private subscribeMore(call: CallState, attempt = 0): void {
    this.subscribing = this.subscribing.then(async () => {
      if (this.call !== call) return;
      const want = this.options.subscribeTo ?? 2;
      const candidates = [...call.participants.values()]
        .filter((p) => p.publishing && p.index !== call.self.index && !call.subscribed.has(p.index))
        .sort((a, b) => a.joinedAt - b.joinedAt || a.index - b.index)
        .slice(0, Math.max(0, want - call.subscribed.size))
        .map((p) => p.index);
      if (candidates.length === 0) return;
      try {
        const answer = await this.sfu({ op: 'subscribe', callId: call.callId, participants: candidates });
        for (const index of candidates) call.subscribed.add(index);
        // Participants not received yet: the SFU always offers their m-lines.
        if (!answer.jsep) throw new Error('the SFU sent no offer');
        await this.answerSubscriberOffer(call, answer.jsep.sdp, answer.streams);
        // Senders without simulcast (other bots) just keep their one layer.
        const substream = this.options.substream ?? 0;
        const withVideo = candidates.filter((index) => answer.streams.some((s) => s.participant === index && s.kind === 'video'));
        await Promise.all(withVideo.map((participant) => this.sfu({ op: 'substream', callId: call.callId, participant, substream }).catch((error: unknown) => this.warn(`substream ${substream} of ${participant}: ${String(error)}`))));
      } catch (error) {
        this.warn(`subscribing to ${candidates.join(', ')} failed: ${error instanceof Error ? error.message : String(error)}`);
        for (const index of candidates) call.subscribed.delete(index);
        if (attempt < SUBSCRIBE_RETRIES) setTimeout(() => this.call === call && this.subscribeMore(call, attempt + 1), 250 * (attempt + 1));
      }
    });
  }

  private async answerSubscriberOffer(call: CallState, sdp: string, _streams: readonly SfuStream[]): Promise<void> {
    if (!call.subscriber) {
      const pc = new RTCPeerConnection({ iceServers: [], iceUseIpv6: false, codecs: { audio: [OPUS()], video: [VP8()] } });
      pc.onTrack.subscribe((track) => {
        const kind = track.kind === 'video' ? 'video' : 'audio';
        track.onReceiveRtp.subscribe((packet) => {
          this.stats.packets++;
          this.stats.bytes += packet.payload.length;
          this.received?.onRtp(kind, packet);
        });
      });
      call.subscriber = pc;
    }
    const pc = call.subscriber;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    if (this.call !== call) return;
    await this.sfu({ op: 'answer', callId: call.callId, jsep: { type: 'answer', sdp: pc.localDescription!.sdp } });
  }

  // ── events, keys, rings ─────────────────────────────────────────────────────────────────────

  private onEvent(call: CallState, event: SfuEvent): void {
    switch (event.kind) {
      case 'joined':
        call.participants.set(event.participant.index, event.participant);
        this.sendKeys(call, [event.participant]);
        return;
      case 'published':
        call.participants.set(event.participant.index, event.participant);
        if (call.publisher) this.subscribeMore(call);
        return;
      case 'left':
        call.participants.delete(event.participant);
        call.subscribed.delete(event.participant);
        if (call.publisher) this.subscribeMore(call);
        return;
      case 'subscriber-offer':
        this.subscribing = this.subscribing.then(() => this.answerSubscriberOffer(call, event.jsep.sdp, event.streams)).catch((error: unknown) => this.warn(`renegotiation failed: ${String(error)}`));
        return;
      case 'restarted':
      case 'ended':
        this.warn(`the call ${event.kind}`);
        void this.leave();
        return;
      case 'talking':
        return;
    }
  }

  /** This bot's one key (generation 0) to each participant's user, once per user. */
  private sendKeys(call: CallState, participants: readonly SfuParticipant[]): void {
    const filter = this.options.sendKeyTo ?? (() => true);
    for (const participant of participants) {
      if (participant.userId === this.userId || call.keyedUsers.has(participant.userId) || !filter(participant)) continue;
      call.keyedUsers.add(participant.userId);
      const content: GroupKeyContent = { type: 'group-key', callId: call.callId, sender: call.self.index, generation: 0, secret: toBase64(call.secret), reason: 'initial' };
      this.messenger.sendContent(participant.userId, content).then(
        () => this.stats.keys++,
        (error: unknown) => {
          call.keyedUsers.delete(participant.userId);
          this.warn(`the key for ${participant.userId} was not sent: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    }
  }

  private onSignal(from: string, content: CallSignalingContent): void {
    if (content.signal.kind !== 'group-ring') return;
    const ring = { callId: content.callId, from };
    const waiter = this.ringWaiters.shift();
    if (waiter) waiter(ring);
    else this.rings.push(ring);
  }

  private sfu<Op extends SfuRequest['op']>(request: Extract<SfuRequest, { op: Op }>): Promise<SfuAnswers[Op]> {
    return this.relay.sfu(request).catch((error: unknown) => {
      throw new BotError('sfu-refused', `${this.handle}: SFU ${request.op} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
  }

  private requireCall(): CallState {
    if (!this.call) throw new BotError('not-in-call', `${this.handle} is in no call`);
    return this.call;
  }

  private warn(message: string): void {
    this.options.onWarning?.(`${this.handle}: ${message}`);
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (cause: unknown) => {
        clearTimeout(timer);
        reject(cause);
      },
    );
  });
}
