/**
 * `npm run size`: how heavy each app is, and what a first visit costs. Static figures come from the
 * built folders; the "before usable" figures are measured in Chromium against the real server, by
 * summing every response body until the chat (then the call app) has rendered.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Addresses, configFromEnv, createParleyServer, REPO_ROOT } from '@parley/server';
import { testServerEnvironment } from '@parley/server/testing';
import { chromium } from 'playwright-core';

const APPS = ['shell', 'chat', 'call'] as const;

interface Bytes {
  raw: number;
  gzip: number;
}

const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;
const bytesOf = (buffer: Buffer): Bytes => ({ raw: buffer.length, gzip: gzipSync(buffer).length });
const add = (a: Bytes, b: Bytes): Bytes => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip });
const ZERO: Bytes = { raw: 0, gzip: 0 };

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsFiles(path);
    return name.endsWith('.js') ? [path] : [];
  });
}

function staticSizes(): Record<string, Bytes> {
  return Object.fromEntries(
    APPS.map((app) => [app, jsFiles(join(REPO_ROOT, 'apps', app, 'dist')).reduce((sum, file) => add(sum, bytesOf(readFileSync(file))), ZERO)]),
  );
}

async function firstVisit(): Promise<{ chat: Bytes; call: Bytes }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-size-'));
  // The built chat and call are published as the default releases at start (as with npm start),
  // signed with the committed development keys the shell pins when built with PARLEY_DEV_MANIFEST_KEYS=1.
  const server = createParleyServer({
    ...configFromEnv(testServerEnvironment(dataDir)),
    publishLocalBuilds: true,
    manifestKeyFile: join(REPO_ROOT, 'tools/dev/manifest-dev-keys.json'),
  });
  const addresses = (await server.start()) as Required<Addresses>;
  const browser = await chromium.launch({
    executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ locale: 'en-US' });
    let downloaded = ZERO;
    const pending: Promise<void>[] = [];
    page.on('response', (response) => {
      pending.push(
        response
          .body()
          .then((body) => {
            downloaded = add(downloaded, bytesOf(body));
          })
          .catch(() => {}),
      );
    });
    const settled = async () => {
      await Promise.all(pending);
      return downloaded;
    };
    await page.goto(addresses.shell);
    // A first visit is a new browser: it onboards (keys are made in the page) before the chat shows.
    const onboarding = page.getByTestId('onboarding');
    await onboarding.getByLabel('Handle', { exact: true }).fill('size_report');
    await onboarding.getByLabel('Display name').fill('Size Report');
    await onboarding.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('chat-app').waitFor();
    const chat = await settled();
    // Idle, the call app is mounted but takes no space (call.presentation `none`): attached, not visible.
    await page.getByTestId('call-app').waitFor({ state: 'attached' });
    const call = await settled();
    return { chat, call };
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const sizes = staticSizes();
const visit = await firstVisit();
console.log('| what | raw | gzip |');
console.log('|---|---:|---:|');
for (const app of APPS) console.log(`| ${app}: all JS in dist | ${kB(sizes[app]!.raw)} | ${kB(sizes[app]!.gzip)} |`);
console.log(`| first visit, downloaded until the chat is usable | ${kB(visit.chat.raw)} | ${kB(visit.chat.gzip)} |`);
console.log(`| first visit, downloaded until the call app is usable | ${kB(visit.call.raw)} | ${kB(visit.call.gzip)} |`);
console.log('\n"downloaded" counts every response body (HTML, JS, JSON, API); gzip is what it would be compressed.');
