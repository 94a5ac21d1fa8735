/**
 * The media of one 1:1 call: an RTCPeerConnection, local microphone and camera, and SFrame on every
 * sender and receiver through encoded transforms in a worker (sframe-worker.ts).
 *
 * Keys: each side draws a fresh 32-byte sender secret per call and sends it only inside its
 * (Signal-encrypted) offer or answer. The worker derives one key and KID per sender and track slot
 * (libs/media-e2ee `deriveTrackKey`): caller = participant 0, callee = participant 1.
 *
 * Transforms are set before any media can flow, in the task that made their transceivers: Chromium
 * lets a sender or receiver without a transform by its next task pass frames through for good (it
 * also ignores `RTCRtpScriptTransform` set from `ontrack`). The caller adds its transceivers and their
 * transforms before `createOffer`; the callee sets them on the transceivers the offer created as
 * soon as the offer is applied, before it answers.
 *
 * Set-up latency: each side builds its description while its microphone and camera open; the
 * caller's offer may even be made before the click (`prepareOffer`, ready-caller-media.ts), and the
 * callee does everything that opens no device and sends nothing while it rings (`prepareAnswer`).
 */
import type { CallMediaSession, MediaConnectionState, SessionDescription } from '@parley/call-engine';
import type { CallMedia, IceCandidateInit, MediaKeyGrant } from '@parley/contracts';
import { fromBase64, toBase64 } from '@parley/bytes';
import { BehaviorSubject, type Observable, Subject } from 'rxjs';
import type { IceConfig } from './ice-config.js';
import { type AudioProcessing, MicrophoneProcessing, processingApplied } from './audio-processing.js';
import { cameraToSend, muteMicrophone, openCallDevices, openSwitchedDevice, reopenMicrophone } from './call-devices.js';
import type { FromWorker, ToWorker, TransformCounters, TransformOptions } from './sframe-protocol.js';
import { dropOrphanPayloadAttributes } from './sdp-payloads.js';

/** SFrame AES_128_GCM_SHA256_128 (RFC 9605 §4.5). */
const SUITE = 4;
const SECRET_BYTES = 32;
/** Track slots of the KID scheme (libs/media-e2ee TrackSlot). */
const SLOT = { microphone: 0, camera: 1, screenAudio: 2 } as const;
/**
 * The offer waits for ICE gathering, so it carries the candidates gathered by then
 * (inside the Signal-encrypted SDP) instead of one message each: until gathering completes, or no
 * new candidate came for GATHERING_QUIET_MS after one did (Chromium's host UDP candidates come
 * within 2 ms, its TCP ones ~120 ms later), or GATHERING_CAP_MS at most. Later ones still trickle.
 */
export const GATHERING_CAP_MS = 300;
export const GATHERING_QUIET_MS = 5;
/** A candidate gathered once ICE is connected is sent this much later (see `trickle`). */
export const LATE_CANDIDATE_DELAY_MS = 1_000;
/** A candidate gathered before waits this long for ICE to connect (see `trickle`). */
export const CANDIDATE_HOLD_MS = 50;

/** Receive-side decryption health: the UI names the peer while `failing`. */
export interface DecryptionHealth {
  /** Frames decrypted and dropped, over the whole call. */
  readonly decrypted: number;
  readonly dropped: number;
  /** Frames keep failing: drops in the last reporting period and nothing decrypted in it. */
  readonly failing: boolean;
  readonly lastFailure: string | null;
}

export interface CallMediaOptions {
  readonly role: 'caller' | 'callee';
  readonly media: CallMedia;
  /** STUN/TURN servers known now (tests); see `iceConfig` for the server's TURN credentials. */
  readonly iceServers?: RTCIceServer[];
  /**
   * The ICE configuration from the server (ice-config.ts), applied before gathering starts: it is
   * awaited alongside opening the microphone and camera, so a cached answer costs nothing.
   */
  readonly iceConfig?: Promise<IceConfig>;
  readonly microphoneId?: string;
  readonly cameraId?: string;
  /** Starts the SFrame worker; see sframe-worker-client.ts. */
  readonly startWorker: () => Worker;
  /** A connection made ahead by `newCallConnection` and never used (spare-pool.ts); else one is made. */
  readonly connection?: RTCPeerConnection;
  /** Injected for tests; defaults to navigator.mediaDevices.getUserMedia. */
  readonly getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
}

/**
 * A connection as a 1:1 call uses it. Both ends are Parley: every m-line shares one transport, so
 * candidates are gathered (and checked, and signaled) once instead of once per media kind.
 */
