/**
 * Parley deployed as tools/deploy configures it, over HTTPS only (issue 17): Caddy with its own CA on
 * ports 80 and 443 in front of the production server, `parley.test`, `chat.parley.test` and
 * `call.parley.test` resolved to loopback, Chromium verifying the certificates against that CA, real
 * coturn, Janus started by the server as the environment file says. Two people register, message
 * each other, hold a 1:1 video call and a group call through Janus, and a guest joins a call link;
 * every request is https:, every WebSocket wss:, every answer carries the security headers, the apps
 * arrive precompressed, and plain HTTP is redirected to HTTPS.
 */
import type { BrowserContext, Page, Response } from '@playwright/test';
import { brotliDecompressSync } from 'node:zlib';
import { joinAsGuest, joinOwnLink, makeLink } from '../support/call-links.js';
import { type CallPerson, callPerson, connect } from '../support/calls.js';
import { createGroup, expectDecodingOthers, groupCall, joinFromRing } from '../support/group-calls.js';
import { type HttpsDeployment, httpsDeploymentMissing, startHttpsDeployment } from '../support/https-deployment.js';
import { skipWhenMissing } from '../support/prerequisites.js';
import { expectEncryptedMedia } from '../support/sframe-wire.js';
import { expect, test } from '@playwright/test';
import { openConversation } from '../support/users.js';

test.describe.configure({ timeout: 240_000 });

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

/** What the browser asked for, on every page of a context. */
interface Traffic {
  /** Every request's URL: navigations (an http: one is seen before its redirect), fetches, scripts, media. */
  readonly requests: string[];
  /** Every WebSocket's URL. */
  readonly sockets: string[];
  /**
   * Chromium's console messages about an insecure attempt it refused before any request was made:
   * mixed content, or the Content-Security-Policy refusing an http: or ws: URL.
   */
  readonly refusedInsecure: string[];
}

/** Records `context`'s requests, WebSockets and refused insecure attempts, on its pages now and later. */
function recordTraffic(context: BrowserContext, into: Traffic): void {
  context.on('request', (request) => into.requests.push(request.url()));
  const watchPage = (page: Page) => {
    page.on('websocket', (socket) => into.sockets.push(socket.url()));
    page.on('console', (message) => {
      if (/mixed content|\b(?:http|ws):\/\//i.test(message.text())) into.refusedInsecure.push(message.text());
    });
  };
  for (const page of context.pages()) watchPage(page);
  context.on('page', watchPage);
}

/** Remote ports of the selected ICE pairs of the page's open peer connections (the group call's: Janus's). */
function selectedRemotePorts(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __parleyPeerConnections: RTCPeerConnection[] }).__parleyPeerConnections;
    const ports: number[] = [];
    for (const pc of pcs.filter((p) => p.connectionState === 'connected')) {
      const stats: Record<string, unknown>[] = [];
      (await pc.getStats()).forEach((stat: Record<string, unknown>) => stats.push(stat));
      for (const transport of stats.filter((s) => s.type === 'transport' && s.selectedCandidatePairId)) {
        const pair = stats.find((s) => s.id === transport.selectedCandidatePairId);
        const remote = stats.find((s) => s.id === pair?.remoteCandidateId);
        if (typeof remote?.port === 'number') ports.push(remote.port);
      }
    }
    return ports;
  });
}

const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

