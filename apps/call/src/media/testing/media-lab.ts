/**
 * A browser test page for the call's media encryption (e2e/tests/call-media.spec.ts builds it into a
 * temporary folder): two `RtcCallMedia` sessions in one page, connected over loopback with the fake
 * camera and microphone, SFrame in both directions. No accounts, no server. Not part of the app.
 */
import { toBase64 } from '@parley/bytes';
import { base64Secret, describeFrames, inboundStats, type LabSide, type LabScenario } from './media-lab-support.js';
import { RtcCallMedia } from '../call-media.js';
import { startSFrameWorker } from '../sframe-worker-client.js';

interface Lab {
  /** Runs a call between a caller and a callee; the scenario decides what the callee gets. */
  start(scenario: LabScenario): Promise<void>;
  /** Per side: inbound stats, worker counters, decryption health, element playback. */
  report(): Promise<Record<string, LabSide>>;
  /** Test hook: the callee decrypts with a wrong key from now on. */
  corruptCalleeKey(): void;
  /** The eavesdropper's latest received frames as they came off the wire, base64. */
  wireFrames(): { audio: string[]; video: string[] };
}

const sessions: Record<string, RtcCallMedia> = {};
const eavesdropper: { pc: RTCPeerConnection | null; audio: Uint8Array[]; video: Uint8Array[] } = { pc: null, audio: [], video: [] };

function attach(name: string, session: RtcCallMedia): void {
  const video = document.createElement('video');
  video.id = `${name}-remote-video`;
  video.autoplay = true;
  video.muted = true;
  video.playsInline = true;
  const audio = document.createElement('audio');
  audio.id = `${name}-remote-audio`;
  audio.autoplay = true;
  document.body.append(video, audio);
  session.remoteTracks$.subscribe((tracks) => {
    const videoTrack = tracks.find((t) => t.kind === 'video');
    const audioTrack = tracks.find((t) => t.kind === 'audio');
    if (videoTrack && !video.srcObject) video.srcObject = new MediaStream([videoTrack]);
    if (audioTrack && !audio.srcObject) audio.srcObject = new MediaStream([audioTrack]);
  });
}

async function startEavesdropped(): Promise<void> {
  // The callee is a plain RTCPeerConnection without any key or decrypting transform: it sees what
  // travels on the wire. It copies the frames it receives (legacy encoded streams, from ontrack).
  const caller = new RtcCallMedia({ role: 'caller', media: 'video', startWorker: startSFrameWorker });
  sessions.caller = caller;
  const pc = new RTCPeerConnection({ encodedInsertableStreams: true } as RTCConfiguration);
  eavesdropper.pc = pc;
  const remote = document.createElement('video');
  remote.id = 'plain-remote-video';
  remote.autoplay = true;
  remote.muted = true;
  document.body.append(remote);
  pc.ontrack = ({ track, receiver }) => {
    if (track.kind === 'video') remote.srcObject = new MediaStream([track]);
    const streams = (receiver as unknown as { createEncodedStreams(): { readable: ReadableStream; writable: WritableStream } }).createEncodedStreams();
    const copy = new TransformStream<{ data: ArrayBuffer }, { data: ArrayBuffer }>({
      transform(frame, controller) {
        const frames = track.kind === 'audio' ? eavesdropper.audio : eavesdropper.video;
        // The latest ones, so they overlap what the caller's transforms saw lately.
        frames.push(new Uint8Array(frame.data.slice(0)));
        if (frames.length > 100) frames.shift();
        controller.enqueue(frame);
      },
    });
    void streams.readable.pipeThrough(copy).pipeTo(streams.writable);
  };
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  for (const track of stream.getTracks()) {
    // With encoded streams on, a sender sends only what goes through its streams: pass them in clear.
    const sender = pc.addTrack(track, stream) as unknown as { createEncodedStreams(): { readable: ReadableStream; writable: WritableStream } };
    const streams = sender.createEncodedStreams();
    void streams.readable.pipeTo(streams.writable);
  }
  caller.localCandidates$.subscribe((c) => void pc.addIceCandidate(c ?? undefined));
  pc.onicecandidate = ({ candidate }) => void caller.addRemoteCandidate(candidate ? (candidate.toJSON() as never) : null);
  const offer = await caller.createOffer();
  await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  await caller.acceptAnswer({ sdp: pc.localDescription!.sdp, key: { suite: 4, generation: 0, secret: base64Secret() } });
}

