/**
 * The default blob store: one folder (`<dataDir>/blobs`) with a file per blob, named by its random
 * id, and beside it `<id>.json`, the record (owner, sizes, times). Nothing about the file's name or
 * type exists here: the server never learns them. Records are read once at open and kept in memory.
 *
 * A chunk is written at its offset before the record says it arrived, so a crash between the two
 * leaves a record that is behind the bytes; the client resumes from the record's offset and the
 * positional write simply writes those bytes again.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BLOB_ID_PATTERN } from '@parley/contracts';
import { type BlobRecord, type BlobStore, StaleBlobRecord } from './blob-store.js';

/** The folder under the data directory that holds the blobs. */
export const BLOBS_FOLDER_NAME = 'blobs';

const RECORD_SUFFIX = '.json';

/** Blobs as files in `folder`. */
export class FolderBlobStore implements BlobStore {
  private readonly records = new Map<string, BlobRecord>();

  constructor(readonly folder: string) {}

  /** The store for a server's data directory. */
  static inDataDir(dataDir: string): FolderBlobStore {
    return new FolderBlobStore(join(dataDir, BLOBS_FOLDER_NAME));
  }

  async open(): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    this.records.clear();
    for (const name of await readdir(this.folder)) {
      const id = name.slice(0, -RECORD_SUFFIX.length);
      // Temp files of an interrupted record write, and anything else, are not records.
      if (!name.endsWith(RECORD_SUFFIX) || !BLOB_ID_PATTERN.test(id)) continue;
      try {
        this.records.set(id, JSON.parse(await readFile(join(this.folder, name), 'utf8')) as BlobRecord);
      } catch {
        // A torn record (a crash mid-write of a new blob's first record): the blob is dropped.
        await this.remove(id);
      }
    }
  }

  async list(): Promise<BlobRecord[]> {
    return [...this.records.values()].map((record) => ({ ...record }));
  }

  async get(id: string): Promise<BlobRecord | undefined> {
    const record = this.records.get(id);
    return record && { ...record };
  }

  async usage(owner: string): Promise<number> {
    let used = 0;
    for (const record of this.records.values()) if (record.owner === owner) used += record.size;
    return used;
  }

  // One process owns the folder and the library serializes creations: the check and the write
  // need no lock of their own here.
  async createWithinQuota(record: BlobRecord, quotaBytes: number): Promise<{ created: boolean; used: number }> {
    const used = await this.usage(record.owner);
    if (used + record.size > quotaBytes) return { created: false, used };
    await writeFile(this.bytesPath(record.id), new Uint8Array(0), { flag: 'wx', mode: 0o600 });
    await this.update(record);
    return { created: true, used };
  }

  async write(record: BlobRecord, offset: number, bytes: Uint8Array): Promise<void> {
    if (this.records.get(record.id)?.received !== offset) throw new StaleBlobRecord();
    const file = await open(this.bytesPath(record.id), 'r+');
    try {
      let written = 0;
      while (written < bytes.length) {
        written += (await file.write(bytes, written, bytes.length - written, offset + written)).bytesWritten;
      }
      await file.sync();
    } finally {
      await file.close();
    }
    await this.update(record);
  }

  async update(record: BlobRecord): Promise<void> {
    const path = join(this.folder, `${record.id}${RECORD_SUFFIX}`);
    // Written aside and renamed: a crash leaves the old record or the new one, never half of one.
    await writeFile(`${path}.tmp`, JSON.stringify(record), { mode: 0o600 });
    await rename(`${path}.tmp`, path);
    this.records.set(record.id, { ...record });
  }

  read(id: string): Readable {
    return createReadStream(this.bytesPath(id));
  }

  async remove(id: string): Promise<void> {
    this.records.delete(id);
    await rm(join(this.folder, `${id}${RECORD_SUFFIX}`), { force: true });
    await rm(this.bytesPath(id), { force: true });
  }

  private bytesPath(id: string): string {
    if (!BLOB_ID_PATTERN.test(id)) throw new Error('not a blob id');
    return join(this.folder, id);
  }
}
