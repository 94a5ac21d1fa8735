import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { tempFolderPerTest } from '../testing/test-support.js';
import { blobClock, bytes, describeBlobLibraryContract, failureOf, libraryOver } from './blob-library-contract.js';
import { FolderBlobStore } from './folder-blob-store.js';

describe('the blob library over the folder store', () => {
  const folder = tempFolderPerTest();
  const library = () => libraryOver(FolderBlobStore.inDataDir(folder.path));

  describeBlobLibraryContract(async () => FolderBlobStore.inDataDir(folder.path));

  it('names the file by its random id only, beside its record', async () => {
    const blobs = await library();
    const { id } = await blobs.create('alice', 3);
    await blobs.append('alice', id, 0, bytes('abc'));
    await blobs.finish('alice', id);
    expect((await readdir(join(folder.path, 'blobs'))).sort()).toEqual([id, `${id}.json`]);
  });

  it('a reopened store remembers an upload in progress (the records are read back from the folder)', async () => {
    const blobs = await library();
    const { id } = await blobs.create('alice', 6);
    await blobs.append('alice', id, 0, bytes('abc'));
    const again = await library();
    expect(await again.status('alice', id)).toMatchObject({ offset: 3, complete: false });
    await again.append('alice', id, 3, bytes('def'));
    await again.finish('alice', id);
    expect(await text((await again.download(id)).stream)).toBe('abcdef');
  });

  it('stores nothing for an upload refused by the quota, and nothing is left of an expired blob', async () => {
    const blobs = await libraryOver(FolderBlobStore.inDataDir(folder.path), { quotaBytesPerAccount: 100 });
    await blobs.create('alice', 60);
    const before = await readdir(join(folder.path, 'blobs'));
    expect((await failureOf(blobs.create('alice', 41))).code).toBe('blob_quota_exceeded');
    expect(await readdir(join(folder.path, 'blobs'))).toEqual(before);
    blobClock.advance(2 * 24 * 60 * 60 * 1000);
    await blobs.sweep();
    expect(await readdir(join(folder.path, 'blobs'))).toEqual([]);
  });

  it('keeps no file name or type: a record holds ids, sizes and times only', async () => {
    const blobs = await library();
    const { id } = await blobs.create('alice', 3);
    const record = JSON.parse(await readFile(join(folder.path, 'blobs', `${id}.json`), 'utf8')) as object;
    expect(Object.keys(record).sort()).toEqual(['complete', 'createdAt', 'id', 'lastUsedAt', 'owner', 'received', 'size']);
  });

  it('drops a torn record at open instead of failing to start', async () => {
    const blobs = await library();
    const { id } = await blobs.create('alice', 3);
    await writeFile(join(folder.path, 'blobs', `${id}.json`), '{"id":');
    const again = await library();
    expect((await failureOf(again.status('alice', id))).code).toBe('not_found');
    expect(await readdir(join(folder.path, 'blobs'))).toEqual([]);
  });
});
