import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { MIGRATIONS, type Migration } from './migrations.js';
import { SQLITE_FILE_NAME, SqliteStorage } from './sqlite-storage.js';
import { testAccount, testSend } from './storage-contract.js';
import { databaseBeforeMigration, tempFolderPerTest } from '../testing/test-support.js';

const quota = { queueEnvelopes: 10_000, queueBytes: 100 * 1024 * 1024 };

describe('SqliteStorage', () => {
  const folder = tempFolderPerTest();
  const clock = new ManualClock(1_000);

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

    clock.set(2_000);
    const second = new SqliteStorage({ dataDir: folder.path, clock });
    await second.open();
    expect(await second.migrate()).toEqual([]);
    expect((await second.appliedMigrations()).map((m) => m.appliedAt)).toEqual(MIGRATIONS.map(() => 1_000));
    expect(await second.getMeta('created_at')).toBe('1000');
    await second.close();
  });

  it('migration 6 counts the envelopes already queued into each device\'s quota counters', async () => {
    const db = databaseBeforeMigration(folder.path, 5);
    db.prepare("INSERT INTO accounts (user_id, handle, display_name, identity_key, created_at) VALUES ('u1', 'old.user', 'Old', x'05', 1)").run();
    const device = db.prepare("INSERT INTO devices (user_id, device_id, registration_id, token_hash, created_at, last_seen_at) VALUES ('u1', ?, 1, ?, 1, 1)");
    device.run(1, Buffer.alloc(32, 1));
    device.run(2, Buffer.alloc(32, 2));
    const envelope = db.prepare("INSERT INTO envelopes (recipient_user, recipient_device, sender_user, sender_device, message_id, type, ciphertext, server_timestamp) VALUES ('u1', 1, 's', 1, ?, 2, ?, 1)");
    envelope.run('a', Buffer.alloc(10));
    envelope.run('b', Buffer.alloc(5));
    db.close();

    const storage = new SqliteStorage({ dataDir: folder.path, clock });
    await storage.open();
    await storage.close();
    const upgraded = new Database(join(folder.path, SQLITE_FILE_NAME), { readonly: true });
    expect(upgraded.prepare('SELECT device_id AS id, queued_envelopes AS n, queued_bytes AS bytes FROM devices ORDER BY device_id').all()).toEqual([
      { id: 1, n: 2, bytes: 15 },
      { id: 2, n: 0, bytes: 0 },
    ]);
    upgraded.close();
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
    await expect(new SqliteStorage({ dataDir: folder.path, clock }).open()).rejects.toThrow(
      `schema version ${MIGRATIONS.length + 1}, this server knows up to ${MIGRATIONS.length}`,
    );
  });

  it('rejects migrations that are not numbered 1, 2, 3…', () => {
    expect(() => new SqliteStorage({ dataDir: folder.path, clock, migrations: [{ version: 2, name: 'skip', sql: '' }] })).toThrow(
      /version 2, expected 1/,
    );
  });
});

describe('SqliteStorage: accounts, prekeys and the relay queue', () => {
  const folder = tempFolderPerTest();
  let storage: SqliteStorage;
  const message = (messageId: string, deviceIds = [1]) => testSend(messageId, 'bob', deviceIds);

  beforeEach(async () => {
    storage = new SqliteStorage({ dataDir: folder.path, clock: new ManualClock(1) });
    await storage.open();
    await storage.createAccount(testAccount('alice', 1), 5);
    await storage.createAccount(testAccount('bob', 2), 5);
  });
  afterEach(async () => {
    await storage.close();
  });

  it('commits on its worker thread the same way, alongside writes on the main connection', async () => {
    await storage.close();
    storage = new SqliteStorage({ dataDir: folder.path, clock: new ManualClock(1), commitThread: true, onWarning: (m) => expect.fail(m) });
    await storage.open();
    const commits = Array.from({ length: 20 }, (_, i) => storage.commitRelayWrites({ sends: [message(`t${i}`)], acks: [], now: 9, quota }));
    // Check-then-write transactions on the main connection interleave with the thread's commits.
    const bundles = Array.from({ length: 2 }, () => storage.takePreKeyBundles('bob'));
    const outcomes = await Promise.all(commits);
    expect(outcomes.map(([o]) => (o!.kind === 'queued' ? o!.envelopes.length : o!.kind))).toEqual(outcomes.map(() => 1));
    expect((await Promise.all(bundles)).map((b) => b[0]!.preKey?.keyId)).toEqual([10, 11]);
    const pending = await storage.pendingEnvelopes({ userId: 'bob', deviceId: 1 }, 0, 100);
    expect(pending.map((e) => e.messageId)).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`));
    const [stale] = await storage.commitRelayWrites({ sends: [message('x', [2])], acks: [{ userId: 'bob', deviceId: 1, seq: pending[0]!.seq }], now: 9, quota });
    expect(stale).toEqual({ kind: 'devices_changed', missing: [1], extra: [2] });
    expect(await storage.pendingEnvelopes({ userId: 'bob', deviceId: 1 }, 0, 100)).toHaveLength(19);
  });

  it('drops a device\'s keys and queue with the device', async () => {
    await storage.commitRelayWrites({ sends: [message('m1')], acks: [], now: 9, quota });
    expect(await storage.removeDevice({ userId: 'bob', deviceId: 1 })).toBe(true);
    expect(await storage.removeDevice({ userId: 'bob', deviceId: 1 })).toBe(false);
    const db = new Database(join(folder.path, SQLITE_FILE_NAME), { readonly: true });
    for (const table of ['envelopes', 'one_time_prekeys', 'signed_prekeys']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${table === 'envelopes' ? 'recipient_user' : 'user_id'} = 'bob'`).get()).toEqual({ n: 0 });
    }
    db.close();
  });
});
