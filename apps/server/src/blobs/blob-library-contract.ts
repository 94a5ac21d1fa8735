/**
 * What the blob library promises over any BlobStore, run against each store (folder, PostgreSQL):
 * chunked and resumable uploads, downloads of finished blobs only, the quota, expiry. Tests that
 * look at one store's own layout (files, records) stay in that store's test file.
 */
import { text } from 'node:stream/consumers';
import { ManualClock } from '@parley/clock/testing';
import { expect, it } from 'vitest';
import { type BlobLimits, DEFAULT_BLOB_LIMITS } from './blob-limits.js';
import { BlobFailure, BlobLibrary } from './blob-library.js';
import type { BlobStore } from './blob-store.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** UTF-8 bytes of `value`. */
export const bytes = (value: string) => new TextEncoder().encode(value);

/** The clock every library of a contract run reads (tests move it). */
export const blobClock = new ManualClock(1_700_000_000_000);

/** A library over `store`, opened, with `limits` over the defaults. */
export async function libraryOver(store: BlobStore, limits: Partial<BlobLimits> = {}): Promise<BlobLibrary> {
  const blobs = new BlobLibrary(store, blobClock, { ...DEFAULT_BLOB_LIMITS, ...limits });
  await blobs.open();
  return blobs;
}

/** The BlobFailure `run` rejects with (the test fails if it resolves or throws something else). */
export async function failureOf(run: Promise<unknown>): Promise<BlobFailure> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BlobFailure);
  return error as BlobFailure;
}

/** Registers the contract's tests; `store` gives a fresh, empty store for each. */
export function describeBlobLibraryContract(store: () => Promise<BlobStore>): void {
  const library = async (limits: Partial<BlobLimits> = {}) => libraryOver(await store(), limits);

  it('stores chunks in order and downloads only once finished', async () => {
    const blobs = await library();
    const upload = await blobs.create('alice', 10);
    expect(upload).toMatchObject({ size: 10, offset: 0, complete: false });
    expect(Buffer.from(upload.id, 'base64url')).toHaveLength(16);
    await blobs.append('alice', upload.id, 0, bytes('01234'));
    expect((await failureOf(blobs.download(upload.id))).code).toBe('not_found');
    expect((await failureOf(blobs.finish('alice', upload.id))).code).toBe('blob_upload_incomplete');
    await blobs.append('alice', upload.id, 5, bytes('56789'));
    expect(await blobs.finish('alice', upload.id)).toMatchObject({ offset: 10, complete: true });
    const download = await blobs.download(upload.id);
    expect(download.size).toBe(10);
    expect(await text(download.stream)).toBe('0123456789');
  });

  it('resumes: a chunk not at the end is refused with where the upload stands', async () => {
    const blobs = await library();
    const { id } = await blobs.create('alice', 6);
    await blobs.append('alice', id, 0, bytes('abc'));
    const refused = await failureOf(blobs.append('alice', id, 0, bytes('abc')));
    expect(refused.code).toBe('blob_upload_offset');
    expect(refused.upload?.offset).toBe(3);
    expect(await blobs.status('alice', id)).toMatchObject({ offset: 3, complete: false });
  });

  it('refuses a chunk past the declared size and another account\'s upload, as if it did not exist', async () => {
    const blobs = await library();
    const { id } = await blobs.create('alice', 3);
    expect((await failureOf(blobs.append('alice', id, 0, bytes('abcd')))).code).toBe('blob_too_large');
    expect((await failureOf(blobs.append('mallory', id, 0, bytes('abc')))).code).toBe('not_found');
    expect((await failureOf(blobs.status('mallory', id))).code).toBe('not_found');
    expect((await failureOf(blobs.remove('mallory', id))).code).toBe('not_found');
  });

  it('takes the quota in full at creation: an upload that would pass it is refused', async () => {
    const blobs = await library({ quotaBytesPerAccount: 100 });
    const first = await blobs.create('alice', 60);
    const refused = await failureOf(blobs.create('alice', 41));
    expect(refused.code).toBe('blob_quota_exceeded');
    expect(refused.message).toContain('stores 60 of 100 bytes');
    expect(await blobs.usage('alice')).toBe(60);
    // Another account has its own quota; alice's comes back when she removes an upload.
    await blobs.create('bob', 100);
    await blobs.create('alice', 40);
    await blobs.remove('alice', first.id);
    expect(await blobs.usage('alice')).toBe(40);
    await blobs.create('alice', 60);
  });

  it('serializes creations: two at once cannot both slip under the quota', async () => {
    const blobs = await library({ quotaBytesPerAccount: 100 });
    const outcomes = await Promise.allSettled([blobs.create('alice', 60), blobs.create('alice', 60)]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('refuses a blob over the size limit', async () => {
    const blobs = await library({ maxBlobBytes: 1000 });
    expect((await failureOf(blobs.create('alice', 1001))).code).toBe('blob_too_large');
  });

  it('expires a blob nobody fetched for 30 days, keeps one fetched meanwhile, and drops uploads idle for a day', async () => {
    const blobs = await library();
    const finished = async (content: string) => {
      const { id } = await blobs.create('alice', content.length);
      await blobs.append('alice', id, 0, bytes(content));
      await blobs.finish('alice', id);
      return id;
    };
    const unfetched = await finished('nobody reads me');
    const fetched = await finished('read on day 20');
    const abandoned = (await blobs.create('alice', 10)).id;

    blobClock.advance(DAY_MS + 1);
    expect(await blobs.sweep()).toEqual({ expired: 0, abandoned: 1 });
    expect((await failureOf(blobs.status('alice', abandoned))).code).toBe('not_found');

    blobClock.advance(19 * DAY_MS);
    await text((await blobs.download(fetched)).stream);
    blobClock.advance(10 * DAY_MS);
    expect(await blobs.sweep()).toEqual({ expired: 1, abandoned: 0 });
    expect((await failureOf(blobs.download(unfetched))).code).toBe('not_found');
    expect(await text((await blobs.download(fetched)).stream)).toBe('read on day 20');
    expect(await blobs.usage('alice')).toBe('read on day 20'.length);
  });
}
