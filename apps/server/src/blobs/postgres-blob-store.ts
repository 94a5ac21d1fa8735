/**
 * Blobs in PostgreSQL, for servers that run as several nodes (PARLEY_DATABASE_URL): a folder in one
 * node's data directory is invisible to the others, so an attachment uploaded through node A could
 * not be fetched through node B. Records in `blobs`, the bytes in `blob_chunks` as the uploader's
 * chunks (each ≤ BLOB_CHUNK_MAX_BYTES, keyed by offset), both written in one transaction, so a crash
 * leaves a chunk wholly stored with its record or not at all.
 *
 * What the folder store gets from the library's one-process queue, this store checks in the
 * database, because another node may act on the same owner or blob: the quota under a per-owner
 * advisory lock, a chunk only if the record still stands at its offset (StaleBlobRecord otherwise).
 */
import { Readable } from 'node:stream';
import { type PostgresDatabase, type Queryable, bytea } from '../storage/postgres-database.js';
import { type BlobRecord, type BlobStore, StaleBlobRecord } from './blob-store.js';

const RECORD_SELECT = `SELECT id, owner, size, received, complete, created_at AS "createdAt", last_used_at AS "lastUsedAt" FROM blobs`;

/** Namespaces the per-owner advisory lock (hashtext of this prefix and the owner). */
const QUOTA_LOCK_PREFIX = 'parley-blob-quota:';

/** Blobs in the database `database()` answers (resolved per call: the storage opens it later). */
export class PostgresBlobStore implements BlobStore {
  constructor(private readonly database: () => PostgresDatabase) {}

  /** The schema is the storage's migrations' ("attachment blobs in the database"): nothing to prepare. */
  async open(): Promise<void> {}

  async list(): Promise<BlobRecord[]> {
    return (await this.database().pool.query<BlobRecord>(RECORD_SELECT)).rows;
  }

  async get(id: string): Promise<BlobRecord | undefined> {
    return (await this.database().pool.query<BlobRecord>(`${RECORD_SELECT} WHERE id = $1`, [id])).rows[0];
  }

  async usage(owner: string): Promise<number> {
    return usageOf(this.database().pool, owner);
  }

  createWithinQuota(record: BlobRecord, quotaBytes: number): Promise<{ created: boolean; used: number }> {
    return this.database().transaction(async (client) => {
      // Held to the commit: a second creation for the owner, on any node, waits and then counts this one.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [QUOTA_LOCK_PREFIX + record.owner]);
      const used = await usageOf(client, record.owner);
      if (used + record.size > quotaBytes) return { created: false, used };
      await client.query(
        'INSERT INTO blobs (id, owner, size, received, complete, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [record.id, record.owner, record.size, record.received, record.complete, record.createdAt, record.lastUsedAt],
      );
      return { created: true, used };
    });
  }

  write(record: BlobRecord, offset: number, bytes: Uint8Array): Promise<void> {
    return this.database().transaction(async (client) => {
      const moved = await client.query('UPDATE blobs SET received = $2, last_used_at = $3 WHERE id = $1 AND received = $4 AND NOT complete', [
        record.id,
        record.received,
        record.lastUsedAt,
        offset,
      ]);
      if (moved.rowCount !== 1) throw new StaleBlobRecord();
      await client.query('INSERT INTO blob_chunks (id, "offset", bytes) VALUES ($1, $2, $3)', [record.id, offset, bytea(bytes)]);
    });
  }

  async update(record: BlobRecord): Promise<void> {
    await this.database().pool.query('UPDATE blobs SET complete = $2, last_used_at = $3 WHERE id = $1', [record.id, record.complete, record.lastUsedAt]);
  }

  read(id: string): Readable {
    const pool = this.database().pool;
    // One chunk in memory at a time, in offset order: a 100 MB blob is not read whole.
    async function* chunks() {
      let offset = 0;
      for (;;) {
        const { rows } = await pool.query<{ offset: number; bytes: Buffer }>(
          'SELECT "offset", bytes FROM blob_chunks WHERE id = $1 AND "offset" >= $2 ORDER BY "offset" LIMIT 1',
          [id, offset],
        );
        const chunk = rows[0];
        if (!chunk) return;
        yield chunk.bytes;
        offset = chunk.offset + chunk.bytes.length;
      }
    }
    return Readable.from(chunks());
  }

  async remove(id: string): Promise<void> {
    // Its chunks go with it (ON DELETE CASCADE).
    await this.database().pool.query('DELETE FROM blobs WHERE id = $1', [id]);
  }
}

async function usageOf(on: Queryable, owner: string): Promise<number> {
  const { rows } = await on.query<{ used: number }>('SELECT coalesce(sum(size), 0)::bigint AS used FROM blobs WHERE owner = $1', [owner]);
  return rows[0]!.used;
}
