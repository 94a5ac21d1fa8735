/**
 * `npm run bench` (calls, Firefox): how long a Parley video call between one Chromium page and one
 * Firefox page takes to show the other person, in both directions, against the bare WebRTC page
 * between the same two browsers; and what SFrame costs each browser. The method is call.ts's (the
 * same servers, bare page and in-page timing, from call-support.ts):
 *
 * - Parley: real accounts in Debian's Chromium (Playwright) and Firefox ESR (puppeteer-core over
 *   WebDriver BiDi, headless, support/firefox.ts's preferences). The caller clicks "Video call"; the
 *   callee's page clicks "Accept" the moment it shows.
 * - Bare: the bare page in each browser (plain RTCPeerConnection, audio + VP8, no encryption),
 *   signaling in clear through the same relay, auto-answered.
 * - Time from the click to the first remote video frame and audio decoded on the caller, from the
 *   call connection's RTP source timestamps, with what a getStats poll saw alongside; median of
 *   BENCH_CALL_RUNS (≥ 5, default 10) runs per direction and kind, interleaved, after a warm-up each.
 * - CPU: each browser's processes (the /proc subtree of Firefox's process; Chromium is everything
 *   else this process launched) over BENCH_CPU_SECONDS of a steady Chromium→Firefox call, Parley and
 *   bare. The difference per browser is what its SFrame worker costs for one video and one audio
 *   stream sent and one of each received (the Parley UI included: an upper bound).
 *
 * Goal from the calls issue: Parley ≤ 1.2× the bare page. Printed, not asserted.
 */
import { type Browser, type Page, chromium } from '@playwright/test';
import type { Browser as FirefoxBrowser, Page as FirefoxPage } from 'puppeteer-core';
import { launchFirefox, onboardInFirefox, openConversationInFirefox } from '../../e2e/support/firefox.js';
import { CHROMIUM, CHROMIUM_ARGS, median, onboardInShell, sleep } from './bench-support.js';
import { type BareAccount, type CallBenchServers, type FirstMedia, INSTRUMENT, bareAccount, barePageUrl, browserCpuSeconds, startCallBenchServers, threadCpuSeconds } from './call-support.js';

const RUNS = Math.max(5, Number(process.env.BENCH_CALL_RUNS ?? 10));
const CPU_SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 10);
/** Each browser's name for a dedicated worker's thread (see threadCpuSeconds). */
const CHROMIUM_WORKER_THREAD = 'DedicatedWorker';
const FIREFOX_WORKER_THREAD = 'DOM Worker';

/** What the benchmark does in a page of either browser: evaluate an expression, wait for one to hold. */
interface BenchPage {
  evaluate<T>(expression: string): Promise<T>;
  waitFor(predicate: string, timeout?: number): Promise<void>;
}

/**
 * A page of either browser. Waiting polls from here: the drivers' own waitForFunction evaluates a
 * string predicate with eval inside the page, which Parley's Content-Security-Policy refuses.
 */
