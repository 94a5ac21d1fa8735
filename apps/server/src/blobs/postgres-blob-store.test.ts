import { randomBytes } from 'node:crypto';
import { buffer, text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresStorage } from '../storage/postgres-storage.js';
import { scratchPostgresPerFile } from '../testing/test-support.js';
import { blobClock, bytes, describeBlobLibraryContract, failureOf, libraryOver } from './blob-library-contract.js';

const cluster = scratchPostgresPerFile();
const opened: PostgresStorage[] = [];

/** A server node's storage on database `url` (a second one on the same url is another node). */
async function node(url: string): Promise<PostgresStorage> {
  const storage = new PostgresStorage({ url, clock: blobClock, poolSize: 4 });
  await storage.open();
  opened.push(storage);
  return storage;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
});

describe('the blob library over PostgreSQL', () => {
  describeBlobLibraryContract(async () => (await node(await cluster.createDatabase())).blobStore());
});

describe('blobs shared by two nodes on one PostgreSQL', () => {
  async function twoNodes(quotaBytesPerAccount?: number) {
    const url = await cluster.createDatabase();
    const limits = quotaBytesPerAccount ? { quotaBytesPerAccount } : {};
    return Promise.all([libraryOver((await node(url)).blobStore(), limits), libraryOver((await node(url)).blobStore(), limits)]);
  }

  it('an attachment uploaded in chunks through node A downloads whole through node B', async () => {
    const [a, b] = await twoNodes();
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const chunk = 1024 * 1024;
    const { id } = await a.create('alice', content.length);
    for (let offset = 0; offset < content.length; offset += chunk) {
      // The uploader's connection may land on either node, chunk by chunk.
      await (offset % (2 * chunk) === 0 ? a : b).append('alice', id, offset, content.subarray(offset, offset + chunk));
    }
    await b.finish('alice', id);
    const download = await b.download(id);
    expect(download.size).toBe(content.length);
    expect(Buffer.compare(await buffer(download.stream), content)).toBe(0);
  });

  it('the quota holds across nodes: creations at once through both cannot both slip under it', async () => {
    const [a, b] = await twoNodes(100);
    for (let round = 0; round < 5; round++) {
      const owner = `user-${round}`;
      const outcomes = await Promise.allSettled([a.create(owner, 60), b.create(owner, 60)]);
      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(await a.usage(owner)).toBe(60);
    }
  });

  it('the same chunk sent through both nodes at once is taken once; the other answer says where the upload stands', async () => {
    const [a, b] = await twoNodes();
    const { id } = await a.create('alice', 6);
    const outcomes = await Promise.allSettled([a.append('alice', id, 0, bytes('abc')), b.append('alice', id, 0, bytes('abc'))]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'blob_upload_offset', upload: { offset: 3 } });
    await b.append('alice', id, 3, bytes('def'));
    await a.finish('alice', id);
    expect(await text((await b.download(id)).stream)).toBe('abcdef');
    expect((await failureOf(a.append('alice', id, 6, bytes('x')))).code).toBe('blob_upload_offset');
  });
});