export function newCallConnection(iceServers: RTCIceServer[] = []): RTCPeerConnection {
  return new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle' });
}

/** The real `CallMediaSession`: WebRTC with SFrame. */
export class RtcCallMedia implements CallMediaSession {
  readonly pc: RTCPeerConnection;
  readonly remoteStream = new MediaStream();
  private readonly worker: Worker;
  private readonly secret = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  private readonly localIndex: number;
  private readonly peerIndex: number;
  private readonly candidates = new Subject<IceCandidateInit | null>();
  private readonly connection = new BehaviorSubject<MediaConnectionState>('connecting');
  private readonly countersSubject = new BehaviorSubject<readonly TransformCounters[]>([]);
  private readonly healthSubject = new BehaviorSubject<DecryptionHealth>({ decrypted: 0, dropped: 0, failing: false, lastFailure: null });
  private readonly localStreamSubject = new BehaviorSubject<MediaStream | null>(null);
  private readonly remoteTracksSubject = new BehaviorSubject<readonly MediaStreamTrack[]>([]);
  private readonly mutedSubject = new BehaviorSubject(false);
  private readonly cameraOnSubject = new BehaviorSubject(true);
  /** The microphone's processing switches (remembered per microphone). */
  readonly microphone: MicrophoneProcessing;
  private readonly localMediaFailedSubject = new Subject<Error>();
  /** The microphone and camera could not be opened after the offer or answer went out. */
  readonly localMediaFailed$: Observable<Error> = this.localMediaFailedSubject.asObservable();
  private audioSender: RTCRtpSender | null = null;
  private videoSender: RTCRtpSender | null = null;
  /** Video calls: a sender kept ready for a shared screen's audio (no track until then). */
  private screenAudioSender: RTCRtpSender | null = null;
  private closed = false;
  private sharingScreen = false;
  /** While a description is being prepared: its candidates go inside its SDP, not out one by one. */
  private bundlingCandidates = false;
  private onBundledCandidate: (() => void) | null = null;
  /** Callee: the ring-time half of answering, once started (see prepareAnswer). */
  private preparing: Promise<void> | null = null;
  /** Caller: the offer, once started (see prepareOffer). */
  private offering: Promise<void> | null = null;

  readonly localCandidates$: Observable<IceCandidateInit | null> = this.candidates.asObservable();
  readonly connection$: Observable<MediaConnectionState> = this.connection.asObservable();
  /** Per-transform frame counters from the worker, twice a second. */
  readonly counters$: Observable<readonly TransformCounters[]> = this.countersSubject.asObservable();
  readonly decryption$: Observable<DecryptionHealth> = this.healthSubject.asObservable();
  readonly localStream$: Observable<MediaStream | null> = this.localStreamSubject.asObservable();
  /** Remote tracks so far (the UI attaches audio to an <audio>: Chromium decodes audio only then). */
  readonly remoteTracks$: Observable<readonly MediaStreamTrack[]> = this.remoteTracksSubject.asObservable();
  readonly muted$: Observable<boolean> = this.mutedSubject.asObservable();
  readonly cameraOn$: Observable<boolean> = this.cameraOnSubject.asObservable();

  /**
   * Test hook (E2EE tests): decrypt with a wrong peer key from now on. Only in builds with test
   * hooks (tools/mf-build/test-hooks.mjs); production builds drop it as dead code.
   */
  declare readonly corruptPeerKey?: () => void;

  constructor(private readonly options: CallMediaOptions) {
    if (typeof __PARLEY_TEST_HOOKS__ !== 'undefined' && __PARLEY_TEST_HOOKS__) {
      (this as { corruptPeerKey?: () => void }).corruptPeerKey = () => this.post({ type: 'corrupt-peer-key' });
    }
    this.microphone = new MicrophoneProcessing(options.microphoneId);
    this.localIndex = options.role === 'caller' ? 0 : 1;
    this.peerIndex = 1 - this.localIndex;
    this.pc = options.connection ?? newCallConnection(options.iceServers);
    this.worker = options.startWorker();
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.receiveCounters(event.data.transforms);
    this.post({ type: 'local-key', key: { suite: SUITE, generation: 0, sender: this.localIndex, secret: this.secret } });
    this.pc.onicecandidate = ({ candidate }) => {
      // A candidate gathered before the description is read is in its SDP already.
      if (this.bundlingCandidates) {
        this.onBundledCandidate?.();
        return;
      }
      // An active TCP candidate pairs only with a passive one, which a browser never gathers: for
      // the peer it is useless, and each would cost a Signal message during the call's set-up.
      if (candidate && isActiveTcp(candidate.candidate)) return;
      this.trickle(candidate ? (candidate.toJSON() as IceCandidateInit) : null);
    };
    this.pc.onconnectionstatechange = () => {
      const state = this.pc.connectionState;
      if (state === 'connected' || state === 'disconnected' || state === 'failed') this.connection.next(state);
    };
    this.pc.ontrack = ({ track }) => {
      this.remoteStream.addTrack(track);
      this.remoteTracksSubject.next([...this.remoteTracksSubject.getValue(), track]);
    };
  }

