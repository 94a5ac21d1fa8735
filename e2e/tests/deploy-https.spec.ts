/**
 * Parley deployed as tools/deploy configures it, over HTTPS only (issue 17): Caddy with its own CA on
 * ports 80 and 443 in front of the production server, `parley.test`, `chat.parley.test` and
 * `call.parley.test` resolved to loopback, Chromium verifying the certificates against that CA, real
 * coturn. Two people register, message each other and hold a 1:1 video call; every answer carries
 * the security headers, the apps arrive precompressed, and plain HTTP is redirected to HTTPS.
 */
import type { BrowserContext, Page, Response } from '@playwright/test';
import { brotliDecompressSync } from 'node:zlib';
import { callPerson, connect } from '../support/calls.js';
import { type HttpsDeployment, httpsDeploymentMissing, startHttpsDeployment } from '../support/https-deployment.js';
import { skipWhenMissing } from '../support/prerequisites.js';
import { expect, test } from '@playwright/test';
import { openConversation } from '../support/users.js';

test.describe.configure({ timeout: 150_000 });

let deployment: HttpsDeployment;

test.beforeAll(async () => {
  const missing = httpsDeploymentMissing();
  if (missing) return;
  deployment = await startHttpsDeployment();
});
test.afterAll(async () => {
  await deployment?.stop();
});
test.beforeEach(() => skipWhenMissing(httpsDeploymentMissing()));

/** What the browser received from the deployment's origins, for checks after the flow. */
interface Received {
  readonly url: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Bytes on the wire for the body (compressed when it was). */
  readonly transferred: number;
  /** Bytes of the body once decoded. */
  readonly decoded: number;
}

/** Records every answer `context`'s pages get from the deployment (not data: or blob: URLs). */
function recordAnswers(context: BrowserContext, into: Promise<Received>[]): void {
  context.on('response', (response: Response) => {
    if (!/^https?:/.test(response.url())) return;
    into.push(
      (async () => ({
        url: response.url(),
        status: response.status(),
        headers: await response.allHeaders(),
        transferred: (await response.request().sizes()).responseBodySize,
        decoded: await response.body().then((body) => body.length, () => 0),
      }))(),
    );
  });
}

const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

