import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, type Migration } from './migrations.js';
import { SQLITE_FILE_NAME, SqliteStorage } from './sqlite-storage.js';
import { ManualClock, tempFolder } from './test-support.js';

describe('SqliteStorage', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  const clock = new ManualClock(1_000);

  beforeEach(async () => {
    folder = await tempFolder();
  });
  afterEach(async () => {
    await folder.remove();
  });

  it('creates the data folder and the database file on first open, in WAL mode', async () => {
    const dataDir = join(folder.path, 'nested', 'data');
    const storage = new SqliteStorage({ dataDir, clock });
    await storage.open();
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).toBe(true);
    const db = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await storage.close();
  });

  it('records every migration once, with its time, and applies none on reopening', async () => {
    const first = new SqliteStorage({ dataDir: folder.path, clock });
    await first.open();
    expect(await first.appliedMigrations()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, appliedAt: 1_000 })));
    await first.setMeta('created_at', '1000');
    await first.close();

    clock.time = 2_000;
    const second = new SqliteStorage({ dataDir: folder.path, clock });
    await second.open();
    expect(await second.migrate()).toEqual([]);
    expect((await second.appliedMigrations()).map((m) => m.appliedAt)).toEqual(MIGRATIONS.map(() => 1_000));
    expect(await second.getMeta('created_at')).toBe('1000');
    await second.close();
  });

  it('applies only the new steps when the server gains a migration', async () => {
    const old = new SqliteStorage({ dataDir: folder.path, clock });
    await old.open();
    await old.close();

    const next: Migration = { version: MIGRATIONS.length + 1, name: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY) STRICT;' };
    const upgraded = new SqliteStorage({ dataDir: folder.path, clock, migrations: [...MIGRATIONS, next] });
    await upgraded.open();
    expect((await upgraded.appliedMigrations()).map((m) => m.version)).toEqual([...MIGRATIONS.map((m) => m.version), next.version]);
    await upgraded.close();
  });

  it('leaves the database at the previous version when a step fails', async () => {
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half (id INTEGER); THIS IS NOT SQL;' },
    ];
    await expect(new SqliteStorage({ dataDir: folder.path, clock, migrations: broken }).open()).rejects.toThrow(/syntax error/);

    const db = new Database(join(folder.path, SQLITE_FILE_NAME), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'half'").all();
    const versions = db.prepare('SELECT version FROM schema_migrations').all();
    db.close();
    expect(tables).toEqual([]);
    expect(versions).toHaveLength(MIGRATIONS.length);
  });

  it('refuses a database written by a newer server', async () => {
    const newer = new SqliteStorage({
      dataDir: folder.path,
      clock,
      migrations: [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'future', sql: 'SELECT 1;' }],
    });
    await newer.open();
    await newer.close();
    await expect(new SqliteStorage({ dataDir: folder.path, clock }).open()).rejects.toThrow(/schema version 2, this server knows up to 1/);
  });

  it('rejects migrations that are not numbered 1, 2, 3…', () => {
    expect(() => new SqliteStorage({ dataDir: folder.path, clock, migrations: [{ version: 2, name: 'skip', sql: '' }] })).toThrow(
      /version 2, expected 1/,
    );
  });

  it('overwrites a meta value and reports a missing one as undefined', async () => {
    const storage = new SqliteStorage({ dataDir: folder.path, clock });
    await storage.open();
    expect(await storage.getMeta('k')).toBeUndefined();
    await storage.setMeta('k', 'one');
    await storage.setMeta('k', 'two');
    expect(await storage.getMeta('k')).toBe('two');
    await storage.close();
    await expect(storage.getMeta('k')).rejects.toThrow(/not open/);
  });
});
