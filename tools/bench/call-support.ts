/**
 * What the 1:1 call benchmarks share (call.ts between two Chromium pages, call-firefox.ts between
 * Chromium and Firefox): the servers (Parley's, and one serving the bare WebRTC page), the bare page
 * itself, the in-page timing of the first decoded media, real accounts for the bare pages, and the
 * CPU time of a browser's processes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyApiClient, createAccount } from '@parley/messenger';
import { type Addresses, configFromEnv, createParleyServer } from '@parley/server';
import { testServerEnvironment } from '@parley/server/testing';
import { InMemorySignalProtocolStore } from '@parley/signal-protocol';
import { RECORD_PEER_CONNECTIONS, statFields } from './bench-support.js';

/** Ms from the click to the first remote video frame and audio decoded, two ways (see INSTRUMENT). */
export interface FirstMedia {
  /** When the first decoded frame reached the track: the RTP source timestamps (exact). */
  videoMs: number;
  audioMs: number;
  /** When a poll of getStats first showed it (late by up to Chromium's 50 ms stats cache). */
  statsVideoMs: number;
  statsAudioMs: number;
}

export interface BenchWindow {
  __benchArm(): Promise<FirstMedia>;
}

/**
 * In every page: record RTCPeerConnections; `__benchArm()` times the first decoded media, on the
 * caller's connection (it may have been made before the click, Parley's ready offers, but only a
 * call's has a remote description; the previous call's is closed).
 *
 * Exact: each receiver's RTP synchronization source carries the time its last frame, decoded, was
 * delivered to the track (audio when the playout pulls it, video when the decoder hands it on);
 * polled every 2 ms, the first entry seen is the first frame (a later one only if the page was busy
 * for longer than a frame: 10 ms of audio, 33 ms of video). Also, as before: when a poll of
 * getStats every 10 ms first shows `framesDecoded` / `totalSamplesReceived` — Chromium serves
 * getStats from a cache up to 50 ms old, so that one is late by 0–50 ms, by chance.
 *
 * Recording first (RECORD_PEER_CONNECTIONS), in the same script so that it runs before. A string,
 * not a function: tsx would add helpers to a function that the page does not have.
 */
export const INSTRUMENT = `${RECORD_PEER_CONNECTIONS}(() => {
  const pcs = window.__benchPcs;
  const callPc = () => pcs.filter((p) => p.connectionState !== 'closed' && p.remoteDescription).pop();
  window.__benchArm = () => {
    const start = performance.now();
    const first = { video: NaN, audio: NaN, statsVideo: NaN, statsAudio: NaN };
    const deadline = start + 30000;
    const done = () => !Object.values(first).some(Number.isNaN);
    return new Promise((resolve, reject) => {
      const sources = () => {
        const pc = callPc();
        if (pc) {
          for (const receiver of pc.getReceivers()) {
            const kind = receiver.track.kind;
            if (!Number.isNaN(first[kind])) continue;
            const source = receiver.getSynchronizationSources()[0];
            if (!source) continue;
            // The timestamp is on the epoch clock (ms), as performance.timeOrigin.
            const at = source.timestamp - performance.timeOrigin - start;
            const seen = performance.now() - start;
            if (at > seen + 1) return reject(new Error('an RTP source timestamp ' + at + ' ms is later than its poll at ' + seen + ' ms: not on the page clock'));
            first[kind] = at;
          }
        }
        if (Number.isNaN(first.video) || Number.isNaN(first.audio)) setTimeout(sources, 2);
        else if (done()) resolve({ videoMs: first.video, audioMs: first.audio, statsVideoMs: first.statsVideo, statsAudioMs: first.statsAudio });
      };
      const stats = async () => {
        const pc = callPc();
        if (pc) {
          const now = performance.now();
          for (const s of (await pc.getStats()).values()) {
            if (s.type !== 'inbound-rtp') continue;
            if (s.kind === 'video' && Number.isNaN(first.statsVideo) && (s.framesDecoded ?? 0) > 0) first.statsVideo = now - start;
            if (s.kind === 'audio' && Number.isNaN(first.statsAudio) && (s.totalSamplesReceived ?? 0) > 0) first.statsAudio = now - start;
          }
        }
        if (done()) resolve({ videoMs: first.video, audioMs: first.audio, statsVideoMs: first.statsVideo, statsAudioMs: first.statsAudio });
        else if (performance.now() > deadline) reject(new Error('no media after 30 s: ' + JSON.stringify(first)));
        else if (Number.isNaN(first.statsVideo) || Number.isNaN(first.statsAudio)) setTimeout(stats, 10);
      };
      sources();
      stats();
    });
  };
})();`;

