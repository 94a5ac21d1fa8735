/**
 * The media of one device in a group call: two RTCPeerConnections to the SFU (Janus) — a
 * publisher that sends this device's microphone and camera, and a subscriber that receives the
 * others' tracks (Janus multistream: one connection, one m-line per remote track, Janus offers) —
 * and SFrame on every sender and receiver in one worker (sframe-worker.ts, group mode).
 *
 * Janus forwards frames it cannot read: every frame is encrypted with its sender's key, whose KID
 * names the sender (participant index) and track slot, so the receive transforms need not know
 * which m-line carries whom. The camera is sent simulcast (three layers, VP8 with its payload
 * header in clear, see libs/media-e2ee) so thumbnails can take the low layer.
 *
 * A shared screen is published beside the camera as its own m-lines (video, and its sound where the
 * browser gives some), added on the first share by renegotiating the publisher and kept for the
 * rest of the join (stopping sends no frames; sharing again needs no renegotiation). Its frames use
 * their own KID slots and so their own keys, derived from the same sender secret as the camera's:
 * they are distributed, ratcheted and rotated with it. The screen goes as one layer, not simulcast:
 * it is everyone's spotlight, and a quarter-size layer leaves text unreadable; with contentHint
 * 'detail' the encoder lowers the frame rate rather than the resolution when bandwidth is short.
 *
 * Receive transforms go on right after the subscriber offer is applied and before the answer:
 * Chromium then feeds them every frame (checked with Chromium 156; set later, from `ontrack`,
 * they never see one).
 */
import type { GroupMediaSession } from '@parley/call-engine';
import type { CallMedia, IceCandidateInit, SfuMediaSource, SfuPublishedSource, SfuStream } from '@parley/contracts';
import { BehaviorSubject, Subject } from 'rxjs';
import { type AudioProcessing, MicrophoneProcessing, processingApplied } from '../media/audio-processing.js';
import { cameraToSend, type GetUserMedia, muteMicrophone, openCallDevices, reopenMicrophone } from '../media/call-devices.js';
import { GATHERING_CAP_MS, GATHERING_QUIET_MS, preferVp8 } from '../media/call-media.js';
import type { IceConfig } from '../media/ice-config.js';
import type { FromWorker, SenderCounters, ToWorker, TransformOptions } from '../media/sframe-protocol.js';
import { dropOrphanPayloadAttributes } from '../media/sdp-payloads.js';

/** SFrame AES_128_GCM_SHA256_128 (RFC 9605 §4.5). */
const SUITE = 4;
/** Track slots of the KID scheme (libs/media-e2ee TrackSlot). */
const SLOT = { microphone: 0, camera: 1, screenAudio: 2, screen: 3 } as const;

/** The KID slot of each kind of track. */
const SLOT_OF: Record<SfuMediaSource, number> = { microphone: SLOT.microphone, camera: SLOT.camera, screen: SLOT.screen, 'screen-audio': SLOT.screenAudio };

/** A subscriber m-line's track: what the publisher said, else microphone or camera by kind (an app that does not say). */
const sourceOf = (stream: SfuStream): SfuMediaSource => stream.source ?? (stream.kind === 'video' ? 'camera' : 'microphone');
const isScreen = (source: SfuMediaSource) => source === 'screen' || source === 'screen-audio';

/** The shared screen's one encoding: a bitrate that keeps text sharp, and a frame rate slides need. */
export const SCREEN_ENCODING: RTCRtpEncodingParameters = { maxBitrate: 2_500_000, maxFramerate: 15 };

/** A shared screen is sent at its own size up to this height (1080p); a larger one is scaled down to it. */
export const SCREEN_MAX_HEIGHT = 1080;

/** How much to scale a captured screen down so it is sent at most SCREEN_MAX_HEIGHT high. */
export function screenScaleDown(track: MediaStreamTrack): number {
  const height = track.getSettings().height ?? 0;
  return height > SCREEN_MAX_HEIGHT ? height / SCREEN_MAX_HEIGHT : 1;
}

/**
 * Simulcast layers of the camera, highest first: Janus takes the rids in SDP order as high, medium,
 * low (its substreams 2, 1, 0), whatever they are called (meetecho/janus-gateway#2385).
 */
export const SIMULCAST_LAYERS: readonly RTCRtpEncodingParameters[] = [
  { rid: 'h', scaleResolutionDownBy: 1, maxBitrate: 1_000_000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 350_000 },
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 120_000 },
];

export interface GroupMediaOptions {
  readonly media: CallMedia;
  /** The ICE configuration (TURN from the server), applied before gathering. */
  readonly iceConfig?: Promise<IceConfig>;
  readonly startWorker: () => Worker;
  readonly getUserMedia?: GetUserMedia;
}

