// The cohort manifest's request, started as soon as the device token is read (issue 20): the
// signed-in shell's chunks, the device session and the manifest's round trip then overlap instead of
// following one another. Only the request moves earlier: the answer is checked exactly as before
// (fetchManifest: signature over the exact bytes, user, expiry, freshness, contract), and it is used
// once, by the signed-in shell's first manifest load; every refresh asks the server again.
// The entry uses this module: @parley/contracts would add a chunk to its path, so the contract
// version is passed in (CONTRACT_VERSION, or the entry's copy that a test holds equal).
import { StartedEarly } from '../started-early.js';

/** The manifest's URL for the shell's contract version, and the request's options with the device token. */
export function manifestRequest(token: string, contractVersion: string): { url: string; init: RequestInit } {
  return {
    url: `/api/manifest?contract=${encodeURIComponent(contractVersion)}`,
    init: { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' },
  };
}

/** Requests started early, by the token they carry. */
const early = new StartedEarly<Promise<Response>>();

/** Starts the manifest request for `token` now, unless one is under way; a rejection is seen by whoever takes it. */
export function prefetchManifest(token: string, contractVersion: string, fetchImpl: typeof fetch = fetch): void {
  if (early.has(token)) return;
  early.start(token, () => {
    const { url, init } = manifestRequest(token, contractVersion);
    const response = fetchImpl(url, init);
    // Not awaited until the shell takes it; a failure then is handled there (fetchManifest).
    response.catch(() => {});
    return response;
  });
}

/** The request started early for `token`, once (later calls get undefined). */
export function takePrefetchedManifest(token: string): Promise<Response> | undefined {
  return early.take(token);
}
