import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@parley/clock/testing';
import { ATTACHMENT_MAX_BYTES, BLOB_CHUNK_MAX_BYTES, BLOB_MAX_BYTES, BlobUploadSchema } from '@parley/contracts';
import { attachmentCiphertextSize, decryptAttachment, encryptAttachment } from '@parley/signal-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../config.js';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, tempFolder, testConfig } from '../testing/test-support.js';
import { DEFAULT_BLOB_LIMITS } from './blob-limits.js';
import { BLOBS_PATH } from './blob-routes.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('the blob API', () => {
  let server: ParleyServer | null = null;
  let folder: Awaited<ReturnType<typeof tempFolder>> | null = null;
  afterEach(async () => {
    await server?.stop();
    await folder?.remove();
  });

  async function start(overrides: Partial<ServerConfig> = {}) {
    folder = await tempFolder();
    const clock = new ManualClock(1_700_000_000_000);
    server = createParleyServer(testConfig(folder.path, { clock, ...overrides }));
    const base = (await server.start()).api;
    const http = new TestApi(base);
    const alice = await http.register(new TestIdentity().account('alice'));
    const bob = await http.register(new TestIdentity().account('bob'));
    const put = (token: string, id: string, offset: number, body: Uint8Array) =>
      fetch(`${base}${BLOBS_PATH}/${id}?offset=${offset}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(body) });
    const blobFiles = async () => (await readdir(join(folder!.path, 'blobs'))).sort();
    return { base, http, alice, bob, put, clock, blobFiles };
  }

  /** Uploads `bytes` in chunks of `chunk` bytes and finishes; returns the id. */
  async function upload(context: Awaited<ReturnType<typeof start>>, token: string, bytes: Uint8Array, chunk = 1000): Promise<string> {
    const created = await context.http.request('POST', BLOBS_PATH, { token, body: { size: bytes.length } });
    expect(created.status).toBe(201);
    const { id } = BlobUploadSchema.parse(created.body);
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      expect((await context.put(token, id, offset, bytes.subarray(offset, offset + chunk))).status).toBe(200);
    }
    expect((await context.http.request('POST', `${BLOBS_PATH}/${id}/finish`, { token })).body).toMatchObject({ complete: true, offset: bytes.length });
    return id;
  }

  it('round-trips an encrypted attachment: chunked upload with a token, download with only the id', async () => {
    const context = await start();
    const plaintext = new TextEncoder().encode('a PDF, more or less');
    const sealed = await encryptAttachment(plaintext);
    const id = await upload(context, context.alice.token, sealed.ciphertext, 100);
    const answer = await fetch(`${context.base}${BLOBS_PATH}/${id}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/octet-stream');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const fetched = new Uint8Array(await answer.arrayBuffer());
    expect(new TextDecoder().decode(await decryptAttachment(fetched, sealed))).toBe('a PDF, more or less');
  });

  it('needs a device token to upload, and hides one account\'s upload from another', async () => {
    const context = await start();
    expect((await context.http.request('POST', BLOBS_PATH, { body: { size: 10 } })).status).toBe(401);
    const { body } = await context.http.request('POST', BLOBS_PATH, { token: context.alice.token, body: { size: 10 } });
    expect((await context.put('not-a-token', body.id, 0, new Uint8Array(10))).status).toBe(401);
    expect((await context.put(context.bob.token, body.id, 0, new Uint8Array(10))).status).toBe(404);
    expect((await context.http.request('GET', `${BLOBS_PATH}/${body.id}/upload`, { token: context.bob.token })).status).toBe(404);
    // Not downloadable before it is finished.
    expect((await fetch(`${context.base}${BLOBS_PATH}/${body.id}`)).status).toBe(404);
  });

  it('resumes: the server says how far an upload got, and a chunk at the wrong offset is a 409 naming it', async () => {
    const context = await start();
    const token = context.alice.token;
    const { body } = await context.http.request('POST', BLOBS_PATH, { token, body: { size: 3000 } });
    expect((await context.put(token, body.id, 0, new Uint8Array(1000).fill(1))).status).toBe(200);
    // The connection dropped; a new page asks where to go on.
    const status = await context.http.request('GET', `${BLOBS_PATH}/${body.id}/upload`, { token });
    expect(status.body).toMatchObject({ offset: 1000, size: 3000, complete: false, chunkMaxBytes: BLOB_CHUNK_MAX_BYTES });
    const wrong = await context.put(token, body.id, 2000, new Uint8Array(1000));
    expect(wrong.status).toBe(409);
    expect(wrong.headers.get('upload-offset')).toBe('1000');
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('blob_upload_offset');
    expect((await context.http.request('POST', `${BLOBS_PATH}/${body.id}/finish`, { token })).body.error.code).toBe('blob_upload_incomplete');
    expect((await context.put(token, body.id, 1000, new Uint8Array(2000).fill(2))).status).toBe(200);
    expect((await context.http.request('POST', `${BLOBS_PATH}/${body.id}/finish`, { token })).status).toBe(200);
    expect(new Uint8Array(await (await fetch(`${context.base}${BLOBS_PATH}/${body.id}`)).arrayBuffer())[2999]).toBe(2);
  });

  it('over the quota: 413 blob_quota_exceeded before a byte is stored', async () => {
    const context = await start({ blobLimits: { ...DEFAULT_BLOB_LIMITS, quotaBytesPerAccount: 5000 } });
    const token = context.alice.token;
    await upload(context, token, new Uint8Array(4000));
    const before = await context.blobFiles();
    const refused = await context.http.request('POST', BLOBS_PATH, { token, body: { size: 1001 } });
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('blob_quota_exceeded');
    expect(await context.blobFiles()).toEqual(before);
    // Removing a blob gives its bytes back.
    const { body } = await context.http.request('POST', BLOBS_PATH, { token, body: { size: 1000 } });
    expect((await context.http.request('DELETE', `${BLOBS_PATH}/${body.id}`, { token })).status).toBe(204);
    expect((await context.http.request('POST', BLOBS_PATH, { token, body: { size: 1000 } })).status).toBe(201);
  });

  it('caps one blob at the largest attachment padded and encrypted, and one chunk at the chunk size', async () => {
    expect(attachmentCiphertextSize(ATTACHMENT_MAX_BYTES)).toBeLessThanOrEqual(BLOB_MAX_BYTES);
    const context = await start();
    const token = context.alice.token;
    const tooLarge = await context.http.request('POST', BLOBS_PATH, { token, body: { size: BLOB_MAX_BYTES + 1 } });
    expect([tooLarge.status, tooLarge.body.error.code]).toEqual([413, 'blob_too_large']);
    const { body } = await context.http.request('POST', BLOBS_PATH, { token, body: { size: BLOB_CHUNK_MAX_BYTES + 1 } });
    expect((await context.put(token, body.id, 0, new Uint8Array(BLOB_CHUNK_MAX_BYTES + 1))).status).toBe(413);
    expect((await context.http.request('GET', `${BLOBS_PATH}/${body.id}/upload`, { token })).body.offset).toBe(0);
  });

  it('answers 404 for ids that are not 128-bit base64url, and 400 for a chunk without its offset', async () => {
    const context = await start();
    for (const id of ['short', '..%2F..%2Fparley.sqlite', 'A'.repeat(23)]) expect((await fetch(`${context.base}${BLOBS_PATH}/${id}`)).status).toBe(404);
    const { body } = await context.http.request('POST', BLOBS_PATH, { token: context.alice.token, body: { size: 10 } });
    const noOffset = await fetch(`${context.base}${BLOBS_PATH}/${body.id}`, { method: 'PUT', headers: { authorization: `Bearer ${context.alice.token}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(10) });
    expect(noOffset.status).toBe(400);
  });

  it('limits downloads per address with their own bucket', async () => {
    const context = await start({ blobLimits: { ...DEFAULT_BLOB_LIMITS, downloadRate: { burst: 3, perSecond: 1 } } });
    const id = await upload(context, context.alice.token, new Uint8Array(10));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${context.base}${BLOBS_PATH}/${id}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    context.clock.advance(1000);
    expect((await fetch(`${context.base}${BLOBS_PATH}/${id}`)).status).toBe(200);
  });

  it('expires a blob nobody fetched for 30 days when the server sweeps', async () => {
    const context = await start();
    const id = await upload(context, context.alice.token, new Uint8Array(10));
    context.clock.advance(29 * DAY_MS);
    expect(await server!.sweepBlobs()).toEqual({ expired: 0, abandoned: 0 });
    context.clock.advance(DAY_MS);
    expect(await server!.sweepBlobs()).toEqual({ expired: 1, abandoned: 0 });
    expect((await fetch(`${context.base}${BLOBS_PATH}/${id}`)).status).toBe(404);
    expect(await context.blobFiles()).toEqual([]);
  });
});
