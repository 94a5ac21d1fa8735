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
  /**
   * Connections in pipeline mode for the relay's batches (postgres-relay-commit.ts): statements
   * that do not wait on each other's answers go out together, so a batch costs a few round trips
   * rather than one per statement. Apart from the shared pool, whose callers await statement by statement.
   */
  private readonly pipelinedPool: pg.Pool;

  constructor(private readonly options: PostgresDatabaseOptions) {
    assertMigrationsOrdered(options.migrations);
    this.pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, types });
    // The relay writer commits one batch at a time; the second connection serves a retry while
    // the first is being released.
    this.pipelinedPool = new pg.Pool({ connectionString: options.url, max: 2, types, pipeline: true });
    // An idle connection the server dropped must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
    this.pipelinedPool.on('error', () => {});
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
    return this.withAdvisoryLock(MIGRATION_LOCK, async (client) => {
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
    });
  }

  /**
   * Runs `work` while holding the advisory lock `name` (a session lock on a connection of its own,
   * so the work may use the pool): processes on this database take turns, and a process that dies
   * holding it lets go with its connection.
   */
  holdAdvisoryLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.withAdvisoryLock(name, () => work());
  }

  /**
   * Runs `work` on a connection holding the session advisory lock `key`: a number, or a name that
   * PostgreSQL hashes (`hashtext`). Released, and the connection returned, whatever `work` does.
   */
  private async withAdvisoryLock<T>(key: number | string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const lockKey = typeof key === 'number' ? '$1' : 'hashtext($1)';
    const client = await this.pool.connect();
    try {
      await client.query(`SELECT pg_advisory_lock(${lockKey})`, [key]);
      try {
        return await work(client);
      } finally {
        await client.query(`SELECT pg_advisory_unlock(${lockKey})`, [key]);
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
    return this.retried(this.pool, async (client) => {
      await client.query('BEGIN');
      const result = await work(client);
      await beforeCommit?.();
      await client.query('COMMIT');
      return result;
    });
  }

  /**
   * As `transaction`, on a connection in pipeline mode, and `work` sends BEGIN and COMMIT itself
   * (so it can pipeline them with its statements); whatever it leaves open is rolled back.
   */
  async pipelinedTransaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    return this.retried(this.pipelinedPool, work);
  }

  /** Runs `attempt` on a connection of `pool`, again on a serialization failure or a deadlock. */
  private async retried<T>(pool: pg.Pool, attempt: (client: Queryable) => Promise<T>): Promise<T> {
    for (let attempts = 1; ; attempts++) {
      const client = await pool.connect();
      let broken = false;
      try {
        return await attempt(client);
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        const code = (error as { code?: string }).code;
        if (!(code && RETRYABLE.has(code)) || attempts >= MAX_ATTEMPTS) throw error;
        // A short random wait, growing: the transactions that collided do not meet again at once.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempts));
      } finally {
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.pipelinedPool.end()]);
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
