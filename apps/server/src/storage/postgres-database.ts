/**
 * The PostgreSQL connection pool beneath PostgresStorage: transactions retried on serialization
 * failures and deadlocks, the durability check at start, and migrations run once when several
 * nodes start together (under an advisory lock).
 */
import pg from 'pg';
import type { WallClock } from '@parley/clock';
import type { AppliedMigration } from './storage.js';
import { type Migration, assertMigrationsOrdered } from './migrations.js';

/** A connection inside a transaction (or the pool, for single statements). */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** SQLSTATEs after which the whole transaction is worth running again. */
const RETRYABLE = new Set(['40001' /* serialization_failure */, '40P01' /* deadlock_detected */]);
/** Attempts of one transaction before its error is passed on. */
const MAX_ATTEMPTS = 8;

/** Arbitrary but fixed: the advisory lock every node takes while it migrates. */
const MIGRATION_LOCK = 0x7061726c; // "parl"

/** Thrown at start when the database could lose acknowledged commits. */
export class DurabilityError extends Error {}

/** Types as the stores want them: BIGINT (times, seq) as numbers, they stay below 2^53. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface PostgresDatabaseOptions {
  /** `postgres://…` (a unix socket: `postgres://user@%2Fpath%2Fto%2Fdir/db`). */
  url: string;
  clock: WallClock;
  migrations: readonly Migration[];
  /** Connections in the pool; the relay's batches and the API share them. */
  poolSize?: number;
}

/** A pool with transactions, the durability check and migrations. */
export class PostgresDatabase {
  readonly pool: pg.Pool;

  constructor(private readonly options: PostgresDatabaseOptions) {
    assertMigrationsOrdered(options.migrations);
    this.pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, types });
    // An idle connection the server dropped must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
  }

  /**
   * Refuses a database that may lose what the relay acknowledged: with `fsync` off a crash can
   * corrupt it, with `synchronous_commit` off the last commits vanish after one.
   */
  async assertDurable(): Promise<void> {
    const fsync = await this.setting('fsync');
    const synchronousCommit = await this.setting('synchronous_commit');
    if (fsync !== 'on') {
      throw new DurabilityError(
        'PostgreSQL runs with fsync = off: a crash could lose or corrupt acknowledged messages. Set fsync = on in postgresql.conf, reload, and start Parley again.',
      );
    }
    if (synchronousCommit === 'off') {
      throw new DurabilityError(
        'PostgreSQL runs with synchronous_commit = off for this connection: the last acknowledged messages would vanish in a crash. Set synchronous_commit = on (server, database, role or PARLEY_DATABASE_URL options) and start Parley again.',
      );
    }
  }

  /**
   * Applies the steps not applied yet, in order, each in its own transaction. Several nodes
   * starting at once take turns on an advisory lock: the first migrates, the others find nothing
   * left to do.
   */
  async migrate(): Promise<number[]> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version    INTEGER PRIMARY KEY,
          name       TEXT    NOT NULL,
          applied_at BIGINT  NOT NULL
        )`);
        const applied = new Set((await this.appliedMigrations(client)).map((m) => m.version));
        const newest = Math.max(0, ...applied);
        const known = this.options.migrations.length;
        if (newest > known) throw new Error(`database has schema version ${newest}, this server knows up to ${known}`);
        const done: number[] = [];
        for (const migration of this.options.migrations) {
          if (applied.has(migration.version)) continue;
          await client.query('BEGIN');
          try {
            await client.query(migration.sql);
            await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
              migration.version,
              migration.name,
              this.options.clock.now(),
            ]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
          done.push(migration.version);
        }
        return done;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  async appliedMigrations(on: Queryable = this.pool): Promise<AppliedMigration[]> {
    const { rows } = await on.query<AppliedMigration>('SELECT version, name, applied_at AS "appliedAt" FROM schema_migrations ORDER BY version');
    return rows;
  }

  /**
   * Runs `work` in one READ COMMITTED transaction and commits it; the work takes the row locks
   * its checks need (FOR UPDATE / FOR SHARE). Run again from the start on a serialization failure
   * or a deadlock, so `work` must not act outside the database before it returns.
   */
  async transaction<T>(work: (client: Queryable) => Promise<T>, beforeCommit?: () => Promise<void>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await beforeCommit?.();
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        const code = (error as { code?: string }).code;
        if (!(code && RETRYABLE.has(code)) || attempt >= MAX_ATTEMPTS) throw error;
        // A short random wait, growing: the transactions that collided do not meet again at once.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt));
      } finally {
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async setting(name: 'fsync' | 'synchronous_commit'): Promise<string> {
    const { rows } = await this.pool.query<{ setting: string }>('SELECT current_setting($1) AS setting', [name]);
    return rows[0]!.setting;
  }
}

/** Bytes as node-postgres sends BYTEA: a Buffer over the same memory. */
export function bytea(value: Uint8Array): Buffer;
export function bytea(value: Uint8Array | null | undefined): Buffer | null;
export function bytea(value: Uint8Array | null | undefined): Buffer | null {
  if (!value) return null;
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