/** The bare page: plain WebRTC, signaling in clear through the Parley relay. */
export const BARE_PAGE = `<!doctype html><meta charset="utf-8"><title>bare call</title>
<button id="call">Video call</button><video id="remote" autoplay muted playsinline></video><audio id="audio" autoplay></audio>
<script>
const q = new URLSearchParams(location.search);
const ws = new WebSocket(q.get('relay'));
let pc = null, stream = null, answered = false, pending = [];
const send = (signal) => ws.send(JSON.stringify({ t: 'send', id: crypto.randomUUID(), to: q.get('peer'),
  messages: [{ deviceId: 1, type: 2, ciphertext: btoa(JSON.stringify(signal)) }] }));
ws.onopen = () => ws.send(JSON.stringify({ t: 'auth', token: q.get('token') }));
ws.onmessage = async (event) => {
  const frame = JSON.parse(event.data);
  if (frame.t === 'ready') document.title = 'ready';
  if (frame.t !== 'deliver') return;
  ws.send(JSON.stringify({ t: 'ack', id: frame.id }));
  await handle(JSON.parse(atob(frame.ciphertext)));
};
function vp8(t) {
  // Firefox's offer after setCodecPreferences keeps rtcp-fb lines of removed payload types, which
  // Chromium refuses (ENVIRONMENT.md); Firefox lists VP8 first anyway, so it keeps its defaults.
  if (/Firefox\\//.test(navigator.userAgent)) return;
  const codecs = RTCRtpReceiver.getCapabilities('video').codecs.filter((c) => /^video\\/(vp8|rtx)$/i.test(c.mimeType));
  t.setCodecPreferences(codecs);
}
function newPc() {
  pc = new RTCPeerConnection({ iceServers: [] });
  pc.onicecandidate = ({ candidate }) => {
    const s = { kind: 'ice', candidate: candidate ? candidate.toJSON() : null };
    if (answered) send(s); else pending.push(s);
  };
  pc.ontrack = ({ track }) => {
    const el = document.getElementById(track.kind === 'video' ? 'remote' : 'audio');
    el.srcObject = new MediaStream([track]);
    el.play().catch(() => {});
  };
}
function flush() { answered = true; for (const s of pending.splice(0)) send(s); }
document.getElementById('call').onclick = async () => {
  stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  newPc();
  pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendrecv', streams: [stream] });
  vp8(pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendrecv', streams: [stream] }));
  await pc.setLocalDescription(await pc.createOffer());
  send({ kind: 'offer', sdp: pc.localDescription.sdp });
};
async function handle(signal) {
  if (signal.kind === 'offer') {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    newPc();
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    for (const t of pc.getTransceivers()) if (t.sender.track && t.sender.track.kind === 'video') vp8(t);
    await pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    send({ kind: 'answer', sdp: pc.localDescription.sdp });
    flush();
  } else if (signal.kind === 'answer') {
    await pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp });
    flush();
  } else if (signal.kind === 'ice' && pc) {
    await pc.addIceCandidate(signal.candidate ?? undefined).catch(() => {});
  } else if (signal.kind === 'hangup') {
    hangUp(false);
  }
}
window.hangUp = (tell = true) => {
  if (tell) send({ kind: 'hangup' });
  if (pc) pc.close();
  if (stream) for (const t of stream.getTracks()) t.stop();
  pc = null; stream = null; answered = false; pending = [];
};
</script>`;

