/**
 * Attachments (issue 18): the blob API between a client and the server's blob store. A blob is an
 * attachment's ciphertext (Signal's scheme, libs/signal-protocol attachments.ts); its key, digest,
 * file name and type travel only inside the end-to-end encrypted message, never to the server.
 *
 * Upload, resumable: POST /api/blobs {size} → 201 BlobUpload (the quota is taken for the whole
 * size here, so a refused upload stores nothing); PUT /api/blobs/:id?offset=N with an
 * `application/octet-stream` chunk → 200 BlobUpload; GET /api/blobs/:id/upload → BlobUpload (how
 * far a resumed upload got); POST /api/blobs/:id/finish → 200 BlobUpload {complete: true}.
 * Download: GET /api/blobs/:id → the bytes, without a token (the id is the capability).
 */
import { z } from 'zod';
import { ATTACHMENT_MAX_BYTES, BLOB_ID_PATTERN } from './attachment-constants.js';

/** POST /api/blobs: the size of the blob to come. */
export const BlobUploadRequestSchema = z.strictObject({
  size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
export type BlobUploadRequest = z.infer<typeof BlobUploadRequestSchema>;

/** Where an upload stands. */
export const BlobUploadSchema = z.object({
  id: z.string().regex(BLOB_ID_PATTERN),
  size: z.number().int().min(1),
  /** Bytes stored so far: the next chunk starts here. */
  offset: z.number().int().min(0),
  complete: z.boolean(),
  /** Largest chunk a PUT may carry. */
  chunkMaxBytes: z.number().int().min(1),
});
export type BlobUpload = z.infer<typeof BlobUploadSchema>;

/** Longest inline thumbnail (a small JPEG, base64) a message carries. */
export const ATTACHMENT_THUMBNAIL_MAX_CHARS = 48 * 1024;
/** Most attachments on one message. */
export const ATTACHMENTS_PER_MESSAGE_MAX = 10;

const base64Of = (bytes: number) => z.string().length(4 * Math.ceil(bytes / 3)).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');

/**
 * An attachment as it travels inside the Signal message (Signal's AttachmentPointer): where the
 * blob is, the key and digest that open and check it, and what only the recipients may know — the
 * file's name, type and size. The thumbnail of an image is a small JPEG inline here, so it is
 * encrypted with the message and costs no second blob.
 */
export const AttachmentPointerSchema = z.strictObject({
  blobId: z.string().regex(BLOB_ID_PATTERN),
  /** 64 bytes, base64: AES-256 key ‖ HMAC-SHA256 key. */
  key: base64Of(64),
  /** SHA-256 of the blob, base64. */
  digest: base64Of(32),
  /** The plaintext's size in bytes, before padding. */
  size: z.number().int().min(0).max(ATTACHMENT_MAX_BYTES),
  contentType: z.string().max(128),
  fileName: z.string().max(255),
  /** A JPEG data URL of an image's thumbnail. */
  thumbnail: z.string().startsWith('data:image/jpeg;base64,').max(ATTACHMENT_THUMBNAIL_MAX_CHARS).optional(),
  width: z.number().int().min(1).max(100_000).optional(),
  height: z.number().int().min(1).max(100_000).optional(),
  /** Voice messages: length in ms. */
  durationMs: z.number().int().min(0).max(24 * 60 * 60 * 1000).optional(),
  /** A voice message rather than an audio file. */
  voice: z.boolean().optional(),
  /** Voice messages: loudness over time, 0–255 per bar. */
  waveform: z.array(z.number().int().min(0).max(255)).max(128).optional(),
});
export type AttachmentPointer = z.infer<typeof AttachmentPointerSchema>;
