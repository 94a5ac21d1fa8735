/**
 * Bytes on the wire for one page, as Chromium counts them: the sum of `encodedDataLength` (headers
 * and body as received, compressed as served) of every finished request, from the DevTools
 * protocol's Network domain, with the HTTP cache disabled and emptied first. Requests a dedicated
 * worker makes are not reported on the page's session, so those Playwright sees and the page's
 * session does not are added from Playwright's own sizes (Chromium's same counter, per request).
 */
import type { CDPSession, Page, Request } from 'playwright-core';

/** Which `Accept-Encoding` the browser sends: its own (brotli and gzip), gzip only, or none. */
export type AcceptedEncodings = 'browser' | 'gzip' | 'identity';

/** Chromium's network emulation (DevTools protocol units: ms and bytes per second). */
export interface NetworkConditions {
  latencyMs: number;
  downloadBytesPerSecond: number;
  uploadBytesPerSecond: number;
}

/** The first-load issue's phone-grade connection: 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip. */
export const SLOW_4G: NetworkConditions = { latencyMs: 150, downloadBytesPerSecond: 1_600_000 / 8, uploadBytesPerSecond: 750_000 / 8 };

/** What a page has downloaded so far. */
export interface WireTotals {
  bytes: number;
  requests: number;
  /** Responses by their `Content-Encoding` ('identity' when none), to show what was really served. */
  encodings: Record<string, number>;
  /** Bytes per URL (query dropped), largest first: what the path is made of. */
  byUrl: { url: string; bytes: number }[];
}

/** A running count for one page; read it with `totals()` when the page reaches a milestone. */
export interface WireMeter {
  totals(): Promise<WireTotals>;
  stop(): Promise<void>;
}

/** Starts counting on `page` before it navigates: cache disabled and cleared, encodings and throttling as asked. */
export async function meterPage(page: Page, options: { encodings: AcceptedEncodings; conditions?: NetworkConditions }): Promise<WireMeter> {
  const session: CDPSession = await page.context().newCDPSession(page);
  await session.send('Network.enable');
  await session.send('Network.clearBrowserCache');
  await session.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (options.encodings !== 'browser') {
    // Set as the request's own header, Chromium's network stack keeps it instead of its default
    // (and it is a forbidden header name, so it never makes a cross-origin request preflighted).
    await session.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': options.encodings } });
  }
  if (options.conditions) {
    await session.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: options.conditions.latencyMs,
      downloadThroughput: options.conditions.downloadBytesPerSecond,
      uploadThroughput: options.conditions.uploadBytesPerSecond,
    });
  }

  let bytes = 0;
  let requests = 0;
  const encodings: Record<string, number> = {};
  const urls = new Map<string, string>();
  /** How many requests of each URL the page's session saw finish. */
  const finishedUrls = new Map<string, number>();
  /** Bytes per URL, the page's and its workers'. */
  const bytesByUrl = new Map<string, number>();
  const addBytes = (url: string, wire: number) => {
    const key = url.split('?')[0] ?? url;
    bytesByUrl.set(key, (bytesByUrl.get(key) ?? 0) + wire);
  };
  session.on('Network.requestWillBeSent', (event) => urls.set(event.requestId, event.request.url));
  session.on('Network.responseReceived', (event) => {
    const headers = Object.fromEntries(Object.entries(event.response.headers).map(([name, value]) => [name.toLowerCase(), value]));
    const encoding = String(headers['content-encoding'] ?? 'identity');
    encodings[encoding] = (encodings[encoding] ?? 0) + 1;
  });
  session.on('Network.loadingFinished', (event) => {
    bytes += event.encodedDataLength;
    requests += 1;
    const url = urls.get(event.requestId);
    if (url) finishedUrls.set(url, (finishedUrls.get(url) ?? 0) + 1);
    addBytes(url ?? '(unknown)', event.encodedDataLength);
  });

  /** Every request Playwright saw finish (the page's and its workers'), with its wire size. */
  const seenByPlaywright: { url: string; wire: Promise<number> }[] = [];
  const onFinished = (request: Request) => {
    const wire = request
      .sizes()
      .then((sizes) => sizes.responseHeadersSize + sizes.responseBodySize)
      .catch(() => 0);
    seenByPlaywright.push({ url: request.url(), wire });
  };
  page.on('requestfinished', onFinished);

  /**
   * The requests Playwright saw that the page's session did not: a worker's. Matched by URL when
   * asked, not as events arrive, since the two reports of one request come in either order.
   */
  const workerTotals = async () => {
    const unmatched = new Map(finishedUrls);
    let workerBytes = 0;
    let workerRequests = 0;
    const workerByUrl: { url: string; bytes: number }[] = [];
    for (const { url, wire } of seenByPlaywright) {
      const left = unmatched.get(url) ?? 0;
      if (left > 0) {
        unmatched.set(url, left - 1);
        continue;
      }
      const bytesOfWorker = await wire;
      workerBytes += bytesOfWorker;
      workerRequests += 1;
      workerByUrl.push({ url, bytes: bytesOfWorker });
    }
    return { workerBytes, workerRequests, workerByUrl };
  };

  return {
    async totals() {
      const { workerBytes, workerRequests, workerByUrl } = await workerTotals();
      const byUrl = new Map(bytesByUrl);
      for (const { url, bytes: wire } of workerByUrl) {
        const key = url.split('?')[0] ?? url;
        byUrl.set(key, (byUrl.get(key) ?? 0) + wire);
      }
      const sorted = [...byUrl].map(([url, wire]) => ({ url, bytes: wire })).sort((a, b) => b.bytes - a.bytes);
      return { bytes: bytes + workerBytes, requests: requests + workerRequests, encodings: { ...encodings }, byUrl: sorted };
    },
    async stop() {
      page.off('requestfinished', onFinished);
      await session.detach().catch(() => {});
    },
  };
}