/** Decryption of one participant's frames, for the "can't decrypt" notice. */
export interface ParticipantDecryption {
  readonly decrypted: number;
  readonly dropped: number;
  /** Dropped frames in the last period and none decrypted. */
  readonly failing: boolean;
}

function describeCandidate(candidate: RTCIceCandidate | null): IceCandidateInit | null {
  return candidate ? (candidate.toJSON() as IceCandidateInit) : null;
}

/** The real group media: WebRTC to Janus with SFrame. */
export class RtcGroupMedia implements GroupMediaSession {
  readonly publisher = new RTCPeerConnection();
  readonly subscriber = new RTCPeerConnection();
  private readonly worker: Worker;
  private readonly candidates = new Subject<{ pc: 'publisher' | 'subscriber'; candidate: IceCandidateInit | null }>();
  private readonly failed = new Subject<void>();
  private readonly localStreamSubject = new BehaviorSubject<MediaStream | null>(null);
  private readonly participantStreams = new BehaviorSubject<ReadonlyMap<number, MediaStream>>(new Map());
  private readonly decryption = new BehaviorSubject<ReadonlyMap<number, ParticipantDecryption>>(new Map());
  private readonly mutedSubject = new BehaviorSubject(false);
  private readonly cameraOnSubject = new BehaviorSubject(true);
  /** The microphone's processing switches (remembered per microphone). */
  readonly microphone = new MicrophoneProcessing();
  private videoSender: RTCRtpSender | null = null;
  /** The shared screen's senders, once a screen was first shared in this join. */
  private screenSenders: { readonly video: RTCRtpSender; readonly audio: RTCRtpSender } | null = null;
  /** What each publisher transceiver carries (its mid is known once an offer was made). */
  private readonly published: { readonly transceiver: RTCRtpTransceiver; readonly source: SfuMediaSource }[] = [];
  private readonly screenStreams = new BehaviorSubject<ReadonlyMap<number, MediaStream>>(new Map());
  private closed = false;
  /** Which subscriber m-line carries whose track, from the SFU's latest offer. */
  private streams: readonly SfuStream[] = [];

  readonly candidates$ = this.candidates.asObservable();
  readonly failed$ = this.failed.asObservable();
  readonly localStream$ = this.localStreamSubject.asObservable();
  /** Each participant's received microphone and camera, as one stream per participant index. */
  readonly participantStreams$ = this.participantStreams.asObservable();
  /** Each presenting participant's received screen (video, and its sound when it has some). */
  readonly screenStreams$ = this.screenStreams.asObservable();
  readonly decryption$ = this.decryption.asObservable();
  readonly muted$ = this.mutedSubject.asObservable();
  readonly cameraOn$ = this.cameraOnSubject.asObservable();

  constructor(private readonly options: GroupMediaOptions) {
    this.worker = options.startWorker();
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.receiveCounters(event.data.senders ?? []);
    for (const [name, pc] of [['publisher', this.publisher], ['subscriber', this.subscriber]] as const) {
      pc.onicecandidate = ({ candidate }) => this.candidates.next({ pc: name, candidate: describeCandidate(candidate) });
      pc.onconnectionstatechange = () => {
        if (pc.connectionState === 'failed' && !this.closed) this.failed.next();
      };
    }
    this.subscriber.ontrack = () => this.mapStreams();
  }

  get localStream(): MediaStream | null {
    return this.localStreamSubject.getValue();
  }

  async createPublishOffer(): Promise<string> {
    // The first offer opens the devices; a later one renegotiates what was added (a shared screen).
    if (this.published.length === 0) await this.addLocalMedia();
    await this.publisher.setLocalDescription(await this.publisher.createOffer());
    await gatheringDone(this.publisher);
    // Firefox leaves lines for codecs setCodecPreferences removed (see sdp-payloads.ts).
    return dropOrphanPayloadAttributes(this.publisher.localDescription!.sdp);
  }

  publishedSources(): SfuPublishedSource[] {
    return this.published.flatMap(({ transceiver, source }) => (transceiver.mid === null ? [] : [{ mid: transceiver.mid, source }]));
  }

  private async addLocalMedia(): Promise<void> {
    const [stream] = await Promise.all([this.openLocalMedia(), this.applyIceConfig()]);
    const audio = stream.getAudioTracks()[0];
    if (audio) this.addPublished(this.publisher.addTransceiver(audio, { direction: 'sendonly', streams: [stream] }), 'microphone');
    const video = stream.getVideoTracks()[0];
    if (video) {
      const transceiver = this.publisher.addTransceiver(video, { direction: 'sendonly', streams: [stream], sendEncodings: SIMULCAST_LAYERS.map((layer) => ({ ...layer })) });
      preferVp8(transceiver);
      this.addPublished(transceiver, 'camera');
      this.videoSender = transceiver.sender;
    }
  }

