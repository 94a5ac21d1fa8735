/**
 * What bounds the disk (issue 21): per-device queue quotas, how long undelivered envelopes, unseen
 * devices and idle guests are kept, and caps on stored prekeys and open group calls. Without them
 * one device could queue garbage to a device that never connects at its send rate forever, and
 * every abandoned device's queue, keys and link codes would stay for good. Each number is a default
 * of ServerConfig.diskLimits, which tests override to reach a limit quickly.
 */

/** Every bound on what the server stores; see DEFAULT_DISK_LIMITS for the numbers and why. */
export interface DiskLimits {
  /** Envelopes queued for one recipient device, past which a send to it is refused (`queue_full`). */
  queueEnvelopes: number;
  /** Ciphertext bytes queued for one recipient device, likewise. */
  queueBytes: number;
  /** Age (by server timestamp) at which an undelivered envelope is deleted. */
  envelopeTtlMs: number;
  /** A device neither connected nor seen for this long is removed, like a removal by its owner. */
  deviceUnseenTtlMs: number;
  /** A guest account none of whose devices is connected nor was seen for this long is deleted. */
  guestIdleMs: number;
  /** One-time EC prekeys stored per device; an upload that would go past it is refused. */
  oneTimePreKeys: number;
  /** One-time Kyber prekeys stored per device, likewise. */
  kyberOneTimePreKeys: number;
  /** Group calls a user may have open (created by them, not ended) when starting another. */
  openGroupCallsPerUser: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_DISK_LIMITS: DiskLimits = {
  // Weeks of a busy person's messages for a phone left off (a few hundred a day), yet garbage sent
  // to a device that never connects stops here instead of growing by the sender's rate limit
  // (50 sends a second is hundreds of GB a day). Acks free the room again.
  queueEnvelopes: 10_000,
  // 100 MiB: ~700 of the largest ciphertexts a frame carries (~150 KB), far more of ordinary texts.
  queueBytes: 100 * 1024 * 1024,
  // Signal's choice: a device away for a month gets what is newer than 30 days; older envelopes
  // would mostly be read on another device already.
  envelopeTtlMs: 30 * DAY_MS,
  // Twice the envelope expiry: by then everything queued for the device has expired anyway, so
  // only its token and keys go; a browser that comes back after that is linked again.
  deviceUnseenTtlMs: 60 * DAY_MS,
  // A guest account serves one call: the tab keeps its relay socket open for the whole call (so a
  // connected guest is never idle), and a reload reconnects within seconds. An hour without either
  // means the tab is gone; guests are created without an account, so they must not linger a day.
  guestIdleMs: 60 * 60 * 1000,
  // Honest clients upload 100 of each when fewer than PREKEY_LOW_WATERMARK (10) are left, so they
  // hold at most ~110; twice the batch leaves room for a retried upload.
  oneTimePreKeys: 200,
  kyberOneTimePreKeys: 200,
  // Nobody is in ten calls at once; an empty call ends by itself within minutes (sfuEmptyCallTimeoutMs).
  openGroupCallsPerUser: 10,
};

/** How often the storage sweeps run: expiry is counted in hours and days, minutes of slack do not matter. */
export const STORAGE_SWEEP_INTERVAL_MS = 10 * 60_000;