test('over HTTPS only: two people register, message and video call; every answer carries the security headers; the apps arrive compressed', async () => {
  const browser = await deployment.launchBrowser();
  try {
    const answers: Promise<Received>[] = [];
    const sockets: string[] = [];
    // Runs before the first page load of each person's (one-page) context.
    const watch = async (context: BrowserContext) => {
      recordAnswers(context, answers);
      for (const page of context.pages()) page.on('websocket', (socket) => sockets.push(socket.url()));
    };

    // First visit of Alice, measured: everything her browser downloads until the chat is usable.
    const alice = await callPerson(browser, deployment.system, 'Alice Liddell', watch);
    const firstVisit = await Promise.all(answers.splice(0));
    const bob = await callPerson(browser, deployment.system, 'Bob Dylan', watch);

    await openConversation(alice.page, bob.handle);
    await alice.page.getByRole('textbox', { name: 'Message' }).fill('Hello over HTTPS');
    await alice.page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await openConversation(bob.page, alice.handle);
    await expect(bob.page.getByTestId('conversation')).toContainText('Hello over HTTPS', { timeout: 20_000 });

    await connect(alice, bob, 'Video call');
    const decoded = (page: Page) => page.getByTestId('remote-video').evaluate((video: HTMLVideoElement) => video.getVideoPlaybackQuality().totalVideoFrames);
    await expect.poll(() => decoded(alice.page), { timeout: 20_000 }).toBeGreaterThan(10);
    await expect.poll(() => decoded(bob.page), { timeout: 20_000 }).toBeGreaterThan(10);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();

    // The pages came over HTTPS, the relay over WSS: nothing went in clear.
    const all = [...firstVisit, ...(await Promise.all(answers))];
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((answer) => !answer.url.startsWith('https://')).map((answer) => answer.url)).toEqual([]);
    expect(sockets.length).toBeGreaterThan(0);
    expect(sockets.filter((url) => !url.startsWith(`wss://${deployment.settings.domain}/`))).toEqual([]);

    // Every answer of every origin carries the security headers, HSTS included (the origins are https).
    for (const answer of all) {
      expect(answer.headers['content-security-policy'], answer.url).toContain("frame-ancestors 'none'");
      expect(answer.headers['strict-transport-security'], answer.url).toBe('max-age=31536000');
      expect(answer.headers['x-content-type-options'], answer.url).toBe('nosniff');
      expect(answer.headers['referrer-policy'], answer.url).toBe('no-referrer');
    }
    const shellPage = all.find((answer) => answer.url === `${deployment.origins.shell}/`)!;
    expect(shellPage.headers['content-security-policy']).toContain(`script-src 'self' ${deployment.origins.shell} ${deployment.origins.chat} ${deployment.origins.call}`);
    expect(shellPage.headers['content-security-policy']).toContain(`wss://${deployment.settings.domain}`);

    // The apps' code arrives brotli-compressed (made at build and publish time), with the release
    // train's cache headers: entries revalidated, hashed chunks immutable.
    const code = all.filter((answer) => answer.status === 200 && /\.(js|css)$/.test(new URL(answer.url).pathname));
    expect(code.length).toBeGreaterThan(10);
    for (const answer of code) {
      // Files under 512 bytes are not worth compressing (tools/mf-build/precompress.mjs).
      if (answer.transferred >= 512) expect(answer.headers['content-encoding'], answer.url).toBe('br');
      expect(answer.headers.vary, answer.url).toContain('Accept-Encoding');
    }
    expect(code.filter((answer) => answer.headers['content-encoding'] === 'br').length).toBeGreaterThan(10);
    const entry = code.find((answer) => answer.url.endsWith('/remoteEntry.js'))!;
    expect(entry.headers['cache-control']).toBe('no-cache');
    expect(code.some((answer) => answer.headers['cache-control'] === 'public, max-age=31536000, immutable')).toBe(true);

    const sum = (answers: readonly Received[], of: 'transferred' | 'decoded') => answers.reduce((total, answer) => total + answer[of], 0);
    const firstVisitCode = firstVisit.filter((answer) => /\.(js|css)$/.test(new URL(answer.url).pathname));
    const report = `First visit through Caddy until the chat is usable: ${kB(sum(firstVisit, 'transferred'))} transferred for ${kB(sum(firstVisit, 'decoded'))} of content (JS and CSS: ${kB(sum(firstVisitCode, 'transferred'))} brotli for ${kB(sum(firstVisitCode, 'decoded'))}), ${firstVisit.length} responses`;
    test.info().annotations.push({ type: 'first visit through the proxy', description: report });
    console.log(report);
    for (const person of [alice, bob]) await person.context.close();
  } finally {
    await browser.close();
  }
});

test('plain HTTP is redirected to HTTPS on every origin, a proxied answer is the precompressed file, and no origin serves the metrics', async () => {
  for (const origin of Object.values(deployment.origins)) {
    const plain = await deployment.get(`${origin.replace('https://', 'http://')}/some/path?x=1`);
    expect(plain.status, origin).toBe(308);
    expect(plain.headers.location, origin).toBe(`${origin}/some/path?x=1`);
  }
  const entry = await deployment.get(`${deployment.origins.chat}/releases/${(await deployment.server.registry.currentRules('chat')).rules.defaultVersion}/remoteEntry.js`, {
    'accept-encoding': 'br',
  });
  expect(entry.status).toBe(200);
  expect(entry.headers['content-encoding']).toBe('br');
  expect(brotliDecompressSync(entry.body).toString()).toContain('chat');
  // The metrics listener is on loopback beside the server; no public origin serves it.
  for (const origin of Object.values(deployment.origins)) expect((await deployment.get(`${origin}/metrics`)).body.toString(), origin).not.toContain('parley_connected_devices');
});
