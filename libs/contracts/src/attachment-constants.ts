// Attachment and blob constants (attachments.ts has the schemas and the story): a module without
// zod, so error-codes.ts can name the blob errors without loading schema code on the shell's
// onboarding path (like call-link-constants.ts).

/** Largest attachment a client sends, before padding and encryption. */
export const ATTACHMENT_MAX_BYTES = 100 * 1024 * 1024;
/** Largest blob the server accepts: the largest attachment padded (≤ 5 %) and encrypted (IV, PKCS#7, MAC). */
export const BLOB_MAX_BYTES = 103 * 1024 * 1024;
/** Largest chunk of one PUT: small enough to buffer, large enough that 100 MB takes a dozen requests. */
export const BLOB_CHUNK_MAX_BYTES = 8 * 1024 * 1024;
/** A blob id: 128 random bits, base64url without padding. */
export const BLOB_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/**
 * Errors of the blob routes: 413 `blob_quota_exceeded` (the account's stored bytes would pass its
 * quota), 413 `blob_too_large` (one blob over BLOB_MAX_BYTES), 409 `blob_upload_offset` (a chunk
 * not at the end of what is stored: ask how far the upload got), 409 `blob_upload_incomplete`
 * (finish before every byte arrived).
 */
export const BLOB_ERROR_CODES = ['blob_quota_exceeded', 'blob_too_large', 'blob_upload_offset', 'blob_upload_incomplete'] as const;
/** One of the {@link BLOB_ERROR_CODES}. */
export type BlobErrorCode = (typeof BLOB_ERROR_CODES)[number];
