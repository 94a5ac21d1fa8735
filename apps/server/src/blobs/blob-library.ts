/**
 * The policy over a BlobStore: who may upload what (the per-account quota, taken in full when an
 * upload is created, so a refused upload stores nothing and a finished one never passes the
 * quota), chunks only at the end of what is stored (so a resumed upload asks how far it got),
 * downloads of complete blobs only, and expiry of blobs nobody fetched (read from the injectable
 * clock, so tests move time instead of waiting).
 */
import { randomBytes } from 'node:crypto';
import type { WallClock } from '@parley/clock';
import type { BlobErrorCode, BlobUpload } from '@parley/contracts';
import { BLOB_CHUNK_MAX_BYTES } from '@parley/contracts';
import type { Readable } from 'node:stream';
import type { BlobLimits } from './blob-limits.js';
import { type BlobRecord, type BlobStore, StaleBlobRecord } from './blob-store.js';

/** A refused blob operation, as a typed value the routes turn into an HTTP answer. */
export class BlobFailure extends Error {
  constructor(
    readonly code: BlobErrorCode | 'not_found',
    message: string,
    /** Where the upload stands, for `blob_upload_offset` (the client resumes from there). */
    readonly upload?: BlobUpload,
  ) {
    super(message);
    this.name = 'BlobFailure';
  }
}

/** What one expiry sweep removed. */
export interface BlobSweepReport {
  expired: number;
  abandoned: number;
}

/** How often a download refreshes a blob's `lastUsedAt` at most: not a disk write per fetch. */
const TOUCH_INTERVAL_MS = 60 * 60 * 1000;

/** Blob uploads, downloads and expiry under the limits. */
export class BlobLibrary {
  /** Operations on one blob (and creations, under ''), one at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: BlobStore,
    private readonly clock: WallClock,
    readonly limits: BlobLimits,
  ) {}

  /** Opens the store. */
  open(): Promise<void> {
    return this.store.open();
  }

  /** Bytes `owner`'s blobs take against the quota (uploads in progress in full). */
  usage(owner: string): Promise<number> {
    return this.store.usage(owner);
  }

  /** Starts an upload of `size` bytes for `owner`, or refuses it before anything is stored. */
  create(owner: string, size: number): Promise<BlobUpload> {
    // Creations are serialized here, and the store checks the quota atomically (across nodes):
    // two at once must not both fit under the quota.
    return this.serially('', async () => {
      if (size > this.limits.maxBlobBytes) throw new BlobFailure('blob_too_large', `A blob is at most ${this.limits.maxBlobBytes} bytes.`);
      const now = this.clock.now();
      const record: BlobRecord = { id: randomBytes(16).toString('base64url'), owner, size, received: 0, complete: false, createdAt: now, lastUsedAt: now };
      const { created, used } = await this.store.createWithinQuota(record, this.limits.quotaBytesPerAccount);
      if (!created) {
        throw new BlobFailure('blob_quota_exceeded', `This account stores ${used} of ${this.limits.quotaBytesPerAccount} bytes; ${size} more do not fit.`);
      }
      return uploadOf(record);
    });
  }

  /** Where `owner`'s upload `id` stands. */
  async status(owner: string, id: string): Promise<BlobUpload> {
    return uploadOf(await this.owned(owner, id));
  }

  /** Stores `bytes` at `offset`, which must be where the upload stands. */
  append(owner: string, id: string, offset: number, bytes: Uint8Array): Promise<BlobUpload> {
    return this.serially(id, async () => {
      const record = await this.owned(owner, id);
      if (record.complete || offset !== record.received) {
        throw new BlobFailure('blob_upload_offset', `The upload stands at ${record.received} bytes${record.complete ? ' and is complete' : ''}; a chunk at ${offset} does not follow.`, uploadOf(record));
      }
      if (offset + bytes.length > record.size) throw new BlobFailure('blob_too_large', `The chunk goes past the declared size of ${record.size} bytes.`);
      const updated = { ...record, received: offset + bytes.length, lastUsedAt: this.clock.now() };
      try {
        await this.store.write(updated, offset, bytes);
      } catch (error) {
        if (!(error instanceof StaleBlobRecord)) throw error;
        // Another node took a chunk of this upload in the meantime: the client resumes from there.
        const current = await this.owned(owner, id);
        throw new BlobFailure('blob_upload_offset', `The upload stands at ${current.received} bytes; a chunk at ${offset} does not follow.`, uploadOf(current));
      }
      return uploadOf(updated);
    });
  }

  /** Marks a fully received upload complete: from now on it can be downloaded. */
  finish(owner: string, id: string): Promise<BlobUpload> {
    return this.serially(id, async () => {
      const record = await this.owned(owner, id);
      if (record.received !== record.size) {
        throw new BlobFailure('blob_upload_incomplete', `${record.received} of ${record.size} bytes arrived.`, uploadOf(record));
      }
      const updated = { ...record, complete: true, lastUsedAt: this.clock.now() };
      if (!record.complete) await this.store.update(updated);
      return uploadOf(updated);
    });
  }

  /** Removes `owner`'s blob (an upload given up, or one never sent); its quota comes back. */
  remove(owner: string, id: string): Promise<void> {
    return this.serially(id, async () => {
      await this.owned(owner, id);
      await this.store.remove(id);
    });
  }

  /** The bytes of a complete blob, with its size; anyone holding the id may fetch it. */
  async download(id: string): Promise<{ size: number; stream: Readable }> {
    const record = await this.store.get(id);
    if (!record?.complete) throw new BlobFailure('not_found', 'No such blob.');
    const now = this.clock.now();
    if (now - record.lastUsedAt >= TOUCH_INTERVAL_MS) {
      await this.serially(id, async () => {
        const current = await this.store.get(id);
        if (current) await this.store.update({ ...current, lastUsedAt: now });
      });
    }
    return { size: record.size, stream: this.store.read(id) };
  }

  /** Deletes complete blobs nobody fetched for `unfetchedTtlMs` and uploads idle for `incompleteTtlMs`. */
  async sweep(): Promise<BlobSweepReport> {
    const now = this.clock.now();
    const report: BlobSweepReport = { expired: 0, abandoned: 0 };
    for (const record of await this.store.list()) {
      const ttl = record.complete ? this.limits.unfetchedTtlMs : this.limits.incompleteTtlMs;
      if (now - record.lastUsedAt < ttl) continue;
      await this.serially(record.id, () => this.store.remove(record.id));
      report[record.complete ? 'expired' : 'abandoned'] += 1;
    }
    return report;
  }

  private async owned(owner: string, id: string): Promise<BlobRecord> {
    const record = await this.store.get(id);
    // Someone else's blob answers like a missing one: an id proves nothing about its uploader.
    if (!record || record.owner !== owner) throw new BlobFailure('not_found', 'No such upload.');
    return record;
  }

  private serially<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(run, run);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }
}

function uploadOf(record: BlobRecord): BlobUpload {
  return { id: record.id, size: record.size, offset: record.received, complete: record.complete, chunkMaxBytes: BLOB_CHUNK_MAX_BYTES };
}