/** CPU seconds used so far by every process under `root` (by default this one: the browsers it launched), `root` itself not counted. */
export function browserCpuSeconds(root = process.pid): number {
  let total = 0;
  for (const pid of descendants(root)) total += ticksOf(`/proc/${pid}/stat`);
  return total / 100;
}

/**
 * CPU seconds used so far by the threads named `thread` in every process under `root`: a browser
 * runs each dedicated worker (Parley's SFrame worker) on a thread of its own, "DedicatedWorker" in
 * Chromium, "DOM Worker" in Firefox, so this is what the worker itself costs, without the UI.
 */
export function threadCpuSeconds(thread: string, root = process.pid): number {
  let total = 0;
  for (const pid of descendants(root)) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone meanwhile
    }
    for (const tid of tasks) {
      const path = `/proc/${pid}/task/${tid}/stat`;
      if (threadName(path) === thread) total += ticksOf(path);
    }
  }
  return total / 100;
}

/** The processes under `root` (children, their children, …), `root` not included. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parents.set(Number(name), Number(statFields(readFileSync(`/proc/${name}/stat`, 'utf8'))[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === root) return true;
    return false;
  };
  return [...parents.keys()].filter(isDescendant);
}

/** User + system clock ticks of a process or thread, from its stat file; 0 if it is gone. */
function ticksOf(statPath: string): number {
  try {
    const fields = statFields(readFileSync(statPath, 'utf8'));
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** The name of a process or thread (the kernel keeps its first 15 bytes), from its stat file. */
function threadName(statPath: string): string | null {
  try {
    const stat = readFileSync(statPath, 'utf8');
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  } catch {
    return null;
  }
}

/** The Parley server (test environment, development manifest keys, no rate limits) and a server of the bare page. */
export interface CallBenchServers {
  readonly addresses: Required<Addresses>;
  /** Where the bare page is served. */
  readonly bareOrigin: string;
  stop(): Promise<void>;
}

/** Starts both servers on loopback, with a fresh data folder. */
export async function startCallBenchServers(): Promise<CallBenchServers> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-call-'));
  const server = createParleyServer(
    configFromEnv(testServerEnvironment(dataDir, {
      PARLEY_RATE_LIMITS: 'off',
      // The committed development keys: the shell built with PARLEY_DEV_MANIFEST_KEYS=1 pins them.
      PARLEY_MANIFEST_KEY_FILE: new URL('../dev/manifest-dev-keys.json', import.meta.url).pathname,
    })),
  );
  const addresses = (await server.start()) as Required<Addresses>;
  const bare = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(BARE_PAGE));
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareOrigin = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  return {
    addresses,
    bareOrigin,
    async stop() {
      bare.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The bare page's address for one side: its relay token and whom it calls or answers. */
export function barePageUrl(servers: CallBenchServers, me: BareAccount, peer: BareAccount): string {
  const relay = `${servers.addresses.api.replace(/^http/, 'ws')}/ws`;
  return `${servers.bareOrigin}/?relay=${encodeURIComponent(relay)}&token=${encodeURIComponent(me.token)}&peer=${encodeURIComponent(peer.userId)}`;
}

export interface BareAccount {
  userId: string;
  token: string;
}

/** A real account and device token, made through the accounts API (the bare pages only use the token). */
export async function bareAccount(addresses: Required<Addresses>, handle: string): Promise<BareAccount> {
  const api = new ParleyApiClient({ baseUrl: addresses.api, fetch: (input, init) => fetch(input, init) });
  const setup = await createAccount({
    api,
    createStore: (identity, registrationId) => new InMemorySignalProtocolStore(identity, registrationId),
    handle,
    displayName: handle,
    preKeyCounts: { oneTimePreKeys: 2, kyberOneTimePreKeys: 1 },
  });
  return { userId: setup.credentials.userId, token: setup.credentials.token };
}
