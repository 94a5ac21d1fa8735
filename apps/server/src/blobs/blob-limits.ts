/**
 * Bounds on attachment blobs (issue 18): each a default of ServerConfig.blobLimits, which tests
 * override to reach a limit quickly and operators set with PARLEY_BLOB_QUOTA_BYTES.
 */
import { BLOB_MAX_BYTES } from '@parley/contracts';
import type { RateLimit } from '../config.js';

export interface BlobLimits {
  /** Bytes of blobs one account may hold at once (uploads in progress count in full). */
  quotaBytesPerAccount: number;
  /** Largest single blob. */
  maxBlobBytes: number;
  /** A complete blob nobody downloaded for this long is deleted. */
  unfetchedTtlMs: number;
  /** An upload that received no chunk for this long is deleted (its quota comes back). */
  incompleteTtlMs: number;
  /** Downloads per client address: they carry no token (see blob-routes.ts), so not the device limit. */
  downloadRate: RateLimit;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_BLOB_LIMITS: BlobLimits = {
  // Ten of the largest attachments at once, or thousands of photos: a month of a busy person's
  // sending, since what recipients fetched and nobody fetches again expires after 30 days.
  quotaBytesPerAccount: 1024 * 1024 * 1024,
  // The largest attachment (100 MiB) padded and encrypted.
  maxBlobBytes: BLOB_MAX_BYTES,
  // Signal's choice for its attachment CDN: a month.
  unfetchedTtlMs: 30 * DAY_MS,
  // A day to resume an interrupted upload (a laptop closed overnight).
  incompleteTtlMs: DAY_MS,
  // Opening a conversation full of photos fetches dozens at once; a flood still stops.
  downloadRate: { burst: 200, perSecond: 20 },
};

/** How often the blob sweep runs: expiry is counted in days, minutes of slack do not matter. */
export const BLOB_SWEEP_INTERVAL_MS = 10 * 60_000;
