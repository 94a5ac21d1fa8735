/**
 * `npm run bench` (second part): how long a Parley video call takes to show the other person, and
 * what SFrame costs, against a bare WebRTC page in the same run.
 *
 * - Parley: the real server, shell, chat and call apps; two Chromium pages with real accounts.
 *   Alice clicks "Video call"; Bob's page accepts as soon as it rings (an observer clicks
 *   "Accept"). Signaling is Signal-encrypted through the relay, media SFrame-encrypted in a worker.
 * - Bare: one static page per side with a plain RTCPeerConnection (audio + VP8 video, no
 *   encryption), its offer, answer and candidates sent in clear through the same relay WebSocket
 *   (same server, real device tokens), auto-accepted the same way.
 * - Time from the click to the first remote video frame decoded and the first remote audio decoded
 *   on the caller, from the call connection's RTP source timestamps (exact; see INSTRUMENT), with
 *   what a getStats poll saw alongside; median of BENCH_CALL_RUNS (≥ 10) runs each, interleaved,
 *   after one warm-up each.
 * - CPU: Chromium's CPU time (every browser process) over BENCH_CPU_SECONDS of a steady call, each
 *   kind; the difference spread over the 4 encrypted streams of a 1:1 video call (audio and video,
 *   each way; each stream is encrypted by its sender and decrypted by its receiver). It also
 *   counts the Parley UI (meter, stats, timer), so it is an upper bound for SFrame itself.
 *
 * Goal from the calls issue: Parley ≤ 1.2× the bare page. Printed, not asserted.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS, median, sleep, onboardInShell } from './bench-support.js';
import { type BareAccount, type BenchWindow, type FirstMedia, INSTRUMENT, bareAccount, barePageUrl, browserCpuSeconds, startCallBenchServers, threadCpuSeconds } from './call-support.js';

const RUNS = Math.max(10, Number(process.env.BENCH_CALL_RUNS ?? 10));
const CPU_SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 10);
const ENCRYPTED_STREAMS = 4;
/** Chromium's name for a dedicated worker's thread (see threadCpuSeconds). */
const WORKER_THREAD = 'DedicatedWorker';

interface PhaseEvent {
  readonly name: string;
  readonly t: number;
  readonly detail?: unknown;
}

interface PhaseWindow {
  __benchEvents?: PhaseEvent[];
  __benchMark?: (name: string) => void;
}

/** One run's steps: `A:` caller, `B:` callee, ms since the click; repeated relay frames numbered (`send#2`). */
type PhaseRun = Map<string, number>;

/** Where each step of a call's setup lands, in order, for the breakdown table. */
const PHASE_ROWS: readonly [key: string, label: string][] = [
  ['A:gum-start', 'caller getUserMedia called'],
  ['A:gum-done', 'caller camera+mic open'],
  ['A:worker-created', 'caller SFrame worker created'],
  ['A:setLocalDescription-done', 'caller offer set'],
  ['A:ws-send#1', 'caller offer sent'],
  ['B:ws-deliver#1', 'callee offer received'],
  ['B:worker-created', 'callee SFrame worker created'],
  ['B:gum-start', 'callee getUserMedia called'],
  ['B:gum-done', 'callee camera+mic open'],
  ['B:gum-done-audio', 'callee microphone open (opened alone)'],
  ['B:gum-done-video', 'callee camera open (opened alone)'],
  ['B:setRemoteDescription-done', 'callee offer applied'],
  ['B:replaceTrack-audio', 'callee microphone onto its sender'],
  ['B:replaceTrack-video', 'callee camera onto its sender'],
  ['B:setLocalDescription-done', 'callee answer set'],
  ['B:ws-send#1', 'callee answer sent'],
  ['A:ws-deliver#1', 'caller answer received'],
  ['A:setRemoteDescription-done', 'caller answer applied'],
  ['B:ice-connected', 'callee ICE connected'],
  ['A:ice-connected', 'caller ICE connected'],
  ['A:dtls-connected', 'caller DTLS connected'],
  ['B:dtls-connected', 'callee DTLS connected'],
  ['B:worker-in-send-audio-0', 'callee first microphone frame encoded'],
  ['B:worker-out-send-audio-0', 'callee first microphone frame encrypted'],
  ['B:worker-in-send-video-1', 'callee first camera frame encoded'],
  ['B:worker-out-send-video-1', 'callee first camera frame encrypted'],
  ['A:video-packet', 'caller first video packet'],
  ['A:worker-in-receive-video-1', 'caller first video frame into worker'],
  ['A:worker-out-receive-video-1', 'caller first video frame decrypted'],
  ['A:video-frame-received', 'caller framesReceived > 0'],
  ['A:video-decoded', 'caller first video frame decoded'],
  ['A:video-delivered', 'caller first video frame on the track (exact)'],
  ['A:audio-packet', 'caller first audio packet'],
  ['A:worker-out-receive-audio-0', 'caller first audio frame decrypted'],
  ['A:audio-decoded', 'caller first audio decoded'],
  ['A:audio-delivered', 'caller first audio on the track (exact)'],
];

