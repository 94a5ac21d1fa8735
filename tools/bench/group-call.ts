/**
 * `npm run bench` (group calls): how a 32-person group call through Janus loads this machine and
 * the two real browsers in it, at 4, 8, 16 and 32 participants.
 *
 * - The real server (with Janus, started by it on the namespace's `jlo` link), shell, chat and call
 *   apps; two Chromium browsers (separate processes, so each one's CPU is its own) with onboarded
 *   people, Alice and Bob, in a group chat whose other members are werift bots (tools/bots).
 * - Alice clicks "Start group call", Bob joins from the ring; the bots get the ring too (its call
 *   id) and join one after another until the call holds the step's number of participants. Each
 *   bot publishes a pre-encoded clip (Opus + 160x120 VP8 at 15 fps, made once with Chromium's
 *   WebCodecs into .tmp/bots/), SFrame-encrypted with its own key, which it sends to Alice and
 *   Bob over Signal, and subscribes to BENCH_GROUP_SUBSCRIBE (2) feeds.
 * - Per step, after BENCH_GROUP_SETTLE_SECONDS (8) and over BENCH_GROUP_SECONDS (10): bot join time
 *   (join request → publisher connection up, median and worst of the step's newcomers); Janus's CPU
 *   and each browser's (every process of it, /proc); each browser's downlink (its transports'
 *   bytesReceived); frames decoded per second of each visible tile (spotlight and thumbnails: the
 *   inbound-rtp stats of the track each one shows); whether everyone is in. CPU is in % of one
 *   core (this machine has 2); "machine busy" counts every process, other people's work included,
 *   so a busy machine shows there; "server + bots" is this process (server, bots, Playwright).
 *
 * Goal from the group-calls issue: all 32 joined, every visible tile decoding, browser CPU at 32 ≤
 * 1.5× its CPU at 8. Printed, not asserted. Needs root for the network namespace (Janus needs its
 * `jlo` link): run through tools/test/in-loopback-namespace.sh, as run-all.sh does.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from '@playwright/test';
import { type Addresses, configFromEnv, createParleyServer } from '@parley/server';
import { testServerEnvironment } from '@parley/server/testing';
import { GroupCallBot, type MediaClip, loadOrGenerateClip } from '../bots/src/index.js';
import { CHROMIUM, CHROMIUM_ARGS, median, sleep, statFields, onboardInShell, RECORD_PEER_CONNECTIONS } from './bench-support.js';

const STEPS = (process.env.BENCH_GROUP_STEPS ?? '4,8,16,32').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_GROUP_SECONDS ?? 10);
const SETTLE_SECONDS = Number(process.env.BENCH_GROUP_SETTLE_SECONDS ?? 8);
const SUBSCRIBE = Number(process.env.BENCH_GROUP_SUBSCRIBE ?? 2);
const BROWSERS = 2;
/** A tile decoding fewer frames a second than this counts as not decoding (the clip runs at 15). */
const DECODING_FPS = 5;
const REPO = new URL('../..', import.meta.url).pathname;

/** Records every RTCPeerConnection of a page. */
const INSTRUMENT = RECORD_PEER_CONNECTIONS;