  /**
   * Hands a candidate to the engine, which sends each as its own Signal message. Once a path works,
   * a candidate only matters if that path breaks: it goes out LATE_CANDIDATE_DELAY_MS later, so its
   * message does not compete with the call's first media. One gathered before waits
   * CANDIDATE_HOLD_MS first: the checks this side started usually connect by then (the peer learns
   * this side's address from them), and it becomes a late one.
   */
  private trickle(candidate: IceCandidateInit | null): void {
    if (this.iceConnected()) {
      setTimeout(() => this.emitCandidate(candidate), LATE_CANDIDATE_DELAY_MS);
      return;
    }
    setTimeout(() => {
      if (this.iceConnected()) setTimeout(() => this.emitCandidate(candidate), LATE_CANDIDATE_DELAY_MS - CANDIDATE_HOLD_MS);
      else this.emitCandidate(candidate);
    }, CANDIDATE_HOLD_MS);
  }

  private iceConnected(): boolean {
    return this.pc.iceConnectionState === 'connected' || this.pc.iceConnectionState === 'completed';
  }

  private emitCandidate(candidate: IceCandidateInit | null): void {
    if (!this.closed) this.candidates.next(candidate);
  }

  get localStream(): MediaStream | null {
    return this.localStreamSubject.getValue();
  }

  /** The grant for this side's key, sent inside the offer or answer. */
  private grant(): MediaKeyGrant {
    return { suite: SUITE, generation: 0, secret: toBase64(this.secret) };
  }

  async createOffer(): Promise<SessionDescription> {
    // The caller asked for this call: its microphone and camera open while the offer is prepared
    // (or was, see prepareOffer), and their tracks go onto the transceivers once they are open (no
    // renegotiation needed).
    const opening = this.openLocalMedia();
    opening.catch(() => {}); // awaited below
    await this.prepareOffer();
    this.attachWhenOpen(opening);
    // Read now, not when the offer was made: it holds every candidate gathered since.
    return { sdp: dropOrphanPayloadAttributes(this.pc.localDescription!.sdp), key: this.grant() };
  }

  /**
   * Caller: everything of the offer that opens no device and sends nothing — transceivers with
   * their transforms, the offer, its candidates. `createOffer` does it; ready-caller-media.ts does
   * it ahead of a call, so a click only has to open the devices and send.
   */
  prepareOffer(): Promise<void> {
    this.offering ??= this.makeOffer();
    return this.offering;
  }

  private async makeOffer(): Promise<void> {
    await this.applyIceConfig();
    const stream = new MediaStream();
    const audioTransceiver = this.pc.addTransceiver('audio', { direction: 'sendrecv', streams: [stream] });
    this.protect(audioTransceiver, 'audio', SLOT.microphone);
    this.audioSender = audioTransceiver.sender;
    if (this.options.media === 'video') {
      const videoTransceiver = this.pc.addTransceiver('video', { direction: 'sendrecv', streams: [stream] });
      this.protect(videoTransceiver, 'video', SLOT.camera);
      preferVp8(videoTransceiver);
      this.videoSender = videoTransceiver.sender;
      // Negotiated now, so sharing a screen with sound later needs no renegotiation.
      const screenAudio = this.pc.addTransceiver('audio', { direction: 'sendrecv', streams: [stream] });
      this.protect(screenAudio, 'audio', SLOT.screenAudio);
      this.screenAudioSender = screenAudio.sender;
    }
    await this.describeWithCandidates(async () => this.pc.setLocalDescription(await this.pc.createOffer()));
  }