function benchPage(evaluate: (expression: string) => Promise<unknown>): BenchPage {
  return {
    evaluate: <T>(expression: string) => evaluate(expression) as Promise<T>,
    async waitFor(predicate, timeout = 20_000) {
      const end = Date.now() + timeout;
      while (!(await evaluate(predicate))) {
        if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${predicate}`);
        await sleep(20);
      }
    },
  };
}

const ofChromium = (page: Page) => benchPage((expression) => page.evaluate(expression));
const ofFirefox = (page: FirefoxPage) => benchPage((expression) => page.evaluate(expression));

/** Page expressions, as strings: tsx would add helpers to a function that the page does not have. */
const buttonNamed = (name: string) =>
  `[...document.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') || b.textContent.trim()) === ${JSON.stringify(name)})`;
/** Clicks "Accept" the moment an incoming call shows (the fastest possible callee). */
const AUTO_ACCEPT = `new MutationObserver(() => ${buttonNamed('Accept')}?.click()).observe(document.body, { childList: true, subtree: true })`;
/** Arms the timing, then clicks "Video call" (Parley's and the bare page's). */
const CLICK_AND_TIME = `(() => { const timing = window.__benchArm(); ${buttonNamed('Video call')}.click(); return timing; })()`;
const PANEL = `document.querySelector('[data-testid="call-panel"]')`;

/** The caller's timing of a call it starts now; fails instead of waiting for ever when the first media never shows. */
async function timeCall(caller: BenchPage, what: string): Promise<FirstMedia> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no first video and audio timed within 40 s`)), 40_000);
  });
  try {
    return await Promise.race([caller.evaluate<FirstMedia>(CLICK_AND_TIME), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Hangs up a Parley call from `caller` and dismisses both ends' summaries. */
async function hangUpParley(caller: BenchPage, both: readonly BenchPage[]): Promise<void> {
  await caller.evaluate(`${buttonNamed('Hang up')}.click()`);
  for (const page of both) {
    await page.waitFor(`${PANEL}?.dataset.phase === 'ended'`);
    await page.evaluate(`[...${PANEL}.querySelectorAll('button')].find((b) => b.textContent.trim() === 'OK').click()`);
    await page.waitFor(`!${PANEL}`);
  }
}

async function hangUpBare(caller: BenchPage): Promise<void> {
  await caller.evaluate('window.hangUp()');
  await sleep(300);
}

/** A Parley person in Chromium, onboarded, the call app loaded. */
async function chromiumPerson(browser: Browser, shell: string, handle: string, name: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US' });
  await context.addInitScript(INSTRUMENT);
  const page = await context.newPage();
  await onboardInShell(page, shell, handle, name, 30_000);
  await page.getByTestId('call-app').waitFor({ state: 'attached', timeout: 30_000 });
  return page;
}

/**
 * A Firefox page in a context of its own, timed as the Chromium pages are (puppeteer makes the string
 * the body of a preload script). The functions support/firefox.ts sends into the page are compiled
 * by tsx here, which wraps named ones in `__name(…)`: the page gets a `__name` that does nothing.
 */
async function firefoxPage(firefox: FirefoxBrowser): Promise<FirefoxPage> {
  const page = await (await firefox.createBrowserContext()).newPage();
  page.on('pageerror', (error) => process.stdout.write(`  (Firefox page error: ${String(error)})\n`));
  await page.evaluateOnNewDocument(`globalThis.__name = (target) => target;\n${INSTRUMENT}`);
  return page;
}

/** A Parley person in Firefox, onboarded, the call app loaded. */
async function firefoxPerson(firefox: FirefoxBrowser, servers: CallBenchServers, handle: string, name: string): Promise<FirefoxPage> {
  const page = await firefoxPage(firefox);
  await onboardInFirefox(page, { addresses: servers.addresses } as Parameters<typeof onboardInFirefox>[1], handle, name).catch(async (error: unknown) => {
    const text = await page.evaluate('document.body?.innerText.slice(0, 300)').catch(() => '?');
    throw new Error(`onboarding in Firefox at ${servers.addresses.shell} failed (page: ${JSON.stringify(text)})`, { cause: error });
  });
  await ofFirefox(page).waitFor(`!!document.querySelector('[data-testid="call-app"]')`, 30_000);
  return page;
}

/** The bare page for `me`, calling or answering `peer`, once its relay socket is ready. */
async function bareSide(open: () => Promise<BenchPage & { goto(url: string): Promise<unknown> }>, servers: CallBenchServers, me: BareAccount, peer: BareAccount): Promise<BenchPage> {
  const page = await open();
  await page.goto(barePageUrl(servers, me, peer));
  await page.waitFor("document.title === 'ready'");
  return page;
}

/** The caller's timing of one call, and how to end it. */
type CallKind = { readonly caller: BenchPage; call(): Promise<FirstMedia> };

async function main(): Promise<void> {
  const servers = await startCallBenchServers();
  const chromiumBrowser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const firefox = await launchFirefox();
  const firefoxPid = firefox.process()?.pid;
  try {
    const suffix = Math.random().toString(36).slice(2, 7);
    const { shell } = servers.addresses;
    // Parley: Carl in Chromium and Fiona in Firefox, each with the other's chat open, each accepting at once.
    const carlPage = await chromiumPerson(chromiumBrowser, shell, `carl_${suffix}`, 'Carl Chromium');
    const fionaPage = await firefoxPerson(firefox, servers, `fiona_${suffix}`, 'Fiona Firefox');
    const chat = carlPage.getByTestId('chat-app');
    await chat.getByRole('search').getByLabel('Handle').fill(`fiona_${suffix}`);
    await chat.getByRole('button', { name: 'Start chat' }).click();
    await carlPage.getByRole('button', { name: 'Video call' }).waitFor();
    await openConversationInFirefox(fionaPage, `carl_${suffix}`);
    const carl = ofChromium(carlPage);
    const fiona = ofFirefox(fionaPage);
    for (const page of [carl, fiona]) await page.evaluate(AUTO_ACCEPT);

    // Bare: two accounts with real device tokens on the same server, one page in each browser.
    const [chromiumAccount, firefoxAccount] = (await Promise.all(['cbare', 'fbare'].map((who) => bareAccount(servers.addresses, `${who}_${suffix}`)))) as [BareAccount, BareAccount];
    const bareChromium = await bareSide(
      async () => {
        const page = await (await chromiumBrowser.newContext({ locale: 'en-US' })).newPage();
        await page.addInitScript(INSTRUMENT);
        return { ...ofChromium(page), goto: (url) => page.goto(url) };
      },
      servers,
      chromiumAccount,
      firefoxAccount,
    );
    const bareFirefox = await bareSide(
      async () => {
        const page = await firefoxPage(firefox);
        return { ...ofFirefox(page), goto: (url) => page.goto(url) };
      },
      servers,
      firefoxAccount,
      chromiumAccount,
    );

    const parleyCall = (caller: BenchPage): CallKind => ({
      caller,
      async call() {
        const timing = await timeCall(caller, 'Parley');
        await hangUpParley(caller, [carl, fiona]);
        return timing;
      },
    });
    const bareCall = (caller: BenchPage): CallKind => ({
      caller,
      async call() {
        const timing = await timeCall(caller, 'bare');
        await hangUpBare(caller);
        return timing;
      },
    });
    const kinds = {
      'Chromium → Firefox': { parley: parleyCall(carl), bare: bareCall(bareChromium) },
      'Firefox → Chromium': { parley: parleyCall(fiona), bare: bareCall(bareFirefox) },
    };

    process.stdout.write(`call bench, Chromium ↔ Firefox: ${RUNS} runs per direction and kind, interleaved, after a warm-up\n`);
    const results = new Map<string, { parley: FirstMedia[]; bare: FirstMedia[] }>();
    for (const [direction, kind] of Object.entries(kinds)) {
      await kind.parley.call();
      await kind.bare.call();
      results.set(direction, { parley: [], bare: [] });
    }
    for (let run = 0; run < RUNS; run++) {
      for (const [direction, kind] of Object.entries(kinds)) {
        const result = results.get(direction)!;
        result.parley.push(await kind.parley.call());
        result.bare.push(await kind.bare.call());
        await sleep(200);
      }
    }

    // CPU: a steady Chromium → Firefox call of each kind, measured alone, per browser.
    const cpuOf = async (kind: CallKind, stop: () => Promise<void>) => {
      await timeCall(kind.caller, 'steady call');
      await sleep(3_000);
      const sample = () => {
        const firefoxSeconds = firefoxPid === undefined ? NaN : browserCpuSeconds(firefoxPid);
        // The dedicated workers' threads alone (Parley's SFrame worker; the bare page has none).
        const firefoxWorker = firefoxPid === undefined ? NaN : threadCpuSeconds(FIREFOX_WORKER_THREAD, firefoxPid);
        return { firefox: firefoxSeconds, chromium: browserCpuSeconds() - firefoxSeconds, firefoxWorker, chromiumWorker: threadCpuSeconds(CHROMIUM_WORKER_THREAD) };
      };
      const before = sample();
      await sleep(CPU_SECONDS * 1000);
      const after = sample();
      await stop();
      const share = (key: keyof typeof after) => (after[key] - before[key]) / CPU_SECONDS;
      return { chromium: share('chromium'), firefox: share('firefox'), chromiumWorker: share('chromiumWorker'), firefoxWorker: share('firefoxWorker') };
    };
    const parleyCpu = await cpuOf(kinds['Chromium → Firefox'].parley, () => hangUpParley(carl, [carl, fiona]));
    const bareCpu = await cpuOf(kinds['Chromium → Firefox'].bare, () => hangUpBare(bareChromium));

    const lines: string[] = [''];
    const row = (label: string, p: number, b: number) => `| ${label.padEnd(44)} | ${`${p.toFixed(0)} ms`.padStart(9)} | ${`${b.toFixed(0)} ms`.padStart(9)} | ${(p / b).toFixed(2).padStart(5)}× |`;
    const goals: string[] = [];
    for (const [direction, { parley, bare }] of results) {
      const med = (runs: readonly FirstMedia[], key: keyof FirstMedia) => median(runs.map((r) => r[key]));
      const list = (runs: readonly FirstMedia[], video: keyof FirstMedia, audio: keyof FirstMedia) => runs.map((r) => `${r[video].toFixed(0)}/${r[audio].toFixed(0)}`).join(' ');
      lines.push(
        `| ${direction}: median of ${String(RUNS).padEnd(2)} runs (click → caller) |    Parley |      bare | ratio |`,
        '|----------------------------------------------|-----------|-----------|-------|',
        row('first remote video frame decoded', med(parley, 'videoMs'), med(bare, 'videoMs')),
        row('first remote audio decoded', med(parley, 'audioMs'), med(bare, 'audioMs')),
        row('  (seen in getStats) video', med(parley, 'statsVideoMs'), med(bare, 'statsVideoMs')),
        row('  (seen in getStats) audio', med(parley, 'statsAudioMs'), med(bare, 'statsAudioMs')),
        `runs (video/audio ms) Parley: ${list(parley, 'videoMs', 'audioMs')}`,
        `runs (video/audio ms) bare:   ${list(bare, 'videoMs', 'audioMs')}`,
        `runs in getStats (video/audio ms) Parley: ${list(parley, 'statsVideoMs', 'statsAudioMs')}`,
        `runs in getStats (video/audio ms) bare:   ${list(bare, 'statsVideoMs', 'statsAudioMs')}`,
        '',
      );
      goals.push(`${direction}: first video ${(med(parley, 'videoMs') / med(bare, 'videoMs')).toFixed(2)}×, first audio ${(med(parley, 'audioMs') / med(bare, 'audioMs')).toFixed(2)}×`);
    }
    const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
    lines.push(
      `| CPU in a steady Chromium → Firefox video call, of a core | Parley | bare | SFrame, 1 video + 1 audio stream each way (UI included) |`,
      `| Chromium (all its processes)                              | ${percent(parleyCpu.chromium)} | ${percent(bareCpu.chromium)} | ${percent(parleyCpu.chromium - bareCpu.chromium)} |`,
      `| Firefox (all its processes)                               | ${percent(parleyCpu.firefox)} | ${percent(bareCpu.firefox)} | ${percent(parleyCpu.firefox - bareCpu.firefox)} |`,
      `| of which the SFrame worker's thread (no UI)               | Chromium ${percent(parleyCpu.chromiumWorker)} | Firefox ${percent(parleyCpu.firefoxWorker)} |`,
      '',
      `goal: Parley ≤ 1.2× bare (${goals.join('; ')})`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await firefox.close();
    await chromiumBrowser.close();
    await servers.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