/** What a page reports at one instant: bytes received so far and frames decoded per visible tile. */
const SAMPLE = `(async () => {
  const tiles = [];
  for (const el of document.querySelectorAll('[data-testid="group-call-spotlight-video"], [data-testid="group-call-tile-video"]')) {
    const track = el.srcObject && el.srcObject.getVideoTracks ? el.srcObject.getVideoTracks()[0] : null;
    const owner = el.closest('[data-participant]');
    tiles.push({ track: track ? track.id : null, participant: owner ? owner.getAttribute('data-participant') : null, spotlight: el.dataset.testid === 'group-call-spotlight-video', rendered: el.getVideoPlaybackQuality ? el.getVideoPlaybackQuality().totalVideoFrames : 0 });
  }
  let bytes = 0;
  const framesByTrack = {};
  for (const pc of window.__benchPcs || []) {
    if (pc.connectionState === 'closed') continue;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'transport') bytes += s.bytesReceived || 0;
      if (s.type === 'inbound-rtp' && s.kind === 'video' && s.trackIdentifier) framesByTrack[s.trackIdentifier] = s.framesDecoded || 0;
    });
  }
  const count = document.querySelector('[data-testid="group-call-count"]');
  const call = document.querySelector('[data-testid="group-call"]');
  const cantDecrypt = document.querySelector('[data-testid="group-call-cant-decrypt"]');
  return { at: performance.now(), bytes, tiles, framesByTrack, count: count ? count.textContent : '', phase: call ? call.dataset.phase : 'none', cantDecrypt: cantDecrypt ? cantDecrypt.textContent : null };
})()`;

interface PageSample {
  at: number;
  bytes: number;
  tiles: { track: string | null; participant: string | null; spotlight: boolean; rendered: number }[];
  framesByTrack: Record<string, number>;
  count: string;
  phase: string;
  /** The call's "can't decrypt" notice, when shown. */
  cantDecrypt: string | null;
}

interface Person {
  name: string;
  handle: string;
  browser: Browser;
  page: Page;
  /** The browser's main process: its CPU and its children's are this person's. */
  pid: number;
}

interface StepResult {
  participants: number;
  joined: number;
  joinMs: number[];
  janusCpu: number;
  /** This process: the server and every bot (and Playwright's driver). */
  serverAndBotsCpu: number;
  /** Every core of the machine busy, in cores (other work on the machine shows here). */
  machineBusy: number;
  browsers: { cpu: number; downKbps: number; tileFps: number[]; streamsDecoding: number; count: string; phase: string; cantDecrypt: string | null }[];
}

// ── /proc ─────────────────────────────────────────────────────────────────────────────────────

interface ProcInfo {
  parent: number;
  ticks: number;
  comm: string;
}

function processes(): Map<number, ProcInfo> {
  const all = new Map<number, ProcInfo>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = statFields(stat);
      all.set(Number(name), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), comm });
    } catch {
      // Gone meanwhile.
    }
  }
  return all;
}

/** CPU seconds used so far by `root` and every process under it. */
function treeCpuSeconds(root: number, all = processes()): number {
  let total = 0;
  for (const [pid, info] of all) {
    let p: number | undefined = pid;
    while (p !== undefined && p > 1 && p !== root) p = all.get(p)?.parent;
    if (p === root) total += info.ticks;
  }
  return total / 100;
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, v) => sum + v, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Direct children of this process that are Chromium. */
function chromiumChildren(): Set<number> {
  const found = new Set<number>();
  for (const [pid, info] of processes()) if (info.parent === process.pid && /chrom/i.test(info.comm)) found.add(pid);
  return found;
}

/** The Janus the server started (a child of this process or below). */
function janusPid(): number | null {
  const all = processes();
  for (const [pid, info] of all) {
    if (info.comm !== 'janus') continue;
    for (let p: number | undefined = info.parent; p !== undefined && p > 1; p = all.get(p)?.parent) if (p === process.pid) return pid;
  }
  return null;
}

// ── people and the call ───────────────────────────────────────────────────────────────────────


/** A person in their own Chromium (its own processes), onboarded in the shell. */
async function person(shell: string, handle: string, name: string): Promise<Person> {
  const before = chromiumChildren();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const pid = [...chromiumChildren()].find((p) => !before.has(p));
  if (pid === undefined) throw new Error('could not find the Chromium process just launched');
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  await context.addInitScript(INSTRUMENT);
  const page = await context.newPage();
  await onboardInShell(page, shell, handle, name, 30_000);
  await page.getByTestId('call-app').waitFor({ state: 'attached', timeout: 30_000 });
  return { name, handle, browser, page, pid };
}