async function clearPhases(...pages: Page[]): Promise<void> {
  for (const page of pages) await page.evaluate(() => (window as unknown as PhaseWindow).__benchEvents?.splice(0));
}

/** Both pages' steps since the click, once the call settled for a moment. */
async function collectPhases(caller: Page, callee: Page): Promise<PhaseRun> {
  await sleep(1_000);
  const run: PhaseRun = new Map();
  const [a, b] = await Promise.all([caller, callee].map((page) => page.evaluate(() => [...((window as unknown as PhaseWindow).__benchEvents ?? [])])));
  const click = a!.find((e) => e.name === 'click')?.t ?? NaN;
  if (PHASES_FILE) appendFileSync(PHASES_FILE, `${JSON.stringify({ caller: a, callee: b, click })}\n`);
  for (const [side, events] of [['A', a!], ['B', b!]] as const) {
    const counts = new Map<string, number>();
    const idb: { side: string; t: number; ms: number; mode: string }[] = [];
    for (const { name, t, detail } of events) {
      if (t < click) continue;
      const n = (counts.get(name) ?? 0) + 1;
      counts.set(name, n);
      const key = name.startsWith('ws-') ? `${side}:${name}#${n}` : `${side}:${name}`;
      if (!run.has(key)) run.set(key, t - click);
      if (name.startsWith('idb-')) idb.push({ side, t: t - click, ms: Number(detail), mode: name.slice(4) });
      if (name === 'worker-drops' && n === 1) process.stdout.write(`  (${side} worker drops ${String(detail)})\n`);
      if (name === 'worker-out-receive-video-1' && Number(detail) > 0) process.stdout.write(`  (${side} ${String(detail)} video frame(s) dropped before the first decrypted one)\n`);
    }
    const upTo = run.get(`${side}:ws-send#1`) ?? 0;
    const before = idb.filter((e) => e.t <= upTo);
    const sum = (mode: string) => before.filter((e) => e.mode === mode).reduce((total, e) => total + e.ms, 0);
    process.stdout.write(
      `  (${side} IndexedDB before its first send: ${before.filter((e) => e.mode === 'readonly').length} reads ${sum('readonly').toFixed(0)} ms, ${before.filter((e) => e.mode === 'readwrite').length} writes ${sum('readwrite').toFixed(0)} ms)\n`,
    );
  }
  return run;
}

/** Median ms since the click of each step, Parley and bare side by side. */
function phaseTable(parley: readonly PhaseRun[], bare: readonly PhaseRun[]): string {
  const med = (runs: readonly PhaseRun[], key: string) => {
    const values = runs.map((r) => r.get(key)).filter((v): v is number => v !== undefined);
    return values.length ? `${median(values).toFixed(0)} ms` : '—';
  };
  const lines = ['', '| step (median ms since the click)          |    Parley |      bare |', '|-------------------------------------------|-----------|-----------|'];
  for (const [key, label] of PHASE_ROWS) lines.push(`| ${`${key.slice(0, 1)} ${label}`.padEnd(41)} | ${med(parley, key).padStart(9)} | ${med(bare, key).padStart(9)} |`);
  return lines.join('\n');
}

/**
 * BENCH_CALL_PHASES=1: every page (both kinds, both sides) also records when each setup step
 * happened, on one clock (`performance.timeOrigin + now()`, the same machine): getUserMedia,
 * descriptions, relay frames sent (`send`) and delivered (`deliver`), ICE and DTLS connected, the
 * first frame into and out of each SFrame transform in the worker (through a BroadcastChannel from a
 * hook loaded before the worker's own script), the worker's drop counters, and the first packet,
 * frame and decoded frame in getStats. Off by default: the hooks add a stream stage per transform.
 */