  /**
   * Sends a shared screen (from getDisplayMedia) beside the camera, at most SCREEN_MAX_HEIGHT high,
   * with its sound when it has some; null stops sending it. True when m-lines were added: the publisher must
   * then be renegotiated (`GroupCall.renegotiatePublisher`).
   */
  async shareScreen(screen: MediaStream | null): Promise<boolean> {
    const video = screen?.getVideoTracks()[0] ?? null;
    const audio = screen?.getAudioTracks()[0] ?? null;
    // Text and edges over motion: under pressure the encoder drops frames, not resolution.
    if (video) video.contentHint = 'detail';
    if (this.screenSenders) {
      const sender = this.screenSenders.video;
      await sender.replaceTrack(video);
      await this.screenSenders.audio.replaceTrack(audio);
      if (video) {
        const parameters = sender.getParameters();
        for (const encoding of parameters.encodings) encoding.scaleResolutionDownBy = screenScaleDown(video);
        await sender.setParameters(parameters).catch(() => {});
      }
      return false;
    }
    if (!video || !screen) return false;
    const screenVideo = this.publisher.addTransceiver(video, { direction: 'sendonly', streams: [screen], sendEncodings: [{ ...SCREEN_ENCODING, scaleResolutionDownBy: screenScaleDown(video) }] });
    preferVp8(screenVideo);
    this.addPublished(screenVideo, 'screen');
    // Negotiated now even without sound, so a later share with sound needs no renegotiation.
    const screenAudio = this.publisher.addTransceiver(audio ?? 'audio', { direction: 'sendonly', streams: [screen] });
    this.addPublished(screenAudio, 'screen-audio');
    this.screenSenders = { video: screenVideo.sender, audio: screenAudio.sender };
    return true;
  }

  async acceptPublishAnswer(sdp: string): Promise<void> {
    await this.publisher.setRemoteDescription({ type: 'answer', sdp });
  }

  async applySubscriberOffer(sdp: string, streams: readonly SfuStream[]): Promise<string> {
    this.streams = streams;
    await this.subscriber.setRemoteDescription({ type: 'offer', sdp });
    // Before the answer (no media of this offer can flow before it): whose frames, of which track, each m-line may carry.
    this.post({ type: 'stream-owners', owners: streams.map((stream) => ({ mid: stream.mid, participant: stream.participant, slot: SLOT_OF[sourceOf(stream)] })) });
    for (const transceiver of this.subscriber.getTransceivers()) {
      const receiver = transceiver.receiver;
      if (receiver.transform) continue;
      const kind = receiver.track.kind === 'video' ? 'video' : 'audio';
      const listed = streams.find((stream) => stream.mid === transceiver.mid);
      const options: TransformOptions = {
        side: 'receive',
        kind,
        // For the counters; the worker checks each frame's slot against the latest stream list.
        slot: listed ? SLOT_OF[sourceOf(listed)] : kind === 'video' ? SLOT.camera : SLOT.microphone,
        group: true,
        ...(transceiver.mid === null ? {} : { mid: transceiver.mid }),
      };
      receiver.transform = new RTCRtpScriptTransform(this.worker, options);
    }
    await this.subscriber.setLocalDescription(await this.subscriber.createAnswer());
    this.mapStreams();
    return this.subscriber.localDescription!.sdp;
  }

  setLocalKey(sender: number, generation: number, secret: Uint8Array): void {
    this.post({ type: 'local-key', key: { suite: SUITE, generation, sender, secret } });
  }

  addPeerKey(sender: number, generation: number, secret: Uint8Array): void {
    this.post({ type: 'group-peer-key', key: { suite: SUITE, generation, sender, secret } });
  }

  forgetPeer(sender: number): void {
    this.post({ type: 'forget-peer', sender });
    const next = new Map(this.decryption.getValue());
    next.delete(sender);
    this.decryption.next(next);
  }

  async addRemoteCandidate(pc: 'publisher' | 'subscriber', candidate: IceCandidateInit | null): Promise<void> {
    if (this.closed) return;
    await (pc === 'publisher' ? this.publisher : this.subscriber).addIceCandidate(candidate ?? undefined);
  }

  /** Mutes or unmutes the microphone (silence is sent; the track keeps running). */
  /** Changes the microphone's processing switches: remembered for this microphone, applied to the running track. */
  async setAudioProcessing(processing: AudioProcessing): Promise<boolean> {
    const track = this.localStream?.getAudioTracks()[0];
    if ((await this.microphone.change(processing, track)) && processingApplied(track, processing)) return true;
    // The browser keeps the running microphone's processing: open it again with the new switches.
    const sender = this.publisher.getSenders().find((s) => s.track?.kind === 'audio') ?? null;
    const reopened = await reopenMicrophone(this.localStream, sender, this.microphone.constraints(), this.mutedSubject.getValue(), this.options.getUserMedia);
    if (reopened) this.localStreamSubject.next(this.localStream);
    return reopened;
  }