/** Alice makes the group (Bob and every bot), Bob opens it. */
async function createGroup(alice: Person, bob: Person, botHandles: readonly string[], name: string): Promise<void> {
  await alice.page.getByTestId('new-group').click();
  await alice.page.getByTestId('group-name').fill(name);
  await alice.page.getByTestId('group-members').fill([bob.handle, ...botHandles].join(', '));
  await alice.page.getByRole('button', { name: 'Create group' }).click();
  await waitAttr(alice.page, 'conversation', 'data-kind', 'group', 120_000);
  await bob.page.getByTestId('conversation-item').filter({ hasText: name }).click({ timeout: 60_000 });
  await waitAttr(bob.page, 'conversation', 'data-kind', 'group', 30_000);
}

async function waitAttr(page: Page, testId: string, attr: string, value: string, timeout: number): Promise<void> {
  await page.waitForFunction(`document.querySelector('[data-testid="${testId}"]')?.getAttribute('${attr}') === '${value}'`, undefined, { timeout, polling: 100 });
}

async function sample(page: Page): Promise<PageSample> {
  return page.evaluate<PageSample>(SAMPLE);
}

/** How many inbound video streams decoded at least DECODING_FPS between two samples, visible or not. */
function streamsDecoding(a: PageSample, b: PageSample): number {
  const seconds = (b.at - a.at) / 1000;
  return Object.entries(b.framesByTrack).filter(([track, after]) => (after - (a.framesByTrack[track] ?? after)) / seconds >= DECODING_FPS).length;
}

/** Frames decoded per second of each visible tile between two samples (by the track it shows). */
function tileFps(a: PageSample, b: PageSample): number[] {
  const seconds = (b.at - a.at) / 1000;
  return b.tiles.map((tile) => {
    if (!tile.track) return 0;
    const before = a.framesByTrack[tile.track];
    const after = b.framesByTrack[tile.track];
    if (before === undefined || after === undefined) return 0;
    return (after - before) / seconds;
  });
}

async function measure(people: readonly Person[], participants: number, joined: number, joinMs: number[]): Promise<StepResult> {
  await sleep(SETTLE_SECONDS * 1000);
  const janus = janusPid();
  const startCpu = { janus: janus === null ? 0 : treeCpuSeconds(janus), browsers: people.map((p) => treeCpuSeconds(p.pid)), self: process.cpuUsage(), machine: machineJiffies() };
  const startSamples = await Promise.all(people.map((p) => sample(p.page)));
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const endSamples = await Promise.all(people.map((p) => sample(p.page)));
  const wall = (performance.now() - t0) / 1000;
  const all = processes();
  const self = process.cpuUsage(startCpu.self);
  const machine = machineJiffies();
  return {
    participants,
    joined,
    joinMs,
    serverAndBotsCpu: (self.user + self.system) / 1e6 / wall,
    machineBusy: ((machine.busy - startCpu.machine.busy) / (machine.total - startCpu.machine.total)) * cpus().length,
    janusCpu: janus === null ? NaN : (treeCpuSeconds(janus, all) - startCpu.janus) / wall,
    browsers: people.map((p, i) => ({
      cpu: (treeCpuSeconds(p.pid, all) - startCpu.browsers[i]!) / wall,
      downKbps: ((endSamples[i]!.bytes - startSamples[i]!.bytes) * 8) / 1000 / ((endSamples[i]!.at - startSamples[i]!.at) / 1000),
      tileFps: tileFps(startSamples[i]!, endSamples[i]!),
      streamsDecoding: streamsDecoding(startSamples[i]!, endSamples[i]!),
      count: endSamples[i]!.count.split('·')[0]!.trim(),
      phase: endSamples[i]!.phase,
      cantDecrypt: endSamples[i]!.cantDecrypt,
    })),
  };
}

