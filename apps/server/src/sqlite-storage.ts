/**
 * The single-machine default store: one SQLite file in the data folder (better-sqlite3).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from './config.js';
import { MIGRATIONS, type Migration, assertMigrationsOrdered } from './migrations.js';
import type { AppliedMigration, Storage } from './storage.js';

/** File name of the database inside the data folder. */
export const SQLITE_FILE_NAME = 'parley.sqlite';

export interface SqliteStorageOptions {
  dataDir: string;
  clock: Clock;
  /** Defaults to the real schema; tests pass their own to exercise upgrades. */
  migrations?: readonly Migration[];
}

/** `Storage` on a SQLite file in WAL mode. */
export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  private readonly migrations: readonly Migration[];
  private db: Database.Database | undefined;

  constructor(private readonly options: SqliteStorageOptions) {
    this.path = join(options.dataDir, SQLITE_FILE_NAME);
    this.migrations = options.migrations ?? MIGRATIONS;
    assertMigrationsOrdered(this.migrations);
  }

  async open(): Promise<void> {
    if (this.db) return;
    // 0700: the folder will hold account tokens (hashed) and queued ciphertext; no one else reads it.
    mkdirSync(this.options.dataDir, { recursive: true, mode: 0o700 });
    const db = new Database(this.path);
    try {
      // WAL: readers never block the writer, which matters once the relay queues messages while
      // the API reads them.
      db.pragma('journal_mode = WAL');
      // FULL rather than WAL's usual NORMAL: the relay will acknowledge a `send` only once it is
      // stored, so a commit must survive a power cut, not just a crash of this process. NORMAL
      // can lose the last commits on power loss; FULL costs one fsync per commit, which this
      // single-machine default affords.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      // Another process (the release CLI) may hold the write lock briefly; wait instead of failing.
      db.pragma('busy_timeout = 5000');
      db.exec(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version    INTEGER PRIMARY KEY,
          name       TEXT    NOT NULL,
          applied_at INTEGER NOT NULL
        ) STRICT;
      `);
      this.db = db;
      await this.migrate();
    } catch (error) {
      db.close();
      this.db = undefined;
      throw error;
    }
  }

  async migrate(): Promise<number[]> {
    const db = this.handle();
    const applied = new Set((await this.appliedMigrations()).map((m) => m.version));
    const newest = Math.max(0, ...applied);
    const known = this.migrations.length;
    if (newest > known) {
      // A database written by a newer server: running older code on it could corrupt it.
      throw new Error(`database ${this.path} has schema version ${newest}, this server knows up to ${known}`);
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const done: number[] = [];
    for (const migration of this.migrations) {
      if (applied.has(migration.version)) continue;
      // One transaction per step: a failing step leaves the database at the previous version.
      db.transaction(() => {
        db.exec(migration.sql);
        record.run(migration.version, migration.name, this.options.clock.now());
      })();
      done.push(migration.version);
    }
    return done;
  }

  async appliedMigrations(): Promise<AppliedMigration[]> {
    const rows = this.handle()
      .prepare('SELECT version, name, applied_at AS appliedAt FROM schema_migrations ORDER BY version')
      .all() as AppliedMigration[];
    return rows;
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = this.handle().prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.handle()
      .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  private handle(): Database.Database {
    if (!this.db) throw new Error('storage is not open: call open() first');
    return this.db;
  }
}