test('over HTTPS only: two people register, message, video call, group call through Janus, and a guest joins a call link; nothing goes over http: or ws:; every answer carries the security headers; the apps arrive compressed', async () => {
  const browser = await deployment.launchBrowser();
  try {
    const answers: Promise<Received>[] = [];
    const traffic: Traffic = { requests: [], sockets: [], refusedInsecure: [] };
    // Runs before the first page load of each person's context.
    const watch = async (context: BrowserContext) => {
      recordAnswers(context, answers);
      recordTraffic(context, traffic);
    };

    // First visit of Alice, measured: everything her browser downloads until the chat is usable.
    const alice = await callPerson(browser, deployment.system, 'Alice Liddell', watch);
    const firstVisit = await Promise.all(answers.splice(0));
    const bob: CallPerson = await callPerson(browser, deployment.system, 'Bob Dylan', watch);

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

    // A group call through the Janus the server started: signaling over the same wss: relay socket,
    // media to the UDP ports the environment file gives Janus, SFrame-encrypted end to end.
    await createGroup([alice, bob], 'Climbers');
    await alice.page.getByRole('button', { name: 'Start group call' }).click();
    await expect(groupCall(alice.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
    await joinFromRing(bob);
    for (const person of [alice, bob]) await expect(person.page.getByTestId('group-call-count')).toContainText('2 participants', { timeout: 20_000 });
    await expectDecodingOthers([alice, bob]);
    const [low, high] = deployment.settings.janusRtpPorts.split('-').map(Number) as [number, number];
    for (const person of [alice, bob]) {
      const ports = await selectedRemotePorts(person.page);
      expect(ports.length, person.name).toBeGreaterThan(0);
      for (const port of ports) expect(port, `${person.name}'s media goes to Janus's ports ${deployment.settings.janusRtpPorts}`).toBeGreaterThanOrEqual(low);
      for (const port of ports) expect(port, `${person.name}'s media goes to Janus's ports ${deployment.settings.janusRtpPorts}`).toBeLessThanOrEqual(high);
    }
    await expectEncryptedMedia([alice, bob], ['audio', 'video']);
    for (const person of [alice, bob]) await groupCall(person.page).getByRole('button', { name: 'Leave' }).click();
    await bob.context.close();

    // A call link: made on the https: shell origin, opened by a guest without an account.
    const url = await makeLink(alice.page, 'Book club');
    expect(new URL(url).origin).toBe(deployment.origins.shell);
    expect(new URL(url).pathname).toBe('/call');
    await joinOwnLink(alice.page, 'Book club');
    const guest = await joinAsGuest(browser, url, 'Visiting Vera', watch);
    expect(new URL(guest.page.url()).origin).toBe(deployment.origins.shell);
    expect(new URL(guest.page.url()).hash).toBe('');
    await expect(alice.page.getByTestId('group-call-count')).toContainText('2 participants', { timeout: 20_000 });
    await expectDecodingOthers([alice, guest]);
    await expectEncryptedMedia([alice, guest], ['audio', 'video']);
    await groupCall(guest.page).getByRole('button', { name: 'Leave' }).click();
    await expect(guest.page.getByTestId('guest-left')).toBeVisible({ timeout: 20_000 });

    // Every page asked only for https: (or blob:/data: made in the page), every WebSocket was wss:
    // to the shell's domain, and no page even tried an http: or ws: URL (Chromium refuses those from
    // an https: page before any request, so they are seen only in its console): nothing went in clear.
    expect(traffic.requests.length).toBeGreaterThan(20);
    expect(traffic.requests.filter((requested) => !/^(https|blob|data):/.test(requested))).toEqual([]);
    expect(traffic.sockets.length).toBeGreaterThan(0);
    expect(traffic.sockets.filter((socket) => !socket.startsWith(`wss://${deployment.settings.domain}/`))).toEqual([]);
    expect(traffic.refusedInsecure).toEqual([]);
    const all = [...firstVisit, ...(await Promise.all(answers))];
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((answer) => !answer.url.startsWith('https://')).map((answer) => answer.url)).toEqual([]);

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
      // Files under 512 bytes are not worth compressing (tools/mf-build/precompress.mjs): only those
      // come plain (judged by the body sent, not by the bytes received, which framing adds to).
      if (answer.headers['content-encoding'] !== 'br') expect(Number(answer.headers['content-length'] ?? Infinity), answer.url).toBeLessThan(512);
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
    for (const context of [alice.context, guest.context]) await context.close();
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