  setMuted(muted: boolean): void {
    muteMicrophone(this.localStream, muted);
    this.mutedSubject.next(muted);
  }

  /** Camera off sends no frames at all. */
  async setCameraOn(on: boolean): Promise<void> {
    this.cameraOnSubject.next(on);
    await this.videoSender?.replaceTrack(cameraToSend(this.localStream, on));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    this.publisher.close();
    this.subscriber.close();
    this.worker.terminate();
    this.candidates.complete();
    this.participantStreams.next(new Map());
    this.screenStreams.next(new Map());
  }

  /** Rebuilds each participant's streams (camera and microphone; screen) from the subscriber's transceivers and the SFU's mid map. */
  private mapStreams(): void {
    const cameras = new Map<number, MediaStreamTrack[]>();
    const screens = new Map<number, MediaStreamTrack[]>();
    for (const stream of this.streams) {
      const transceiver = this.subscriber.getTransceivers().find((t) => t.mid === stream.mid);
      if (!transceiver || transceiver.currentDirection === 'inactive' || transceiver.direction === 'inactive') continue;
      const tracks = isScreen(sourceOf(stream)) ? screens : cameras;
      tracks.set(stream.participant, [...(tracks.get(stream.participant) ?? []), transceiver.receiver.track]);
    }
    publishStreams(this.participantStreams, cameras);
    publishStreams(this.screenStreams, screens);
  }

  private async applyIceConfig(): Promise<void> {
    if (!this.options.iceConfig) return;
    const { iceServers, iceTransportPolicy } = await this.options.iceConfig;
    for (const pc of [this.publisher, this.subscriber]) pc.setConfiguration({ ...pc.getConfiguration(), iceServers, iceTransportPolicy });
  }

  private async openLocalMedia(): Promise<MediaStream> {
    const stream = await openCallDevices(this.options.getUserMedia, { audio: this.microphone.constraints(), video: this.options.media === 'video' }, () => this.closed);
    this.localStreamSubject.next(stream);
    return stream;
  }

  /** A publisher transceiver: encrypted on its source's KID slot, and named to the SFU by its source. */
  private addPublished(transceiver: RTCRtpTransceiver, source: SfuMediaSource): void {
    this.protect(transceiver, source === 'camera' || source === 'screen' ? 'video' : 'audio', SLOT_OF[source]);
    this.published.push({ transceiver, source });
  }

  private protect(transceiver: RTCRtpTransceiver, kind: 'audio' | 'video', slot: number): void {
    transceiver.sender.transform = new RTCRtpScriptTransform(this.worker, { side: 'send', kind, slot, group: true } satisfies TransformOptions);
  }

  private post(message: ToWorker): void {
    if (!this.closed) this.worker.postMessage(message);
  }

  private receiveCounters(senders: readonly SenderCounters[]): void {
    const before = this.decryption.getValue();
    const next = new Map<number, ParticipantDecryption>();
    for (const { sender, ok, dropped } of senders) {
      const previous = before.get(sender);
      const failing = dropped > (previous?.dropped ?? 0) && ok === (previous?.decrypted ?? 0);
      next.set(sender, { decrypted: ok, dropped, failing });
    }
    this.decryption.next(next);
  }
}

/** Publishes one stream per participant of these tracks, keeping the streams whose tracks did not change (their video elements keep playing). */
function publishStreams(subject: BehaviorSubject<ReadonlyMap<number, MediaStream>>, tracks: ReadonlyMap<number, MediaStreamTrack[]>): void {
  const previous = subject.getValue();
  const next = new Map<number, MediaStream>();
  let changed = previous.size !== tracks.size;
  for (const [participant, list] of tracks) {
    const existing = previous.get(participant);
    const same = existing && existing.getTracks().length === list.length && list.every((track) => existing.getTracks().includes(track));
    if (same) {
      next.set(participant, existing);
    } else {
      next.set(participant, new MediaStream(list));
      changed = true;
    }
  }
  if (changed) subject.next(next);
}

/** Resolves once gathering is complete, quiet after a candidate, or at the cap (as for 1:1 calls). */
function gatheringDone(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    let quiet: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      clearTimeout(cap);
      clearTimeout(quiet);
      pc.removeEventListener('icecandidate', onCandidate);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const onCandidate = () => {
      clearTimeout(quiet);
      quiet = setTimeout(done, GATHERING_QUIET_MS);
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const cap = setTimeout(done, GATHERING_CAP_MS);
    pc.addEventListener('icecandidate', onCandidate);
    pc.addEventListener('icegatheringstatechange', check);
  });
}
