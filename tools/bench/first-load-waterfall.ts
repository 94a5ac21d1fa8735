/**
 * A text waterfall of one throttled returning visit (the first-load bench's (b) path), from the
 * DevTools protocol's Network events: when each request was sent, when its headers and last byte came
 * (ms since the navigation's first request), its wire size, priority and what started it. Shows the
 * request chain that the first-load time is made of (issue 20). Not part of `npm run bench`.
 *
 *   PARLEY_DEV_MANIFEST_KEYS=1 npx nx run-many -t build -p shell chat call && npx tsx tools/bench/first-load-waterfall.ts
 */
import { CHAT_USABLE, reached, signUp } from '../size/src/critical-paths.js';
import { startParleyOrigins } from '../size/src/parley-origins.js';
import { SLOW_4G } from '../size/src/wire-meter.js';

interface Row {
  url: string;
  sent: number;
  headers?: number;
  done?: number;
  bytes?: number;
  priority: string;
  initiator: string;
  failed?: string;
}

const WIDTH = 60;

function shortUrl(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/static\/js\/async\//, '/…/async/').replace(/\/releases\/([a-z]+)\/[^/]+\//, '/r/$1/');
  return `:${parsed.port}${path}`;
}

function bar(row: Row, end: number): string {
  const scale = (ms: number) => Math.round((ms / end) * WIDTH);
  const start = scale(row.sent);
  const first = scale(row.headers ?? row.sent);
  const last = Math.max(first, scale(row.done ?? end));
  return `${' '.repeat(start)}${'-'.repeat(Math.max(0, first - start))}${'='.repeat(Math.max(1, last - first))}`.padEnd(WIDTH + 1);
}

async function main(): Promise<void> {
  const origins = await startParleyOrigins();
  try {
    const shell = origins.addresses.shell;
    const account = await signUp(origins.browser, shell, 'bench_waterfall', { encodings: 'browser', timeoutMs: 120_000 });
    const page = await account.context.newPage();
    const session = await account.context.newCDPSession(page);
    await session.send('Network.enable');
    await session.send('Network.clearBrowserCache');
    await session.send('Network.setCacheDisabled', { cacheDisabled: true });
    await session.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: SLOW_4G.latencyMs,
      downloadThroughput: SLOW_4G.downloadBytesPerSecond,
      uploadThroughput: SLOW_4G.uploadBytesPerSecond,
    });
    const rows = new Map<string, Row>();
    let origin: number | undefined;
    const at = (timestamp: number) => {
      origin ??= timestamp;
      return (timestamp - origin) * 1000;
    };
    session.on('Network.requestWillBeSent', (event) => {
      const initiator = event.initiator.type;
      rows.set(event.requestId, { url: event.request.url, sent: at(event.timestamp), priority: event.request.initialPriority, initiator });
    });
    session.on('Network.responseReceived', (event) => {
      const row = rows.get(event.requestId);
      if (row) row.headers = at(event.timestamp);
    });
    session.on('Network.loadingFinished', (event) => {
      const row = rows.get(event.requestId);
      if (row) Object.assign(row, { done: at(event.timestamp), bytes: event.encodedDataLength });
    });
    session.on('Network.loadingFailed', (event) => {
      const row = rows.get(event.requestId);
      if (row) Object.assign(row, { done: at(event.timestamp), failed: event.errorText });
    });
    await page.goto(shell, { waitUntil: 'commit' });
    const usable = await reached(page, CHAT_USABLE, 60_000);
    const list = [...rows.values()].filter((row) => row.sent <= usable + 50).sort((a, b) => a.sent - b.sent);
    const end = Math.max(usable, ...list.map((row) => row.done ?? 0));
    console.log(`Returning visit, 1.6 Mbit/s down, 150 ms RTT, cache disabled: conversation list usable at ${Math.round(usable)} ms`);
    console.log(`${'sent'.padStart(6)} ${'hdrs'.padStart(6)} ${'done'.padStart(6)} ${'kB'.padStart(6)}  ${'prio'.padEnd(8)} ${'by'.padEnd(7)} ${'timeline'.padEnd(WIDTH + 1)} url`);
    for (const row of list) {
      const ms = (value?: number) => (value === undefined ? '—' : String(Math.round(value))).padStart(6);
      const kB = row.bytes === undefined ? '—' : (row.bytes / 1024).toFixed(1);
      console.log(`${ms(row.sent)} ${ms(row.headers)} ${ms(row.done)} ${kB.padStart(6)}  ${row.priority.padEnd(8)} ${row.initiator.padEnd(7)} ${bar(row, end)} ${shortUrl(row.url)}${row.failed ? ` (${row.failed})` : ''}`);
    }
    const total = list.reduce((sum, row) => sum + (row.bytes ?? 0), 0);
    console.log(`${list.length} requests, ${(total / 1024).toFixed(1)} kB on the wire until usable`);
    await page.close();
    await account.context.close();
  } finally {
    await origins.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
