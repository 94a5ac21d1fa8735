/**
 * Attachments in Chromium (issue 18): a 100 MiB file encrypted and uploaded through the blob API,
 * then downloaded and decrypted, with the messenger's own AttachmentTransfer bundled into a page
 * on the API's origin; against plain `fetch` of the same number of bytes from the same server
 * (the same chunked PUTs without encryption, and a plain GET of the blob). MB/s and the ratio
 * encrypted ÷ plain; median of RUNS.
 *
 *   npx tsx tools/bench/attachments.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startChildServer } from '@parley/server/testing';
import { build } from 'esbuild';
import { TestIdentity } from '../../apps/server/src/testing/test-keys.js';
import { CHROMIUM, CHROMIUM_ARGS, median } from './bench-support.js';

const MIB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_ATTACHMENT_MIB ?? 100) * MIB;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Run {
  encryptUploadMs: number;
  plainUploadMs: number;
  downloadDecryptMs: number;
  plainDownloadMs: number;
}

// A string, not a function: tsx would add helpers the page does not have.
const PAGE_RUN = `async ({ size, token }) => {
  const file = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(file.subarray(i, Math.min(size, i + 65536)));
  const transfer = new globalThis.BenchAttachmentTransfer({ baseUrl: location.origin, token: () => token });
  let t = performance.now();
  const pointer = await transfer.upload(file, { contentType: 'application/octet-stream', fileName: 'bench.bin' });
  const encryptUploadMs = performance.now() - t;
  // Plain: the same number of bytes, the same chunked PUTs, no encryption.
  const auth = { authorization: 'Bearer ' + token };
  const blob = file.subarray(0, Math.min(file.length, size));
  t = performance.now();
  const created = await (await fetch('/api/blobs', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ size: blob.length }) })).json();
  for (let offset = 0; offset < blob.length; offset += 4 * 1048576) {
    const response = await fetch('/api/blobs/' + created.id + '?offset=' + offset, { method: 'PUT', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: blob.subarray(offset, offset + 4 * 1048576) });
    if (response.status !== 200) throw new Error('plain PUT answered ' + response.status);
  }
  await fetch('/api/blobs/' + created.id + '/finish', { method: 'POST', headers: auth });
  const plainUploadMs = performance.now() - t;
  t = performance.now();
  const back = await transfer.download(pointer);
  const downloadDecryptMs = performance.now() - t;
  if (back.length !== file.length || back[12345] !== file[12345]) throw new Error('the file did not round-trip');
  t = performance.now();
  const plain = new Uint8Array(await (await fetch('/api/blobs/' + pointer.blobId)).arrayBuffer());
  const plainDownloadMs = performance.now() - t;
  if (plain.length < size) throw new Error('short plain download');
  for (const id of [pointer.blobId, created.id]) await fetch('/api/blobs/' + id, { method: 'DELETE', headers: auth });
  return { encryptUploadMs, plainUploadMs, downloadDecryptMs, plainDownloadMs };
}`;

async function main(): Promise<void> {
  const bundle = await build({
    stdin: {
      contents: `import { AttachmentTransfer } from './libs/messenger/src/attachment-transfer.ts'; globalThis.BenchAttachmentTransfer = AttachmentTransfer;`,
      resolveDir: fileURLToPath(new URL('../..', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-attachments-'));
  const server = await startChildServer(dataDir, { PARLEY_RATE_LIMITS: 'off', PARLEY_JANUS: 'off', PARLEY_LOG_LEVEL: 'error', PARLEY_SHELL_DIST: '/nonexistent', PARLEY_CHAT_DIST: '/nonexistent', PARLEY_CALL_DIST: '/nonexistent' });
  const api = server.addresses.api.replace('127.0.0.1', 'localhost');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const registered = await fetch(`${api}/api/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(new TestIdentity().account('bench.files', 1)) });
    const { token } = (await registered.json()) as { token: string };
    // The API answers with a locked-down CSP; the bench page is ours, so its script may run.
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    // A page on the API's origin (a secure context on localhost): the blob API is same-origin.
    await page.goto(`${api}/api/health`);
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push((await page.evaluate(`(${PAGE_RUN})(${JSON.stringify({ size: SIZE, token })})`)) as Run);
    const mbps = (ms: number) => SIZE / 1e6 / (ms / 1000);
    const row = (label: string, ours: number[], plain: number[]) => {
      const [o, p] = [median(ours), median(plain)];
      console.log(`${label.padEnd(18)} ${mbps(o).toFixed(0).padStart(5)} MB/s   plain fetch ${mbps(p).toFixed(0).padStart(5)} MB/s   ratio ${(mbps(o) / mbps(p)).toFixed(2)}`);
    };
    console.log(`${SIZE / MIB} MiB attachment in Chromium ${browser.version()}, median of ${RUNS}:`);
    row('encrypt + upload', runs.map((r) => r.encryptUploadMs), runs.map((r) => r.plainUploadMs));
    row('download + decrypt', runs.map((r) => r.downloadDecryptMs), runs.map((r) => r.plainDownloadMs));
  } finally {
    await browser.close();
    server.process.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