  /**
   * Puts the microphone and camera on the senders once they are open, without holding up the offer
   * or answer: the SDP needs transceivers, not tracks, and the devices take tens of milliseconds
   * (or a permission prompt) to open. If they cannot open, `localMediaFailed$` says so.
   */
  private attachWhenOpen(opening: Promise<MediaStream>): void {
    opening.then(
      (local) =>
        Promise.all([
          this.audioSender?.replaceTrack(local.getAudioTracks()[0] ?? null),
          this.cameraOnSubject.getValue() && !this.sharingScreen ? this.videoSender?.replaceTrack(local.getVideoTracks()[0] ?? null) : undefined,
        ]),
      (error: unknown) => {
        if (!this.closed) this.localMediaFailedSubject.next(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  /**
   * Callee, while it rings: applies the offer's key and the offer itself, and puts the transforms on
   * its transceivers, so Accept only has to open the devices and answer. Nothing is captured and
   * nothing is sent: ICE gathers only from the answer's setLocalDescription, so before Accept the
   * caller learns nothing about this device, not even its addresses.
   */
  prepareAnswer(offer: SessionDescription): void {
    if (this.preparing) return;
    this.preparing = this.prepare(offer);
    this.preparing.catch(() => {}); // acceptOffer awaits it and reports the failure
  }

  async acceptOffer(offer: SessionDescription): Promise<SessionDescription> {
    // The user accepted: the microphone and camera open while the answer is prepared, and their
    // tracks go onto the senders once they are open (no renegotiation needed).
    const opening = this.openLocalMedia();
    opening.catch(() => {}); // awaited below
    this.prepareAnswer(offer);
    await this.preparing;
    // The answer goes out at once, without its candidates: this side already has the caller's
    // (bundled in the offer) and starts its checks now, which the caller answers and learns this
    // side's address from (peer-reflexive); the candidates trickle for the paths that need them.
    // It goes while it is being applied here: what the caller needs of it (ICE credentials, DTLS
    // fingerprint, media sections) is fixed once created. Applying it failing fails the connection.
    const answer = await this.pc.createAnswer();
    this.pc.setLocalDescription(answer).catch(() => {
      if (!this.closed) this.connection.next('failed');
    });
    this.attachWhenOpen(opening);
    return { sdp: dropOrphanPayloadAttributes(answer.sdp!), key: this.grant() };
  }

  private async prepare(offer: SessionDescription): Promise<void> {
    // The offer goes in before the first await, so before the incoming call renders.
    this.postPeerKey(offer.key);
    // The ICE servers only have to be in place before the answer's description, which starts
    // gathering: they are asked for alongside and awaited last.
    const configured = this.applyIceConfig();
    configured.catch(() => {}); // awaited below
    await this.pc.setRemoteDescription({ type: 'offer', sdp: dropOrphanPayloadAttributes(offer.sdp) });
    // From here to the transforms nothing may be awaited: Chromium lets a sender or receiver that
    // has no transform by the task after the one that made it pass frames through for good (a
    // transform set later is ignored), so this side would send its media in clear and hand the
    // caller's ciphertext to its decoders. Awaiting the ICE configuration first did exactly that
    // whenever it was still being fetched: an offer that reached a call app that had just started.
    // The offer made one transceiver per m-line: in the caller's order, microphone, camera and screen
    // audio (video calls). Anything else would carry media that no transform of ours handles.
    const slots: { kind: 'audio' | 'video'; slot: number }[] =
      this.options.media === 'video'
        ? [{ kind: 'audio', slot: SLOT.microphone }, { kind: 'video', slot: SLOT.camera }, { kind: 'audio', slot: SLOT.screenAudio }]
        : [{ kind: 'audio', slot: SLOT.microphone }];
    const transceivers = this.pc.getTransceivers();
    if (transceivers.length !== slots.length || transceivers.some((t, i) => t.receiver.track.kind !== slots[i]!.kind)) {
      throw new Error(`the offer's m-lines are not those of a ${this.options.media} call`);
    }
    const stream = new MediaStream();
    for (const [i, transceiver] of transceivers.entries()) {
      const { kind, slot } = slots[i]!;
      // Transforms go on before the answer exists: no media flows before it, and Chromium feeds
      // transforms set here (set from `ontrack`, during the offer, it would not).
      this.protect(transceiver, kind, slot);
      transceiver.direction = 'sendrecv';
      transceiver.sender.setStreams(stream);
      if (kind === 'video') preferVp8(transceiver);
      if (slot === SLOT.microphone) this.audioSender = transceiver.sender;
      else if (slot === SLOT.camera) this.videoSender = transceiver.sender;
      else this.screenAudioSender = transceiver.sender;
    }
    await configured;
  }

  /**
   * Sets the local description with `apply` and resolves once gathering is done enough (see
   * GATHERING_CAP_MS): the candidates gathered by then are in the description, so they travel in
   * the one Signal-encrypted offer instead of one message each; later ones trickle as usual.
   */
  private async describeWithCandidates(apply: () => Promise<void>): Promise<void> {
    this.bundlingCandidates = true;
    try {
      await apply();
      await this.gatheringDone();
    } finally {
      this.bundlingCandidates = false;
    }
  }

  /** Resolves when gathering is complete, quiet after a first candidate, or at the cap. */
  private gatheringDone(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete' || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      let quiet: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(cap);
        clearTimeout(quiet);
        this.onBundledCandidate = null;
        this.pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      };
      const check = () => {
        if (this.pc.iceGatheringState === 'complete' || this.closed) done();
      };
      const cap = setTimeout(done, GATHERING_CAP_MS);
      this.onBundledCandidate = () => {
        clearTimeout(quiet);
        quiet = setTimeout(done, GATHERING_QUIET_MS);
      };
      // Candidates gathered while the description was being set count too.
      if (this.pc.localDescription?.sdp.includes('a=candidate:')) this.onBundledCandidate();
      this.pc.addEventListener('icegatheringstatechange', check);
    });
  }

  acceptAnswer(answer: SessionDescription): Promise<void> {
    // No await before the description: it starts now, while the engine goes on to update the UI.
    // The peer's key goes to the worker just after: deriving it there must not hold up the start.
    try {
      const applied = this.pc.setRemoteDescription({ type: 'answer', sdp: dropOrphanPayloadAttributes(answer.sdp) });
      this.postPeerKey(answer.key);
      return applied;
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async restartIce(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart: true }));
    return dropOrphanPayloadAttributes(this.pc.localDescription!.sdp);
  }

