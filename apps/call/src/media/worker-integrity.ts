/**
 * The SFrame worker runs in the shell's origin, next to the identity key and the device token, so
 * it must be code the release vouches for like every other chunk. The release's chain: the signed
 * manifest pins `remoteEntry.js` (SRI), the entry pins every chunk (SRI), and the chunk that starts
 * the worker carries the worker's sha384 (put there by rsbuild.config.ts). A worker started from a
 * URL would run whatever that URL serves at that moment; here the bytes are fetched once, checked
 * against that hash, and the worker starts from a blob of exactly those bytes.
 */
import { toBase64 } from '@parley/bytes';

/** Why the worker's code was not started. */
export type WorkerIntegrityErrorCode = 'worker-tampered' | 'worker-unavailable';

/** The worker's code could not be vouched for: calls stay off. */
export interface WorkerIntegrityError {
  readonly code: WorkerIntegrityErrorCode;
  readonly message: string;
}

/** The outcome of checking the worker's code once per page. */
export type VerifiedWorkerScript = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly error: WorkerIntegrityError };

/** What checking needs from the page (injected in tests). */
export interface WorkerIntegrityPorts {
  readonly fetch: (url: string) => Promise<Response>;
  readonly createObjectURL: (blob: Blob) => string;
}

const SRI_PREFIX = 'sha384-';

/** Fetches the worker's code and, if its sha384 is `integrity` (`sha384-<base64>`), a blob URL of those bytes. */
export async function verifyWorkerScript(
  url: string,
  integrity: string,
  ports: WorkerIntegrityPorts = { fetch: (target) => fetch(target, { credentials: 'omit' }), createObjectURL: (blob) => URL.createObjectURL(blob) },
): Promise<VerifiedWorkerScript> {
  if (!integrity.startsWith(SRI_PREFIX)) return failed('worker-tampered', `the build carries no sha384 for the worker (${integrity})`);
  let bytes: ArrayBuffer;
  try {
    const response = await ports.fetch(url);
    if (!response.ok) return failed('worker-unavailable', `the worker's code answered ${response.status}`);
    bytes = await response.arrayBuffer();
  } catch (error) {
    return failed('worker-unavailable', `the worker's code could not be fetched: ${String(error)}`);
  }
  const actual = SRI_PREFIX + toBase64(new Uint8Array(await crypto.subtle.digest('SHA-384', bytes)));
  if (actual !== integrity) return failed('worker-tampered', `the worker's code is not the code this release was built with (${actual})`);
  return { ok: true, url: ports.createObjectURL(new Blob([bytes], { type: 'text/javascript' })) };
}

function failed(code: WorkerIntegrityErrorCode, message: string): VerifiedWorkerScript {
  return { ok: false, error: { code, message } };
}
