/**
 * Where attachment blobs live (issue 18), behind one small interface: the folder in the data
 * directory by default (folder-blob-store.ts); the database or an S3-compatible store can take its
 * place. A store keeps bytes and the bookkeeping the policy needs (owner, sizes, times); it knows
 * no file name, type or key — those travel only inside the end-to-end encrypted message — and it
 * decides nothing: quotas, offsets and expiry are the library's (blob-library.ts).
 */
import type { Readable } from 'node:stream';

/** What the server knows about one blob. */
export interface BlobRecord {
  /** 128 random bits, base64url: the blob's name and its download capability. */
  id: string;
  /** The uploading account (its quota pays for the blob). */
  owner: string;
  /** Declared at creation: what the upload will hold when complete. */
  size: number;
  /** Bytes stored so far. */
  received: number;
  complete: boolean;
  createdAt: number;
  /** The last chunk, the finish or the last download (throttled): what expiry counts from. */
  lastUsedAt: number;
}

/**
 * A chunk written on the word of a record another node (or call) has moved on from: the upload no
 * longer stands at the offset the chunk was meant for. Nothing of the chunk is kept.
 */
export class StaleBlobRecord extends Error {
  constructor() {
    super('the upload moved on since its record was read');
    this.name = 'StaleBlobRecord';
  }
}

/**
 * Bytes and records of blobs. In one process the library serializes calls on one id; a store that
 * several nodes share (the database) checks what another node may have changed itself: `create`
 * against the owner's quota, `write` against the offset.
 */
export interface BlobStore {
  /** Prepares the store (creates the folder, reads the records); before any other call. */
  open(): Promise<void>;
  /** Every record, complete or not. */
  list(): Promise<BlobRecord[]>;
  get(id: string): Promise<BlobRecord | undefined>;
  /** Bytes `owner`'s blobs take: the declared sizes, uploads in progress in full. */
  usage(owner: string): Promise<number>;
  /**
   * Stores a record and no bytes yet, if the owner's usage plus its size stays within
   * `quotaBytes`; answers the usage it found either way. Atomic per owner, across nodes too.
   */
  createWithinQuota(record: BlobRecord, quotaBytes: number): Promise<{ created: boolean; used: number }>;
  /**
   * Writes `bytes` at `offset` of the blob's content and saves `record` (its new `received`);
   * throws StaleBlobRecord when the stored record no longer stands at `offset`.
   */
  write(record: BlobRecord, offset: number, bytes: Uint8Array): Promise<void>;
  /** Saves a changed record (complete, lastUsedAt). */
  update(record: BlobRecord): Promise<void>;
  /** The blob's bytes. */
  read(id: string): Readable;
  /** Forgets the blob, bytes and record. */
  remove(id: string): Promise<void>;
}