  async acceptIceRestart(sdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: dropOrphanPayloadAttributes(sdp) });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    this.reportIfConnected();
    return dropOrphanPayloadAttributes(this.pc.localDescription!.sdp);
  }

  async acceptIceRestartAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: dropOrphanPayloadAttributes(sdp) });
    this.reportIfConnected();
  }

  /** A restart over a path that never broke leaves the state `connected` without a change event. */
  private reportIfConnected(): void {
    if (this.pc.connectionState === 'connected' && !this.closed) this.connection.next('connected');
  }

  async addRemoteCandidate(candidate: IceCandidateInit | null): Promise<void> {
    if (this.closed) return;
    await this.pc.addIceCandidate(candidate ?? undefined);
  }

  async addPeerKey(key: MediaKeyGrant): Promise<void> {
    this.postPeerKey(key);
  }

  private postPeerKey(key: MediaKeyGrant): void {
    this.post({ type: 'peer-key', key: { suite: key.suite, generation: key.generation, sender: this.peerIndex, secret: fromBase64(key.secret) } });
  }

  /** Mutes or unmutes the microphone (the track keeps running, silence is sent). */
  setMuted(muted: boolean): void {
    muteMicrophone(this.localStream, muted);
    this.mutedSubject.next(muted);
  }

  /** Turns the camera on or off. Off sends no frames at all (a disabled track would still send black ones). */
  async setCameraOn(on: boolean): Promise<void> {
    this.cameraOnSubject.next(on);
    const camera = cameraToSend(this.localStream, on);
    if (!this.sharingScreen) await this.videoSender?.replaceTrack(camera);
  }

  /** Changes the microphone's processing switches: remembered for this microphone, applied to the running track. */
  async setAudioProcessing(processing: AudioProcessing): Promise<boolean> {
    const track = this.localStream?.getAudioTracks()[0];
    if ((await this.microphone.change(processing, track)) && processingApplied(track, processing)) return true;
    // The browser keeps the running microphone's processing: open it again with the new switches.
    const reopened = await reopenMicrophone(this.localStream, this.audioSender, this.microphone.constraints(), this.mutedSubject.getValue(), this.options.getUserMedia);
    if (reopened) this.localStreamSubject.next(this.localStream);
    return reopened;
  }

  /** Switches microphone or camera to another device, without renegotiation. */
  async useDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    const stream = this.localStream;
    if (!stream) return;
    // A switch that completes after the call hung up stops what it opened instead of keeping the device on.
    const microphone = kind === 'audioinput' ? this.microphone.switchTo(deviceId) : undefined;
    const track = await openSwitchedDevice(this.options.getUserMedia, kind, deviceId, () => this.closed, microphone);
    if (!track) return;
    const sender = kind === 'audioinput' ? this.audioSender : this.videoSender;
    if (kind === 'audioinput' || (this.cameraOnSubject.getValue() && !this.sharingScreen)) await sender?.replaceTrack(track);
    const old = kind === 'audioinput' ? stream.getAudioTracks() : stream.getVideoTracks();
    for (const previous of old) {
      stream.removeTrack(previous);
      previous.stop();
    }
    track.enabled = kind === 'audioinput' ? !this.mutedSubject.getValue() : this.cameraOnSubject.getValue();
    stream.addTrack(track);
    this.localStreamSubject.next(stream);
  }

  /**
   * Sends a shared screen (from getDisplayMedia) instead of the camera, with its tab or system
   * audio when it has some; null returns to the camera (if on).
   */
  async shareScreen(screen: MediaStream | null): Promise<void> {
    const video = screen?.getVideoTracks()[0] ?? null;
    this.sharingScreen = video !== null;
    const camera = this.cameraOnSubject.getValue() ? (this.localStream?.getVideoTracks()[0] ?? null) : null;
    await this.videoSender?.replaceTrack(video ?? camera);
    await this.screenAudioSender?.replaceTrack(screen?.getAudioTracks()[0] ?? null);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    this.pc.close();
    this.worker.terminate();
    this.candidates.complete();
    this.connection.complete();
  }

  /** Candidates are gathered from setLocalDescription on, so the servers must be in place before. */
  private async applyIceConfig(): Promise<void> {
    if (!this.options.iceConfig) return;
    const { iceServers, iceTransportPolicy } = await this.options.iceConfig;
    if (this.closed) return;
    const current = this.pc.getConfiguration();
    // Setting the configuration waits on WebRTC's signaling thread (~2 ms while it applies the
    // offer): only when it changes. Without TURN servers from the server, the same policy and the
    // connection holding just `options.iceServers`, nothing does.
    const unchanged =
      iceServers.length === 0 &&
      (current.iceServers?.length ?? 0) === (this.options.iceServers?.length ?? 0) &&
      (iceTransportPolicy ?? 'all') === (current.iceTransportPolicy ?? 'all');
    if (unchanged) return;
    this.pc.setConfiguration({ ...current, iceServers: [...(this.options.iceServers ?? []), ...iceServers], iceTransportPolicy });
  }

  private async openLocalMedia(): Promise<MediaStream> {
    const audio = this.microphone.constraints();
    const video: MediaTrackConstraints | boolean =
      this.options.media === 'video' ? (this.options.cameraId ? { deviceId: { exact: this.options.cameraId } } : true) : false;
    const stream = await openCallDevices(this.options.getUserMedia, { audio, video }, () => this.closed);
    this.localStreamSubject.next(stream);
    return stream;
  }

  private protect(transceiver: RTCRtpTransceiver, kind: 'audio' | 'video', slot: number): void {
    const send: TransformOptions = { side: 'send', kind, slot };
    const receive: TransformOptions = { side: 'receive', kind, slot };
    transceiver.sender.transform = new RTCRtpScriptTransform(this.worker, send);
    transceiver.receiver.transform = new RTCRtpScriptTransform(this.worker, receive);
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receiveCounters(transforms: readonly TransformCounters[]): void {
    const before = this.healthSubject.getValue();
    const receiving = transforms.filter((t) => t.side === 'receive');
    const decrypted = receiving.reduce((sum, t) => sum + t.ok, 0);
    const dropped = receiving.reduce((sum, t) => sum + t.dropped, 0);
    const lastFailure = receiving.find((t) => t.lastFailure)?.lastFailure ?? null;
    const failing = dropped > before.dropped && decrypted === before.decrypted;
    this.countersSubject.next(transforms);
    this.healthSubject.next({ decrypted, dropped, failing, lastFailure });
  }
}

/** An ICE candidate of TCP type `active` (RFC 6544), as browsers gather them (port 9). */
export function isActiveTcp(candidate: string): boolean {
  return / tcp /i.test(candidate) && / tcptype active(?: |$)/.test(candidate);
}


/** VP8 only for video: libs/media-e2ee knows which VP8 bytes must stay in clear. */
export function preferVp8(transceiver: RTCRtpTransceiver): void {
  const codecs = RTCRtpReceiver.getCapabilities('video')?.codecs ?? [];
  const vp8 = codecs.filter((c) => /^video\/(vp8|rtx)$/i.test(c.mimeType));
  if (vp8.length && typeof transceiver.setCodecPreferences === 'function') transceiver.setCodecPreferences(vp8);
}