const PHASES = process.env.BENCH_CALL_PHASES === '1';
/** With BENCH_CALL_PHASES: also append every run's raw events (both pages, one JSON line per call) to this file. */
const PHASES_FILE = process.env.BENCH_CALL_PHASES_FILE;
/** BENCH_CALL_PROFILE=<dir>: a JS CPU profile of each Parley page per call (100 µs sampling), from just before the click. */
const PROFILE_DIR = process.env.BENCH_CALL_PROFILE;
/** BENCH_CALL_TRACE=<file>: a Chromium trace (all processes) of the third measured Parley call. */
const TRACE_FILE = process.env.BENCH_CALL_TRACE;
const PHASE_INSTRUMENT = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const events = [];
  window.__benchEvents = events;
  const mark = (name, detail) => events.push({ name, t: now(), detail });
  window.__benchMark = mark;
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) => {
    const kinds = (c.audio ? 'audio' : '') + (c.video ? 'video' : '');
    mark('gum-start', kinds);
    const s = await gum(c);
    mark('gum-done', kinds);
    if (kinds !== 'audiovideo') mark('gum-done-' + kinds);
    return s;
  };
  const sendNative = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try { const f = JSON.parse(data); if (f.t === 'send') mark('ws-send', f.to.slice(0, 8) + ' x' + f.messages.length + ' ' + f.messages.map((m) => m.ciphertext.length).join(',')); } catch {}
    return sendNative.call(this, data);
  };
  const NativeWs = window.WebSocket;
  window.WebSocket = class extends NativeWs {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => { try { const f = JSON.parse(e.data); if (f.t === 'deliver') mark('ws-deliver'); } catch {} });
    }
  };
  const Pc = window.RTCPeerConnection;
  const wrap = (name) => {
    const native = Pc.prototype[name];
    Pc.prototype[name] = async function (...args) {
      // Polled from the remote description on: a ready connection may be made long before its call.
      if (name === 'setRemoteDescription') this.startPoll?.();
      const type = args[0]?.type ?? '';
      mark(name + '-start', type);
      const r = await native.apply(this, args);
      mark(name + '-done', type || this.localDescription?.type);
      return r;
    };
  };
  for (const name of ['createOffer', 'createAnswer', 'setLocalDescription', 'setRemoteDescription']) wrap(name);
  const replaceTrack = RTCRtpSender.prototype.replaceTrack;
  RTCRtpSender.prototype.replaceTrack = function (track) {
    if (track) mark('replaceTrack-' + track.kind);
    return replaceTrack.call(this, track);
  };
  const Base = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Base {
    constructor(...args) {
      super(...args);
      mark('pc-created');
      this.addEventListener('iceconnectionstatechange', () => mark('ice-' + this.iceConnectionState));
      this.addEventListener('connectionstatechange', () => mark('dtls-' + this.connectionState));
      this.addEventListener('icegatheringstatechange', () => mark('gathering-' + this.iceGatheringState));
      this.addEventListener('icecandidate', ({ candidate: c }) => mark('candidate', c ? c.protocol + ' ' + c.type + ' ' + c.address + ' ' + (c.tcpType ?? '') : 'end'));
      this.startPoll = () => {
        if (this.polling) return;
        this.polling = true;
        const seen = new Set();
        const started = performance.now();
        const poll = async () => {
        if (this.connectionState === 'closed' || performance.now() - started > 30000) return;
        for (const receiver of this.getReceivers()) {
          const source = receiver.getSynchronizationSources()[0];
          const key = receiver.track.kind + '-delivered';
          if (source && !seen.has(key)) { seen.add(key); events.push({ name: key, t: source.timestamp }); }
        }
        for (const s of (await this.getStats()).values()) {
          if (s.type !== 'inbound-rtp') continue;
          const first = (key, ok) => { if (ok && !seen.has(key)) { seen.add(key); mark(key); } };
          first(s.kind + '-packet', (s.packetsReceived ?? 0) > 0);
          if (s.kind === 'video') {
            first('video-frame-received', (s.framesReceived ?? 0) > 0);
            first('video-decoded', (s.framesDecoded ?? 0) > 0);
            first('video-keyframe-decoded', (s.keyFramesDecoded ?? 0) > 0);
            if ((s.pliCount ?? 0) > 0 || (s.firCount ?? 0) > 0) first('video-pli-sent', true);
          } else first('audio-decoded', (s.totalSamplesReceived ?? 0) > 0);
        }
        if (seen.size < 7) setTimeout(poll, 5);
        };
        poll();
      };
    }
  };
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (...args) {
    const tx = transaction.apply(this, args);
    const start = now();
    tx.addEventListener('complete', () => events.push({ name: 'idb-' + tx.mode, t: start, detail: now() - start }));
    return tx;
  };
  new BroadcastChannel('bench-phases').onmessage = ({ data }) => events.push(data);
  const hook = ${JSON.stringify(`(() => {
    const now = () => performance.timeOrigin + performance.now();
    const channel = new BroadcastChannel('bench-phases');
    addEventListener('rtctransform', ({ transformer }) => {
      const o = transformer.options;
      const label = o.side + '-' + o.kind + '-' + o.slot;
      let into = 0, out = 0;
      const readable = transformer.readable, writable = transformer.writable;
      const first = new TransformStream({ transform(f, c) { into += 1; if (into === 1) channel.postMessage({ name: 'worker-in-' + label, t: now() }); c.enqueue(f); } });
      const last = new TransformStream({ transform(f, c) { out += 1; if (out === 1) channel.postMessage({ name: 'worker-out-' + label, t: now(), detail: into - out }); c.enqueue(f); } });
      last.readable.pipeTo(writable).catch(() => {});
      Object.defineProperty(transformer, 'readable', { value: readable.pipeThrough(first) });
      Object.defineProperty(transformer, 'writable', { value: last.writable });
    });
  })();`)};
  // The hook goes in front of the worker's own code in the blob it starts from (Parley starts its
  // worker from a blob of checked bytes; its CSP lets no worker importScripts a blob).
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = (object) =>
    createObjectURL(object instanceof Blob && object.type === 'text/javascript' ? new Blob([hook + '\\n', object], { type: object.type }) : object);
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(url, options) {
      mark('worker-created');
      super(url, options);
      this.addEventListener('message', ({ data }) => {
        if (data?.type !== 'counters') return;
        for (const t of data.transforms) if (t.dropped > 0) mark('worker-drops', t.side + '-' + t.kind + '-' + t.slot + ':' + t.dropped + ':' + t.lastFailure);
      });
    }
  };
})();`;


async function waitFor(page: Page, predicate: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(predicate, undefined, { timeout, polling: 20 });
}

/** A Parley person: onboarded in the shell, conversation open, or auto-accepting calls. */
async function parleyPerson(browser: Browser, shell: string, handle: string, name: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US' });
  await context.addInitScript(INSTRUMENT);
  if (PHASES) await context.addInitScript(PHASE_INSTRUMENT);
  const page = await context.newPage();
  await onboardInShell(page, shell, handle, name, 20_000);
  await page.getByTestId('call-app').waitFor({ state: 'attached', timeout: 20_000 });
  return { context, page };
}

/**
 * Clicks "Accept" the moment an incoming call shows (the fastest possible callee). Only what was
 * added is searched: a search of the whole page on every change would add the harness's own work to
 * the callee's main thread while the call is set up (the bare callee has no page to search).
 */
async function autoAccept(page: Page): Promise<void> {
  await page.evaluate(() => {
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        for (const node of mutation.addedNodes) {
          if (!(node instanceof Element)) continue;
          const buttons = node instanceof HTMLButtonElement ? [node] : [...node.querySelectorAll('button')];
          const accept = buttons.find((b) => (b.getAttribute('aria-label') ?? b.textContent?.trim()) === 'Accept');
          if (accept) return accept.click();
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
}

async function clickAndTime(page: Page): Promise<FirstMedia> {
  return page.evaluate(() => {
    const timing = (window as unknown as BenchWindow).__benchArm();
    (window as unknown as PhaseWindow).__benchMark?.('click');
    // By its accessible name: Parley's is an icon button named by aria-label, the bare page's has text.
    [...document.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent?.trim()) === 'Video call')!.click();
    return timing;
  });
}

async function main(): Promise<void> {
  const servers = await startCallBenchServers();
  const { addresses } = servers;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    // Parley: two onboarded people; Alice opens the chat with Bob; Bob accepts at once.
    const suffix = Math.random().toString(36).slice(2, 7);
    const alice = await parleyPerson(browser, addresses.shell, `alice_${suffix}`, 'Alice Liddell');
    const bob = await parleyPerson(browser, addresses.shell, `bob_${suffix}`, 'Bob Dylan');
    const chat = alice.page.getByTestId('chat-app');
    await chat.getByRole('search').getByLabel('Handle').fill(`bob_${suffix}`);
    await chat.getByRole('button', { name: 'Start chat' }).click();
    await alice.page.getByRole('button', { name: 'Video call' }).waitFor();
    await autoAccept(bob.page);

    // Bare: two accounts with real device tokens on the same server.
    const bareAccounts = await Promise.all(['carol', 'dave'].map((who) => bareAccount(addresses, `${who}_${suffix}`)));
    const [carol, dave] = bareAccounts as [BareAccount, BareAccount];
    const bareSide = async (me: BareAccount, peer: BareAccount) => {
      const context = await browser.newContext({ locale: 'en-US' });
      await context.addInitScript(INSTRUMENT);
      if (PHASES) await context.addInitScript(PHASE_INSTRUMENT);
      const page = await context.newPage();
      await page.goto(barePageUrl(servers, me, peer));
      await waitFor(page, "document.title === 'ready'");
      return { context, page };
    };
    const bareCaller = await bareSide(carol, dave);
    // Dave's page answers by itself.
    const bareCallee = await bareSide(dave, carol);

    const parleyPhases: PhaseRun[] = [];
    const barePhases: PhaseRun[] = [];
    if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
    const profilers = PROFILE_DIR ? await Promise.all([alice.page, bob.page].map((page) => page.context().newCDPSession(page))) : [];
    for (const session of profilers) {
      await session.send('Profiler.enable');
      await session.send('Profiler.setSamplingInterval', { interval: 100 });
    }
    let profiled = 0;
    let calls = 0;
    const parleyCall = async (): Promise<FirstMedia> => {
      if (PHASES) await clearPhases(alice.page, bob.page);
      for (const session of profilers) await session.send('Profiler.start');
      const tracing = TRACE_FILE && ++calls === 4;
      if (tracing) await browser.startTracing(undefined, { path: TRACE_FILE, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'blink', 'v8', 'webrtc', 'media', 'disabled-by-default-v8.gc'] });
      const timing = await clickAndTime(alice.page);
      if (tracing) {
        await sleep(600);
        await browser.stopTracing();
      }
      if (PHASES) parleyPhases.push(await collectPhases(alice.page, bob.page));
      else if (profilers.length) await sleep(1_000);
      for (const [i, session] of profilers.entries()) {
        const { profile } = await session.send('Profiler.stop');
        writeFileSync(join(PROFILE_DIR!, `${profiled}-${i === 0 ? 'caller' : 'callee'}.cpuprofile`), JSON.stringify(profile));
      }
      if (profilers.length) profiled += 1;
      await alice.page.getByRole('button', { name: 'Hang up' }).click();
      for (const { page } of [alice, bob]) {
        await waitFor(page, `document.querySelector('[data-testid="call-panel"]')?.dataset.phase === 'ended'`);
        await page.getByTestId('call-panel').getByRole('button', { name: 'OK' }).click();
        await waitFor(page, `!document.querySelector('[data-testid="call-panel"]')`);
      }
      return timing;
    };
    const bareCall = async (): Promise<FirstMedia> => {
      if (PHASES) await clearPhases(bareCaller.page, bareCallee.page);
      const timing = await clickAndTime(bareCaller.page);
      if (PHASES) barePhases.push(await collectPhases(bareCaller.page, bareCallee.page));
      await bareCaller.page.evaluate(() => (window as unknown as { hangUp(): void }).hangUp());
      await sleep(300);
      return timing;
    };

    process.stdout.write(`call bench: ${RUNS} runs each, interleaved, after a warm-up\n`);
    await parleyCall();
    await bareCall();
    const parley: FirstMedia[] = [];
    const plain: FirstMedia[] = [];
    parleyPhases.length = 0;
    barePhases.length = 0;
    for (let run = 0; run < RUNS; run++) {
      parley.push(await parleyCall());
      plain.push(await bareCall());
      await sleep(200);
    }

    // CPU: a steady call of each kind, measured alone.
    // Also the dedicated workers' threads alone: Parley's SFrame worker (the bare page has none).
    const cpuOf = async (start: () => Promise<unknown>, stop: () => Promise<unknown>) => {
      await start();
      await sleep(3_000);
      const before = browserCpuSeconds();
      const workerBefore = threadCpuSeconds(WORKER_THREAD);
      await sleep(CPU_SECONDS * 1000);
      const used = browserCpuSeconds() - before;
      const worker = threadCpuSeconds(WORKER_THREAD) - workerBefore;
      await stop();
      return { used: used / CPU_SECONDS, worker: worker / CPU_SECONDS };
    };
    const { used: parleyCpu, worker: sframeWorkerCpu } = await cpuOf(
      () => clickAndTime(alice.page),
      async () => {
        await alice.page.getByRole('button', { name: 'Hang up' }).click();
        await sleep(500);
      },
    );
    const { used: bareCpu } = await cpuOf(
      () => clickAndTime(bareCaller.page),
      () => bareCaller.page.evaluate(() => (window as unknown as { hangUp(): void }).hangUp()),
    );

    const row = (label: string, p: number, b: number, unit = 'ms') =>
      `| ${label.padEnd(44)} | ${`${p.toFixed(0)} ${unit}`.padStart(9)} | ${`${b.toFixed(0)} ${unit}`.padStart(9)} | ${(p / b).toFixed(2).padStart(5)}× |`;
    const med = (runs: readonly FirstMedia[], key: keyof FirstMedia) => median(runs.map((r) => r[key]));
    const ratio = (key: keyof FirstMedia) => (med(parley, key) / med(plain, key)).toFixed(2);
    const list = (runs: readonly FirstMedia[], video: keyof FirstMedia, audio: keyof FirstMedia) => runs.map((r) => `${r[video].toFixed(0)}/${r[audio].toFixed(0)}`).join(' ');
    const lines = [
      '',
      `| median of ${String(RUNS).padEnd(2)} runs (click → caller)               |    Parley |      bare | ratio |`,
      '|----------------------------------------------|-----------|-----------|-------|',
      row('first remote video frame decoded', med(parley, 'videoMs'), med(plain, 'videoMs')),
      row('first remote audio decoded', med(parley, 'audioMs'), med(plain, 'audioMs')),
      row('  (seen in getStats, ≤ 50 ms late) video', med(parley, 'statsVideoMs'), med(plain, 'statsVideoMs')),
      row('  (seen in getStats, ≤ 50 ms late) audio', med(parley, 'statsAudioMs'), med(plain, 'statsAudioMs')),
      '',
      `| CPU of Chromium in a steady 1:1 video call (both pages) | Parley ${(parleyCpu * 100).toFixed(1)} % | bare ${(bareCpu * 100).toFixed(1)} % of a core |`,
      `| per SFrame-encrypted stream (difference / ${ENCRYPTED_STREAMS}, encrypt + decrypt, UI included) | ${(((parleyCpu - bareCpu) / ENCRYPTED_STREAMS) * 100).toFixed(2)} % of a core |`,
      `| of which the SFrame worker's thread, per stream (encrypt + decrypt, no UI) | ${((sframeWorkerCpu / ENCRYPTED_STREAMS) * 100).toFixed(2)} % of a core |`,
      '',
      `runs (video/audio ms) Parley: ${list(parley, 'videoMs', 'audioMs')}`,
      `runs (video/audio ms) bare:   ${list(plain, 'videoMs', 'audioMs')}`,
      `runs in getStats (video/audio ms) Parley: ${list(parley, 'statsVideoMs', 'statsAudioMs')}`,
      `runs in getStats (video/audio ms) bare:   ${list(plain, 'statsVideoMs', 'statsAudioMs')}`,
      `goal: Parley ≤ 1.2× bare (first video frame ${ratio('videoMs')}×, first audio ${ratio('audioMs')}×)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (PHASES) process.stdout.write(`${phaseTable(parleyPhases, barePhases)}\n`);
  } finally {
    await browser.close();
    await servers.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