function table(results: readonly StepResult[]): string {
  const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)} %` : 'n/a');
  const lines = [
    '',
    '| people | joined | bot join ms (median / max) | machine busy | server + bots CPU | Janus CPU | Alice CPU | Bob CPU | Alice down | Bob down | tiles decoding (Alice; Bob) | fps per tile, min / median (Alice; Bob) | all video streams decoding (Alice; Bob) |',
    '|-------:|-------:|---------------------------:|-------------:|------------------:|----------:|----------:|--------:|-----------:|---------:|----------------------------:|----------------------------------------:|----------------------------------------:|',
  ];
  for (const r of results) {
    const [a, b] = r.browsers as [StepResult['browsers'][0], StepResult['browsers'][0]];
    const decoding = (x: typeof a) => `${x.tileFps.filter((f) => f >= DECODING_FPS).length}/${x.tileFps.length}`;
    const fps = (x: typeof a) => (x.tileFps.length ? `${Math.min(...x.tileFps).toFixed(1)} / ${median(x.tileFps).toFixed(1)}` : '–');
    const join = r.joinMs.length ? `${median(r.joinMs).toFixed(0)} / ${Math.max(...r.joinMs).toFixed(0)}` : '–';
    lines.push(
      `| ${String(r.participants).padStart(6)} | ${`${r.joined}`.padStart(6)} | ${join.padStart(26)} | ${pct(r.machineBusy).padStart(12)} | ${pct(r.serverAndBotsCpu).padStart(17)} | ${pct(r.janusCpu).padStart(9)} | ${pct(a.cpu).padStart(9)} | ${pct(b.cpu).padStart(7)} | ${`${a.downKbps.toFixed(0)} kbit/s`.padStart(10)} | ${`${b.downKbps.toFixed(0)} kbit/s`.padStart(8)} | ${`${decoding(a)}; ${decoding(b)}`.padStart(27)} | ${`${fps(a)}; ${fps(b)}`.padStart(39)} | ${`${a.streamsDecoding}; ${b.streamsDecoding}`.padStart(39)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (!process.env.PARLEY_JANUS_INTERFACE) {
    process.stdout.write('group call bench skipped: PARLEY_JANUS_INTERFACE is not set (run it through tools/test/in-loopback-namespace.sh as root, which makes the jlo link Janus needs)\n');
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-group-'));
  const server = createParleyServer(
    configFromEnv(testServerEnvironment(dataDir, {
      PARLEY_RATE_LIMITS: 'off',
      PARLEY_JANUS: process.env.PARLEY_JANUS ?? 'auto',
      PARLEY_JANUS_INTERFACE: process.env.PARLEY_JANUS_INTERFACE,
      PARLEY_MANIFEST_KEY_FILE: new URL('../dev/manifest-dev-keys.json', import.meta.url).pathname,
    })),
  );
  const addresses = (await server.start()) as Required<Addresses>;
  const people: Person[] = [];
  const bots: GroupCallBot[] = [];
  try {
    if (!server.sfu()) {
      process.stdout.write('group call bench skipped: the server started without an SFU (is the janus package installed?)\n');
      return;
    }
    const maxPeople = Math.max(...STEPS);
    const suffix = Math.random().toString(36).slice(2, 7);
    people.push(await person(addresses.shell, `alice_${suffix}`, 'Alice Liddell'));
    people.push(await person(addresses.shell, `bob_${suffix}`, 'Bob Dylan'));
    const [alice, bob] = people as [Person, Person];
    const clip: MediaClip = await loadOrGenerateClip(join(REPO, '.tmp', 'bots'), alice.browser);
    const botIds = new Set<string>();
    const warnings: string[] = [];
    for (let i = 0; i < maxPeople - BROWSERS; i++) {
      bots.push(
        await GroupCallBot.start({
          server: addresses,
          handle: `bot${i}_${suffix}`,
          displayName: `Bot ${i}`,
          clip,
          subscribeTo: SUBSCRIBE,
          // Bots decrypt nothing: their keys go to the people only.
          sendKeyTo: (p) => !botIds.has(p.userId),
          onWarning: (m) => warnings.push(m),
        }),
      );
      botIds.add(bots[i]!.userId);
    }
    process.stdout.write(`group call bench: ${bots.length} bots registered; clip ${clip.video.width}x${clip.video.height} VP8 ${clip.video.fps} fps + Opus ${clip.audio.frameMs} ms\n`);
    await createGroup(alice, bob, bots.map((b) => b.handle), `Bench ${suffix}`);
    await alice.page.getByRole('button', { name: 'Start group call' }).click();
    await waitAttr(alice.page, 'group-call', 'data-phase', 'active', 30_000);
    const ring = bob.page.getByTestId('group-call-incoming');
    await ring.getByRole('button', { name: 'Join' }).click({ timeout: 30_000 });
    await waitAttr(bob.page, 'group-call', 'data-phase', 'active', 30_000);
    const { callId } = await bots[0]!.nextRing(60_000);

    const results: StepResult[] = [];
    let inCall = BROWSERS;
    for (const target of STEPS) {
      const joinMs: number[] = [];
      while (inCall < target) {
        const bot = bots[inCall - BROWSERS]!;
        try {
          await bot.join(callId);
          joinMs.push(bot.report().joinMs!);
        } catch (error) {
          warnings.push(`${bot.handle} did not join: ${error instanceof Error ? error.message : String(error)}`);
        }
        inCall++;
      }
      const joined = BROWSERS + bots.filter((b) => b.report().published).length;
      const result = await measure(people, target, joined, joinMs);
      results.push(result);
      process.stdout.write(`  ${target} people: ${JSON.stringify({ joined, machineBusy: result.machineBusy, serverAndBotsCpu: result.serverAndBotsCpu, janusCpu: result.janusCpu, browsers: result.browsers.map((b) => ({ cpu: b.cpu, down: Math.round(b.downKbps), count: b.count, cantDecrypt: b.cantDecrypt, streams: b.streamsDecoding, tiles: b.tileFps.map((f) => Math.round(f)) })) })}\n`);
    }

    process.stdout.write(`${table(results)}\n`);
    const saturated = results.filter((r) => r.machineBusy > 0.9 * cpus().length).map((r) => r.participants);
    if (saturated.length) process.stdout.write(`note: the machine was saturated (other work included) at ${saturated.join(', ')} people: CPU there is what each process got, not what it wanted; rerun on an idle machine to compare\n`);
    const at8 = results.find((r) => r.participants === 8);
    const at32 = results.find((r) => r.participants === 32);
    if (at8 && at32) {
      const ratios = at32.browsers.map((b, i) => b.cpu / at8.browsers[i]!.cpu);
      const allTiles = at32.browsers.every((b) => b.tileFps.length > 0 && b.tileFps.every((f) => f >= DECODING_FPS));
      const seen = at32.browsers.map((b) => b.count).join(', ');
      process.stdout.write(
        `goal: all 32 joined (${at32.joined}/32 published; the browsers show ${seen}), every visible tile decoding (${allTiles ? 'yes' : 'no'}), browser CPU at 32 ≤ 1.5× at 8 (Alice ${ratios[0]!.toFixed(2)}×, Bob ${ratios[1]!.toFixed(2)}×)\n`,
      );
    }
    const reports = bots.map((b) => b.report()).filter((r) => r.published);
    process.stdout.write(
      `bots: ${reports.length} published; key frames requested ${reports.reduce((s, r) => s + r.keyFramesRequested, 0)}; keys sent ${reports.reduce((s, r) => s + r.keysSent, 0)}; encrypt failures ${reports.reduce((s, r) => s + r.encryptFailures, 0)}; received ${reports.reduce((s, r) => s + r.packetsReceived, 0)} RTP packets\n`,
    );
    if (warnings.length) process.stdout.write(`warnings (${warnings.length}): ${[...new Set(warnings)].slice(0, 10).join(' | ')}\n`);
  } finally {
    await Promise.allSettled(bots.map((b) => b.stop()));
    await Promise.allSettled(people.map((p) => p.browser.close()));
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
