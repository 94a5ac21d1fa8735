/**
 * The blob API (contracts: attachments.ts). Uploads need a device token, like every other API
 * that changes state; downloads need none. A blob id is 128 random bits that only the sender and
 * the recipients of the end-to-end encrypted message ever see, so holding it is the capability,
 * as on Signal's attachment CDN: asking for a token would tell the server which account fetched
 * which attachment (who received what from whom), and guessing an id is hopeless (2^128). What a
 * download returns is ciphertext that only the message's key opens and whose digest the receiver
 * checks, so a fetch by a stranger who somehow learned an id still learns nothing.
 */
import { BLOB_CHUNK_MAX_BYTES, BLOB_ID_PATTERN, BlobUploadRequestSchema } from '@parley/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ApiContext, Answered, answerRateLimited, handled, parseOr400, requireDevice } from '../http/api-support.js';
import { sendError } from '../http/http-errors.js';
import { addressBucket } from '../limits/client-address.js';
import type { RequestLimiter } from '../limits/shared-rate-limits.js';
import { BlobFailure, type BlobLibrary } from './blob-library.js';

export const BLOBS_PATH = '/api/blobs';

export interface BlobRouteOptions extends ApiContext {
  blobs: BlobLibrary;
  /** Downloads, per client address (they carry no token); shared by the nodes through Redis like the API's buckets. */
  downloadLimiter: RequestLimiter;
}

const STATUS: Record<BlobFailure['code'], number> = {
  not_found: 404,
  blob_quota_exceeded: 413,
  blob_too_large: 413,
  blob_upload_offset: 409,
  blob_upload_incomplete: 409,
};

function answerFailure(reply: FastifyReply, error: unknown): never {
  if (!(error instanceof BlobFailure)) throw error;
  if (error.upload) reply.header('upload-offset', String(error.upload.offset));
  throw new Answered(sendError(reply, STATUS[error.code], error.code, error.message));
}

/** The `:id` of the path, or a 404 answer when it cannot be a blob id. */
function blobIdOr404(request: FastifyRequest, reply: FastifyReply): string {
  const id = (request.params as { id?: unknown }).id;
  if (typeof id !== 'string' || !BLOB_ID_PATTERN.test(id)) throw new Answered(sendError(reply, 404, 'not_found', 'No such blob.'));
  return id;
}

/** Registers the upload routes (device token) and the download route (the id is the capability). */
export function registerBlobRoutes(app: FastifyInstance, options: BlobRouteOptions): void {
  const { blobs } = options;
  // In a scope of their own: the byte-body parser and its size belong to the chunk upload only.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: BLOB_CHUNK_MAX_BYTES }, (_request, body, done) => done(null, body));

    scope.post(
      BLOBS_PATH,
      { bodyLimit: 1024 },
      handled(async (request, reply) => {
        const device = await requireDevice(options, request, reply);
        const { size } = parseOr400(reply, BlobUploadRequestSchema, request.body);
        const upload = await blobs.create(device.userId, size).catch((error: unknown) => answerFailure(reply, error));
        return reply.code(201).send(upload);
      }),
    );

    scope.get(
      `${BLOBS_PATH}/:id/upload`,
      handled(async (request, reply) => {
        const device = await requireDevice(options, request, reply);
        const id = blobIdOr404(request, reply);
        return blobs.status(device.userId, id).catch((error: unknown) => answerFailure(reply, error));
      }),
    );

    scope.put(
      `${BLOBS_PATH}/:id`,
      { bodyLimit: BLOB_CHUNK_MAX_BYTES },
      handled(async (request, reply) => {
        const device = await requireDevice(options, request, reply);
        const id = blobIdOr404(request, reply);
        const offset = Number((request.query as { offset?: unknown }).offset);
        if (!(request.body instanceof Buffer) || request.body.length === 0) {
          return sendError(reply, 415, 'unsupported_media_type', 'Send the chunk as a non-empty application/octet-stream body.');
        }
        if (!Number.isSafeInteger(offset) || offset < 0) return sendError(reply, 400, 'invalid_request', 'Give the chunk\'s place as ?offset=<bytes>.');
        return blobs.append(device.userId, id, offset, request.body).catch((error: unknown) => answerFailure(reply, error));
      }),
    );

    scope.post(
      `${BLOBS_PATH}/:id/finish`,
      handled(async (request, reply) => {
        const device = await requireDevice(options, request, reply);
        const id = blobIdOr404(request, reply);
        return blobs.finish(device.userId, id).catch((error: unknown) => answerFailure(reply, error));
      }),
    );

    scope.delete(
      `${BLOBS_PATH}/:id`,
      handled(async (request, reply) => {
        const device = await requireDevice(options, request, reply);
        const id = blobIdOr404(request, reply);
        await blobs.remove(device.userId, id).catch((error: unknown) => answerFailure(reply, error));
        return reply.code(204).send();
      }),
    );

    scope.get(
      `${BLOBS_PATH}/:id`,
      // Not the general per-device or anonymous limit: downloads have their own, per address.
      { config: { unlimited: true } },
      handled(async (request, reply) => {
        const wait = await options.downloadLimiter.take(`address:${addressBucket(request.ip)}`);
        if (wait > 0) return answerRateLimited(reply, wait, 'downloads');
        const id = blobIdOr404(request, reply);
        const blob = await blobs.download(id).catch((error: unknown) => answerFailure(reply, error));
        // Ciphertext under a key the server never had; no cache between needs to keep it.
        reply.header('cache-control', 'no-store');
        reply.header('content-length', String(blob.size));
        return reply.type('application/octet-stream').send(blob.stream);
      }),
    );
  });
}