const lab: Lab = {
  async start(scenario) {
    if (scenario === 'eavesdropper') return startEavesdropped();
    const caller = new RtcCallMedia({ role: 'caller', media: 'video', startWorker: startSFrameWorker });
    // Without a camera, the callee's getUserMedia fails for video as Chromium's does (NotFoundError).
    const withoutCamera = async (constraints: MediaStreamConstraints) => {
      if (constraints.video) throw new DOMException('Requested device not found', 'NotFoundError');
      return navigator.mediaDevices.getUserMedia(constraints);
    };
    const callee = new RtcCallMedia({
      role: 'callee',
      media: 'video',
      startWorker: startSFrameWorker,
      ...(scenario === 'callee-without-camera' ? { getUserMedia: withoutCamera } : {}),
    });
    sessions.caller = caller;
    sessions.callee = callee;
    attach('caller', caller);
    attach('callee', callee);
    // Candidates wait for the remote description, as the call engine does.
    const pending: { to: RtcCallMedia; ready: boolean; queue: (RTCIceCandidateInit | null)[] }[] = [
      { to: callee, ready: false, queue: [] },
      { to: caller, ready: false, queue: [] },
    ];
    const relay = (index: number) => (candidate: RTCIceCandidateInit | null) => {
      const target = pending[index]!;
      if (target.ready) void target.to.addRemoteCandidate(candidate as never);
      else target.queue.push(candidate);
    };
    const open = (index: number) => {
      const target = pending[index]!;
      target.ready = true;
      for (const c of target.queue.splice(0)) void target.to.addRemoteCandidate(c as never);
    };
    caller.localCandidates$.subscribe(relay(0));
    callee.localCandidates$.subscribe(relay(1));
    const offer = await caller.createOffer();
    // The wrong-key scenario hands the callee a different secret than the caller encrypts with.
    const calleeGets = scenario === 'wrong-key' ? { ...offer, key: { ...offer.key, secret: base64Secret() } } : offer;
    const answer = await callee.acceptOffer(calleeGets);
    open(0);
    await caller.acceptAnswer(answer);
    open(1);
  },

  async report() {
    const out: Record<string, LabSide> = {};
    for (const [name, session] of Object.entries(sessions)) {
      const video = document.getElementById(`${name}-remote-video`) as HTMLVideoElement | null;
      let health = { decrypted: 0, dropped: 0, failing: false, lastFailure: null as string | null };
      session.decryption$.subscribe((h) => (health = h)).unsubscribe();
      let counters: unknown[] = [];
      session.counters$.subscribe((c) => (counters = [...c])).unsubscribe();
      out[name] = {
        connection: session.pc.connectionState,
        inbound: await inboundStats(session.pc),
        counters: counters as LabSide['counters'],
        health,
        videoTime: video?.currentTime ?? 0,
        videoSize: video ? [video.videoWidth, video.videoHeight] : [0, 0],
      };
    }
    if (eavesdropper.pc) {
      const video = document.getElementById('plain-remote-video') as HTMLVideoElement;
      out.eavesdropper = {
        connection: eavesdropper.pc.connectionState,
        inbound: await inboundStats(eavesdropper.pc),
        counters: [],
        health: { decrypted: 0, dropped: 0, failing: false, lastFailure: null },
        videoTime: video.currentTime,
        videoSize: [video.videoWidth, video.videoHeight],
        // The caller is participant 0: microphone KID 0, camera KID 1.
        audioFrames: describeFrames(eavesdropper.audio, 'opus', 0n),
        videoFrames: describeFrames(eavesdropper.video, 'vp8', 1n),
      };
    }
    return out;
  },

  corruptCalleeKey() {
    sessions.callee?.corruptPeerKey!();
  },

  wireFrames() {
    return { audio: eavesdropper.audio.map((frame) => toBase64(frame)), video: eavesdropper.video.map((frame) => toBase64(frame)) };
  },
};

(window as unknown as { lab: Lab }).lab = lab;
document.title = 'media lab ready';
