/**
 * Attachments over the blob API (issue 18): a file is encrypted here with a fresh key (Signal's
 * scheme, @parley/signal-protocol attachments.ts), uploaded in chunks that resume where the server
 * says the upload stands, and described by an AttachmentPointer that travels only inside the
 * end-to-end encrypted message. Downloading checks the digest and the MAC before a byte is
 * decrypted; a blob changed on the server is an AttachmentError, never a file.
 *
 * Downloads carry no token: the blob id is the capability (apps/server blob-routes.ts says why).
 */
import { concatBytes, fromBase64, toBase64 } from '@parley/bytes';
import { type AttachmentPointer, type BlobUpload, BlobUploadSchema } from '@parley/contracts';
import { decryptAttachment, encryptAttachment } from '@parley/signal-protocol';
import { ParleyApiError } from './errors.js';

/** What the sender knows about a file besides its bytes (travels encrypted, in the pointer). */
export type AttachmentDescription = Omit<AttachmentPointer, 'blobId' | 'key' | 'digest' | 'size'>;

/** Progress of an upload or download, 0 to 1. */
export type TransferProgress = (fraction: number) => void;

export interface AttachmentTransferOptions {
  /** Origin of the server's API. */
  readonly baseUrl: string;
  /** This device's token, for uploads. */
  readonly token: () => string | undefined;
  /** The platform's fetch (or a test double with the same shape). */
  readonly fetch?: typeof fetch;
  /** Largest chunk sent at once; the server's limit when smaller. */
  readonly chunkBytes?: number;
  /** Waits before a retry (tests pass one that does not wait). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Chunks of 4 MiB: a 100 MB file in 25 requests, within a device's rate limit, with smooth progress. */
const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
/** Failed requests of one upload retried (each after asking where the upload stands) before giving up. */
const MAX_RETRIES = 5;

/** Encrypts and uploads attachments, and downloads and checks them. */
export class AttachmentTransfer {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: AttachmentTransferOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Encrypts `bytes`, uploads the ciphertext and returns the pointer to send. A refusal (quota,
   * size) is a ParleyApiError with the server's code (`blob_quota_exceeded`, `blob_too_large`) and
   * nothing stays on the server; an upload that fails midway is removed before the error is thrown.
   */
  async upload(bytes: Uint8Array, description: AttachmentDescription, onProgress: TransferProgress = () => {}): Promise<AttachmentPointer> {
    const sealed = await encryptAttachment(bytes);
    const ciphertext = sealed.ciphertext;
    let upload = await this.json('POST', '/api/blobs', { size: ciphertext.length });
    onProgress(0);
    try {
      let retries = 0;
      while (upload.offset < ciphertext.length) {
        const end = Math.min(ciphertext.length, upload.offset + Math.min(upload.chunkMaxBytes, this.options.chunkBytes ?? DEFAULT_CHUNK_BYTES));
        try {
          upload = await this.putChunk(upload, ciphertext.subarray(upload.offset, end));
          onProgress(upload.offset / ciphertext.length);
        } catch (error) {
          if (++retries > MAX_RETRIES || !retryable(error)) throw error;
          await this.sleep(retryDelay(error, retries));
          // Resumed from where the server says the upload stands (a chunk may have landed).
          upload = await this.json('GET', `/api/blobs/${upload.id}/upload`);
        }
      }
      upload = await this.json('POST', `/api/blobs/${upload.id}/finish`);
    } catch (error) {
      await this.json('DELETE', `/api/blobs/${upload.id}`).catch(() => undefined);
      throw error;
    }
    onProgress(1);
    return { ...description, blobId: upload.id, key: toBase64(sealed.key), digest: toBase64(sealed.digest), size: sealed.size };
  }

  /**
   * Downloads the pointer's blob and returns the file, after checking it is the one the sender
   * uploaded. A changed blob rejects with an AttachmentError (`digest-mismatch`, …); a missing or
   * expired one with a ParleyApiError `not_found`.
   */
  async download(pointer: AttachmentPointer, onProgress: TransferProgress = () => {}): Promise<Uint8Array<ArrayBuffer>> {
    let response: Response;
    try {
      response = await this.fetch(`${this.baseUrl}/api/blobs/${pointer.blobId}`, { method: 'GET' });
    } catch (error) {
      throw new ParleyApiError('network', `GET /api/blobs got no answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (response.status !== 200) throw await apiError(response, 'GET /api/blobs');
    const total = Number(response.headers.get('content-length')) || 0;
    const ciphertext = await readAll(response, total, onProgress);
    onProgress(1);
    return decryptAttachment(ciphertext, { key: fromBase64(pointer.key), digest: fromBase64(pointer.digest), size: pointer.size });
  }

  private async putChunk(upload: BlobUpload, chunk: Uint8Array<ArrayBuffer>): Promise<BlobUpload> {
    let response: Response;
    try {
      response = await this.fetch(`${this.baseUrl}/api/blobs/${upload.id}?offset=${upload.offset}`, {
        method: 'PUT',
        headers: { ...this.auth(), 'content-type': 'application/octet-stream' },
        body: chunk,
      });
    } catch (error) {
      throw new ParleyApiError('network', `PUT /api/blobs got no answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (response.status !== 200) throw await apiError(response, 'PUT /api/blobs');
    return BlobUploadSchema.parse(await response.json());
  }

  private async json(method: string, path: string, body?: unknown): Promise<BlobUpload> {
    const headers: Record<string, string> = { ...this.auth(), accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetch(`${this.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      throw new ParleyApiError('network', `${method} /api/blobs got no answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (response.status >= 300) throw await apiError(response, `${method} /api/blobs`);
    return response.status === 204 ? (undefined as unknown as BlobUpload) : BlobUploadSchema.parse(await response.json());
  }

  private auth(): Record<string, string> {
    const token = this.options.token();
    if (!token) throw new ParleyApiError('not_authenticated', 'uploads need this device\'s token');
    return { authorization: `Bearer ${token}` };
  }
}

/** The server's error body as a ParleyApiError (its code), or a generic one. */
async function apiError(response: Response, what: string): Promise<ParleyApiError> {
  let code = 'invalid_response';
  let message = `${what} answered ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = `${what}: ${body.error.message}`;
  } catch {
    // Not the shared error shape: the generic code stands.
  }
  const error = new ParleyApiError(code, message, response.status);
  const retryAfter = Number(response.headers.get('retry-after'));
  return Object.assign(error, Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {});
}

function retryable(error: unknown): boolean {
  return error instanceof ParleyApiError && (error.code === 'network' || error.code === 'rate_limited' || error.code === 'blob_upload_offset' || (error.status ?? 0) >= 500);
}

function retryDelay(error: unknown, attempt: number): number {
  const asked = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof asked === 'number' ? asked : Math.min(8_000, 250 * 2 ** attempt);
}

/** The whole body, reporting progress as it arrives when the length is known. */
async function readAll(response: Response, total: number, onProgress: TransferProgress): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    received += value.length;
    if (total > 0) onProgress(Math.min(1, received / total));
  }
  return concatBytes(...parts);
}
