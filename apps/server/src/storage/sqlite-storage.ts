/**
 * The single-machine default store: one SQLite file in the data folder (better-sqlite3).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { WallClock } from '@parley/clock';
import { holdLockFile } from '../files/lock-file.js';
import { MIGRATIONS, type Migration, assertMigrationsOrdered } from './migrations.js';
import { RelayCommitThread, configureConnection, relayCommitter } from '../relay/relay-commit.js';
import {
  ACCOUNT_SELECT,
  type AccountRow,
  CALL_LINK_SELECT,
  type CallLinkRow,
  type EnvelopeRow,
  GROUP_CALL_SELECT,
  lockOf,
  type KeyRow,
  LINK_REQUEST_SELECT,
  type LinkRequestRow,
  toAccount,
  toCallLink,
  toEnvelope,
  toKey,
  toLinkRequest,
  toSignedKey,
} from './stored-rows.js';
import {
  type AccountRecord,
  type AppliedMigration,
  type CallLinkChanges,
  type CallLinkRecord,
  type CallLinkSweepTimes,
  type CompleteLinkOutcome,
  type DeviceAddress,
  type DeviceBundle,
  type DeviceKeysUpdate,
  type DeviceRecord,
  type GroupCallRecord,
  type Lease,
  type LinkCodeRecord,
  type LinkRequestOutcome,
  type LinkRequestRecord,
  type NewLinkRequest,
  MAX_DEVICE_ID,
  type NewAccount,
  type NewDevice,
  type PreKeyCaps,
  type PreKeyCounts,
  type QueuedEnvelope,
  type ReleaseRecord,
  type RuleRevision,
  type RelayWrites,
  type Storage,
  type SubmitOutcome,
  type TokenOwner,
  type UnseenDeviceOutcome,
} from './storage.js';

/** Envelopes deleted per transaction by the expiry sweep, so the relay's commits wait little for it. */
const EXPIRY_BATCH = 500;

/** File name of the database inside the data folder. */
export const SQLITE_FILE_NAME = 'parley.sqlite';
/** The lock file publishing holds (holdReleaseLock), beside the database. */
const RELEASE_LOCK_FILE_NAME = 'releases.lock';

export interface SqliteStorageOptions {
  dataDir: string;
  clock: WallClock;
  /** Defaults to the real schema; tests pass their own to exercise upgrades. */
  migrations?: readonly Migration[];
  /**
   * Commit the relay's writes on a worker thread with its own connection, so the event loop keeps
   * reading and delivering while a commit waits for its fsync. The server turns it on; unit tests
   * leave it off (a worker costs a start-up per store).
   */
  commitThread?: boolean;
  /** Told about a degraded but working setup (e.g. no commit thread). */
  onWarning?: (message: string) => void;
}

/** `Storage` on a SQLite file in WAL mode. */
export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  private readonly migrations: readonly Migration[];
  private db: Database.Database | undefined;
  private statements: Statements | undefined;
  private relayCommit: ((writes: RelayWrites) => SubmitOutcome[]) | undefined;
  private commitThread: RelayCommitThread | undefined;

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
      configureConnection(db);
      db.exec(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version    INTEGER PRIMARY KEY,
          name       TEXT    NOT NULL,
          applied_at INTEGER NOT NULL
        ) STRICT;
      `);
      this.db = db;
      await this.migrate();
      this.statements = prepareStatements(db);
      this.relayCommit = relayCommitter(db);
      if (this.options.commitThread) {
        try {
          this.commitThread = await RelayCommitThread.start(this.path);
        } catch (error) {
          // Slower, not wrong: the same transaction runs on the main connection instead.
          this.options.onWarning?.(`relay commits stay on the main thread: ${(error as Error).message}`);
        }
      }
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

  async queuedEnvelopeCount(): Promise<number> {
    return (this.handle().prepare('SELECT COUNT(*) AS n FROM envelopes').get() as { n: number }).n;
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

  async claimMeta(key: string, value: string): Promise<string> {
    this.handle().prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value);
    return (await this.getMeta(key))!;
  }

  async close(): Promise<void> {
    await this.commitThread?.stop();
    this.commitThread = undefined;
    this.db?.close();
    this.db = undefined;
    this.statements = undefined;
  }

  // Accounts and devices. Every check-then-write transaction is IMMEDIATE: it takes the write
  // lock first, so the relay's commit thread (another connection) cannot commit between its read
  // and its write, which SQLite would answer with SQLITE_BUSY_SNAPSHOT instead of waiting.

  async createAccount(account: NewAccount, now: number): Promise<'created' | 'handle_taken'> {
    const q = this.q();
    return this.handle().transaction(() => {
      const inserted = q.insertAccount.run(account.userId, account.handle, account.displayName, account.identityKey, now, account.guest ? 1 : 0);
      if (inserted.changes === 0) return 'handle_taken' as const;
      this.insertDevice({ userId: account.userId, deviceId: 1 }, account.device, now);
      return 'created' as const;
    }).immediate();
  }

  async accountById(userId: string): Promise<AccountRecord | undefined> {
    return toAccount(this.q().accountById.get(userId) as AccountRow | undefined);
  }

  async accountByHandle(handle: string): Promise<AccountRecord | undefined> {
    return toAccount(this.q().accountByHandle.get(handle) as AccountRow | undefined);
  }

  async devices(userId: string): Promise<DeviceRecord[]> {
    return this.q().devices.all(userId) as DeviceRecord[];
  }

  async deviceByTokenHash(tokenHash: Uint8Array): Promise<TokenOwner | undefined> {
    const row = this.q().deviceByToken.get(tokenHash) as (TokenOwner & { tokenHash: Buffer }) | undefined;
    return row ? { ...row, tokenHash: new Uint8Array(row.tokenHash) } : undefined;
  }

  async touchDevice(device: DeviceAddress, now: number): Promise<void> {
    this.q().touchDevice.run(now, device.userId, device.deviceId);
  }

  async removeDevice(device: DeviceAddress): Promise<boolean> {
    // Keys, queue and link codes go with it (ON DELETE CASCADE).
    return this.q().deleteDevice.run(device.userId, device.deviceId).changes > 0;
  }

  // Prekeys.

  async storeKeys(device: DeviceAddress, keys: DeviceKeysUpdate, caps: PreKeyCaps): Promise<'stored' | 'too_many_prekeys'> {
    try {
      this.handle().transaction(() => {
        this.writeKeys(device, keys);
        // Counted after the write: a key id uploaded again replaces its key and takes no room.
        const counts = this.counts(device);
        if (counts.oneTimePreKeys > caps.oneTimePreKeys || counts.kyberOneTimePreKeys > caps.kyberOneTimePreKeys) throw new TooManyPreKeys();
      }).immediate();
      return 'stored';
    } catch (error) {
      if (error instanceof TooManyPreKeys) return 'too_many_prekeys';
      throw error;
    }
  }

  async preKeyCounts(device: DeviceAddress): Promise<PreKeyCounts> {
    return this.counts(device);
  }

  async takePreKeyBundles(userId: string, deviceId?: number): Promise<DeviceBundle[]> {
    const q = this.q();
    return this.handle().transaction(() => {
      const devices = (q.devices.all(userId) as DeviceRecord[]).filter((d) => deviceId === undefined || d.deviceId === deviceId);
      const bundles: DeviceBundle[] = [];
      for (const device of devices) {
        const address = { userId, deviceId: device.deviceId };
        const signed = q.signedPreKey.get(userId, device.deviceId, 'ec') as KeyRow | undefined;
        const lastResort = q.signedPreKey.get(userId, device.deviceId, 'kyber') as KeyRow | undefined;
        // A device always has both (registration requires them); a half-written one is skipped.
        if (!signed || !lastResort) continue;
        // DELETE … RETURNING picks and consumes in one statement: no other fetch can see the key.
        const preKey = q.takeOneTimePreKey.get(userId, device.deviceId, 'ec', userId, device.deviceId, 'ec') as KeyRow | undefined;
        const kyber = q.takeOneTimePreKey.get(userId, device.deviceId, 'kyber', userId, device.deviceId, 'kyber') as KeyRow | undefined;
        bundles.push({
          deviceId: device.deviceId,
          registrationId: device.registrationId,
          signedPreKey: toSignedKey(signed),
          ...(preKey ? { preKey: toKey(preKey) } : {}),
          kyberPreKey: toSignedKey(kyber ?? lastResort),
          remaining: this.counts(address),
        });
      }
      return bundles;
    }).immediate();
  }

  // Relay queue.

  async commitRelayWrites(writes: RelayWrites): Promise<SubmitOutcome[]> {
    if (this.commitThread) return this.commitThread.commit(writes);
    return this.relayCommit!(writes);
  }

  async pendingEnvelopes(device: DeviceAddress, afterSeq: number, limit: number): Promise<QueuedEnvelope[]> {
    const rows = this.q().pending.all(device.userId, device.deviceId, afterSeq, limit) as EnvelopeRow[];
    return rows.map((row) => toEnvelope(row, device));
  }

  async expireEnvelopes(time: number): Promise<number> {
    const q = this.q();
    const batch = this.handle().transaction(() => q.expireOldestEnvelopes.run(EXPIRY_BATCH, time).changes);
    let total = 0;
    for (;;) {
      const deleted = batch.immediate();
      total += deleted;
      // Seq follows commit order and so server time: once a batch of the oldest holds one that is
      // not expired, nothing after it is (a clock set back delays expiry by as much, no more).
      if (deleted < EXPIRY_BATCH) return total;
      // Let the relay's commits in between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  // Device linking.

  async createLinkCode(code: LinkCodeRecord): Promise<void> {
    const q = this.q();
    this.handle().transaction(() => {
      // A device shows one code at a time: asking again makes the earlier unused ones worthless.
      q.deleteUnusedLinkCodes.run(code.owner.userId, code.owner.deviceId);
      q.insertLinkCode.run(code.linkId, code.owner.userId, code.owner.deviceId, code.expiresAt);
    }).immediate();
  }

  async sweepLinkCodes(now: number): Promise<number> {
    // Their requests go with them (ON DELETE CASCADE); both share the code's expiry.
    return this.q().deleteExpiredLinkCodes.run(now).changes;
  }

  async createLinkRequest(request: NewLinkRequest, now: number): Promise<LinkRequestOutcome> {
    const q = this.q();
    return this.handle().transaction((): LinkRequestOutcome => {
      const code = q.linkCode.get(request.linkId) as { userId: string; deviceId: number; expiresAt: number; used: number } | undefined;
      if (!code) return { kind: 'not_found' };
      if (code.expiresAt <= now) return { kind: 'expired' };
      if (code.used) return { kind: 'used' };
      q.useLinkCode.run(request.linkId);
      q.insertLinkRequest.run(request.requestHash, request.linkId, request.ephemeralPublicKey, request.mac, code.expiresAt);
      return { kind: 'created', owner: { userId: code.userId, deviceId: code.deviceId } };
    }).immediate();
  }

  async linkRequest(requestHash: Uint8Array): Promise<LinkRequestRecord | undefined> {
    const row = this.q().linkRequest.get(requestHash) as LinkRequestRow | undefined;
    return row ? toLinkRequest(row) : undefined;
  }

  async linkRequestByProvisioningToken(tokenHash: Uint8Array): Promise<LinkRequestRecord | undefined> {
    const row = this.q().linkRequestByToken.get(tokenHash) as LinkRequestRow | undefined;
    return row && row.completedDeviceId === null ? toLinkRequest(row) : undefined;
  }

  async provisionLinkRequest(requestHash: Uint8Array, envelope: Uint8Array): Promise<boolean> {
    return this.q().provision.run(envelope, requestHash).changes > 0;
  }

  async setProvisioningToken(requestHash: Uint8Array, tokenHash: Uint8Array): Promise<void> {
    this.q().setProvisioningToken.run(tokenHash, requestHash);
  }

  async completeLink(provisioningTokenHash: Uint8Array, device: NewDevice, now: number): Promise<CompleteLinkOutcome> {
    const q = this.q();
    return this.handle().transaction((): CompleteLinkOutcome => {
      const row = q.linkRequestByToken.get(provisioningTokenHash) as LinkRequestRow | undefined;
      if (!row || row.completedDeviceId !== null) return { kind: 'not_found' };
      if (row.expiresAt <= now) return { kind: 'expired' };
      const account = q.nextDeviceId.get(row.userId) as { next: number } | undefined;
      if (!account) return { kind: 'not_found' };
      if (account.next > MAX_DEVICE_ID) return { kind: 'too_many_devices' };
      const address = { userId: row.userId, deviceId: account.next };
      this.insertDevice(address, device, now);
      q.bumpDeviceId.run(row.userId);
      // The provisioning message has done its job; only the fact of completion is kept.
      q.completeLinkRequest.run(address.deviceId, row.requestHash);
      return { kind: 'linked', ...address };
    }).immediate();
  }

  // Release registry and rollout rules.

  async holdReleaseLock<T>(work: () => Promise<T>): Promise<T> {
    return holdLockFile(join(this.options.dataDir, RELEASE_LOCK_FILE_NAME), work);
  }

  async insertRelease(release: ReleaseRecord): Promise<'published' | 'exists'> {
    const inserted = this.q().insertRelease.run(
      release.remote,
      release.version,
      release.entry,
      release.integrity,
      release.contracts,
      release.publishedAt,
    );
    return inserted.changes > 0 ? 'published' : 'exists';
  }

  async releases(remote: string): Promise<ReleaseRecord[]> {
    return this.q().releases.all(remote) as ReleaseRecord[];
  }

  async ruleRevisions(remote: string, limit: number): Promise<RuleRevision[]> {
    return this.q().ruleRevisions.all(remote, limit) as RuleRevision[];
  }

  async appendRuleRevision(revision: RuleRevision, expectedRevision: number): Promise<'saved' | 'conflict'> {
    const q = this.q();
    return this.handle().transaction(() => {
      const newest = (q.newestRevision.get(revision.remote) as { revision: number | null }).revision ?? 0;
      if (newest !== expectedRevision || revision.revision !== newest + 1) return 'conflict' as const;
      q.insertRuleRevision.run(revision.remote, revision.revision, revision.rules, revision.change, revision.restores, revision.changedAt);
      return 'saved' as const;
    }).immediate();
  }

  async betaOptIn(userId: string): Promise<boolean> {
    return this.q().betaOptIn.get(userId) !== undefined;
  }

  async setBetaOptIn(userId: string, enabled: boolean, now: number): Promise<void> {
    if (enabled) this.q().joinBeta.run(userId, now);
    else this.q().leaveBeta.run(userId);
  }

  async createGroupCall(call: GroupCallRecord, maxOpenByCreator?: number): Promise<'created' | 'too_many_calls'> {
    const q = this.q();
    return this.handle().transaction(() => {
      if (maxOpenByCreator !== undefined && (q.openGroupCallsBy.get(call.creator) as number) >= maxOpenByCreator) return 'too_many_calls' as const;
      q.insertGroupCall.run(call.callId, call.roomId, call.creator, call.createdAt);
      for (const userId of new Set(call.invitees)) q.insertGroupCallInvitee.run(call.callId, userId);
      return 'created' as const;
    }).immediate();
  }

  async openGroupCallsBy(userId: string): Promise<number> {
    return this.q().openGroupCallsBy.get(userId) as number;
  }

  async groupCall(callId: string): Promise<GroupCallRecord | undefined> {
    const row = this.q().groupCall.get(callId) as GroupCallRow | undefined;
    return row && this.toGroupCall(row);
  }

  async groupCalls(): Promise<GroupCallRecord[]> {
    return (this.q().groupCalls.all() as GroupCallRow[]).map((row) => this.toGroupCall(row));
  }

  async addGroupCallInvitees(callId: string, userIds: readonly string[]): Promise<boolean> {
    const q = this.q();
    return this.handle().transaction(() => {
      if (!q.groupCall.get(callId)) return false;
      for (const userId of userIds) q.insertGroupCallInvitee.run(callId, userId);
      return true;
    })();
  }

  async takeGroupCallIndex(callId: string): Promise<number | undefined> {
    const row = this.q().takeGroupCallIndex.get(callId) as { index: number } | undefined;
    return row?.index;
  }

  async deleteGroupCall(callId: string): Promise<void> {
    this.q().deleteGroupCall.run(callId);
  }

  async setGroupCallLock(callId: string, lockedFor: readonly string[] | null): Promise<boolean> {
    return this.q().lockGroupCall.run(lockedFor ? JSON.stringify(lockedFor) : null, callId).changes > 0;
  }

  async removeGroupCallInvitee(callId: string, userId: string): Promise<void> {
    this.q().deleteGroupCallInvitee.run(callId, userId);
  }

  // Leases (lease-store.ts).

  async takeLease(name: string, holder: string, now: number, expiresAt: number): Promise<Lease> {
    const q = this.q();
    return this.handle().transaction(() => {
      q.takeLease.run(name, holder, expiresAt, now);
      return q.lease.get(name) as Lease;
    }).immediate();
  }

  async renewLeases(names: readonly string[], holder: string, expiresAt: number): Promise<string[]> {
    const q = this.q();
    return this.handle().transaction(() => names.filter((name) => q.renewLease.run(expiresAt, name, holder).changes > 0)).immediate();
  }

  async lease(name: string): Promise<Lease | undefined> {
    return this.q().lease.get(name) as Lease | undefined;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.q().releaseLease.run(name, holder);
  }

  // Call links.

  async createCallLink(link: CallLinkRecord): Promise<'created' | 'exists'> {
    const inserted = this.q().insertCallLink.run(...callLinkValues(link));
    return inserted.changes > 0 ? 'created' : 'exists';
  }

  async callLink(roomId: string): Promise<CallLinkRecord | undefined> {
    return toCallLink(this.q().callLink.get(roomId) as CallLinkRow | undefined);
  }

  async callLinkOfCall(callId: string): Promise<CallLinkRecord | undefined> {
    return toCallLink(this.q().callLinkOfCall.get(callId) as CallLinkRow | undefined);
  }

  async callLinksOf(userId: string): Promise<CallLinkRecord[]> {
    return (this.q().callLinksOf.all(userId) as CallLinkRow[]).map((row) => toCallLink(row)!);
  }

  async updateCallLink(roomId: string, changes: CallLinkChanges): Promise<boolean> {
    const q = this.q();
    return this.handle().transaction(() => {
      const row = q.callLink.get(roomId) as CallLinkRow | undefined;
      if (!row || row.revokedAt !== null) return false;
      const link = { ...toCallLink(row)!, ...changes };
      q.updateCallLink.run(link.approval ? 1 : 0, link.encryptedName, link.lastUsedAt, link.callId, roomId);
      return true;
    }).immediate();
  }

  async resetCallLink(
    roomId: string,
    next: { roomId: string; verifierHash: Uint8Array; encryptedName: Uint8Array | null },
    now: number,
  ): Promise<'reset' | 'not_found' | 'exists'> {
    const q = this.q();
    return this.handle().transaction(() => {
      const row = q.callLink.get(roomId) as CallLinkRow | undefined;
      if (!row || row.revokedAt !== null) return 'not_found' as const;
      const old = toCallLink(row)!;
      const moved: CallLinkRecord = { ...old, ...next, lastUsedAt: now, revokedAt: null };
      if (q.insertCallLink.run(...callLinkValues(moved)).changes === 0) return 'exists' as const;
      q.revokeCallLink.run(now, roomId);
      return 'reset' as const;
    }).immediate();
  }

  async revokeCallLink(roomId: string, now: number): Promise<boolean> {
    return this.q().revokeCallLink.run(now, roomId).changes > 0;
  }

  async sweepCallLinks(times: CallLinkSweepTimes): Promise<{ expired: CallLinkRecord[]; forgotten: number }> {
    const q = this.q();
    return this.handle().transaction(() => {
      const expired = (q.expiringCallLinks.all(times.expireUnusedSince) as CallLinkRow[]).map((row) => toCallLink(row)!);
      for (const link of expired) q.scrubCallLink.run(link.roomId);
      const forgotten = q.forgetCallLinks.run(times.forgetRevokedSince, times.forgetUnusedSince).changes;
      return { expired, forgotten };
    }).immediate();
  }

  async setCallLinkRemoval(callId: string, userId: string, removed: boolean): Promise<void> {
    if (removed) this.q().insertCallLinkRemoval.run(callId, userId);
    else this.q().deleteCallLinkRemoval.run(callId, userId);
  }

  async callLinkRemoved(callId: string, userId: string): Promise<boolean> {
    return this.q().callLinkRemoval.get(callId, userId) !== undefined;
  }

  // Guests and account deletion.

  async deleteAccount(userId: string): Promise<boolean> {
    const q = this.q();
    return this.handle().transaction(() => {
      // Devices, their prekeys, queued envelopes and link codes go with it (ON DELETE CASCADE).
      const deleted = q.deleteAccount.run(userId).changes > 0;
      q.leaveBeta.run(userId);
      return deleted;
    }).immediate();
  }

  async idleGuestAccounts(seenBefore: number): Promise<string[]> {
    return this.q().idleGuests.all(seenBefore) as string[];
  }

  async unseenDevices(seenBefore: number, limit: number): Promise<DeviceAddress[]> {
    return this.q().unseenDevices.all(seenBefore, limit) as DeviceAddress[];
  }

  async dropUnseenDevice(device: DeviceAddress, seenBefore: number): Promise<UnseenDeviceOutcome> {
    const q = this.q();
    return this.handle().transaction((): UnseenDeviceOutcome => {
      // Seen since it was listed (it authenticated meanwhile): it stays.
      if (q.deleteUnseenDevice.run(device.userId, device.deviceId, seenBefore).changes === 0) return 'kept';
      if ((q.deviceCount.get(device.userId) as number) > 0) return 'device_removed';
      // The last device: nobody holds a token for the account any more (as DELETE /api/devices/self).
      q.deleteAccount.run(device.userId);
      q.leaveBeta.run(device.userId);
      return 'account_deleted';
    }).immediate();
  }

  private toGroupCall(row: GroupCallRow): GroupCallRecord {
    const invitees = (this.q().groupCallInvitees.all(row.callId) as Array<{ userId: string }>).map((r) => r.userId);
    return { callId: row.callId, roomId: row.roomId, creator: row.creator, invitees, createdAt: row.createdAt, ...lockOf(row.lockedMembers) };
  }

  private insertDevice(device: DeviceAddress, registration: NewDevice, now: number): void {
    this.q().insertDevice.run(device.userId, device.deviceId, registration.registrationId, registration.tokenHash, now, now);
    this.writeKeys(device, registration.keys);
  }

  private writeKeys({ userId, deviceId }: DeviceAddress, keys: DeviceKeysUpdate): void {
    const q = this.q();
    if (keys.signedPreKey) q.putSignedPreKey.run(userId, deviceId, 'ec', keys.signedPreKey.keyId, keys.signedPreKey.publicKey, keys.signedPreKey.signature);
    if (keys.kyberLastResortPreKey) {
      const key = keys.kyberLastResortPreKey;
      q.putSignedPreKey.run(userId, deviceId, 'kyber', key.keyId, key.publicKey, key.signature);
    }
    for (const key of keys.oneTimePreKeys ?? []) q.putOneTimePreKey.run(userId, deviceId, 'ec', key.keyId, key.publicKey, null);
    for (const key of keys.kyberOneTimePreKeys ?? []) q.putOneTimePreKey.run(userId, deviceId, 'kyber', key.keyId, key.publicKey, key.signature);
  }

  private counts({ userId, deviceId }: DeviceAddress): PreKeyCounts {
    const rows = this.q().countOneTime.all(userId, deviceId) as Array<{ kind: 'ec' | 'kyber'; n: number }>;
    return {
      oneTimePreKeys: rows.find((r) => r.kind === 'ec')?.n ?? 0,
      kyberOneTimePreKeys: rows.find((r) => r.kind === 'kyber')?.n ?? 0,
    };
  }

  private handle(): Database.Database {
    if (!this.db) throw new Error('storage is not open: call open() first');
    return this.db;
  }

  private q(): Statements {
    if (!this.statements) throw new Error('storage is not open: call open() first');
    return this.statements;
  }
}

type Statements = ReturnType<typeof prepareStatements>;

/** Thrown inside storeKeys' transaction to roll it back. */
class TooManyPreKeys extends Error {}

/** Every query, prepared once per open database. */
function prepareStatements(db: Database.Database) {
  return {
    insertRelease: db.prepare(
      'INSERT INTO releases (remote, version, entry, integrity, contracts, published_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    releases: db.prepare(
      'SELECT remote, version, entry, integrity, contracts, published_at AS publishedAt FROM releases WHERE remote = ? ORDER BY published_at, rowid',
    ),
    ruleRevisions: db.prepare(
      'SELECT remote, revision, rules, change, restores, changed_at AS changedAt FROM rollout_rules WHERE remote = ? ORDER BY revision DESC LIMIT ?',
    ),
    newestRevision: db.prepare('SELECT max(revision) AS revision FROM rollout_rules WHERE remote = ?'),
    insertRuleRevision: db.prepare(
      'INSERT INTO rollout_rules (remote, revision, rules, change, restores, changed_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    betaOptIn: db.prepare('SELECT 1 FROM beta_program WHERE user_id = ?'),
    joinBeta: db.prepare('INSERT INTO beta_program (user_id, joined_at) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    leaveBeta: db.prepare('DELETE FROM beta_program WHERE user_id = ?'),
    insertAccount: db.prepare(
      'INSERT INTO accounts (user_id, handle, display_name, identity_key, created_at, guest) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (handle) DO NOTHING',
    ),
    accountById: db.prepare(
      `${ACCOUNT_SELECT} WHERE user_id = ?`,
    ),
    accountByHandle: db.prepare(
      `${ACCOUNT_SELECT} WHERE handle = ?`,
    ),
    deleteAccount: db.prepare('DELETE FROM accounts WHERE user_id = ?'),
    // A guest without any device left counts as idle too.
    idleGuests: db
      .prepare(
        `SELECT a.user_id FROM accounts a WHERE a.guest = 1
           AND coalesce((SELECT max(d.last_seen_at) FROM devices d WHERE d.user_id = a.user_id), 0) < ?`,
      )
      .pluck(),
    unseenDevices: db.prepare('SELECT user_id AS userId, device_id AS deviceId FROM devices WHERE last_seen_at < ? ORDER BY last_seen_at LIMIT ?'),
    deleteUnseenDevice: db.prepare('DELETE FROM devices WHERE user_id = ? AND device_id = ? AND last_seen_at < ?'),
    deviceCount: db.prepare('SELECT count(*) FROM devices WHERE user_id = ?').pluck(),
    openGroupCallsBy: db.prepare('SELECT count(*) FROM group_calls WHERE creator_user = ?').pluck(),
    // The oldest by seq, deleted only if expired: O(batch · log n) per call, never a scan of the queue.
    expireOldestEnvelopes: db.prepare(
      'DELETE FROM envelopes WHERE seq IN (SELECT seq FROM (SELECT seq, server_timestamp FROM envelopes ORDER BY seq LIMIT ?) WHERE server_timestamp < ?)',
    ),
    deleteUnusedLinkCodes: db.prepare('DELETE FROM link_codes WHERE user_id = ? AND device_id = ? AND used = 0'),
    deleteExpiredLinkCodes: db.prepare('DELETE FROM link_codes WHERE expires_at <= ?'),
    insertCallLink: db.prepare(
      `INSERT INTO call_links (room_id, verifier_hash, encrypted_name, approval, creator_user, created_at, last_used_at, revoked_at, call_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (room_id) DO NOTHING`,
    ),
    callLink: db.prepare(`${CALL_LINK_SELECT} WHERE room_id = ?`),
    callLinkOfCall: db.prepare(`${CALL_LINK_SELECT} WHERE call_id = ? AND revoked_at IS NULL`),
    callLinksOf: db.prepare(`${CALL_LINK_SELECT} WHERE creator_user = ? AND revoked_at IS NULL ORDER BY created_at DESC, rowid DESC`),
    updateCallLink: db.prepare('UPDATE call_links SET approval = ?, encrypted_name = ?, last_used_at = ?, call_id = ? WHERE room_id = ?'),
    // A revoked link keeps only what it takes to answer link_revoked to a holder of the old link.
    revokeCallLink: db.prepare('UPDATE call_links SET revoked_at = ?, encrypted_name = NULL, call_id = NULL WHERE room_id = ? AND revoked_at IS NULL'),
    // Read before the scrub: RETURNING would give the call ids already cleared.
    expiringCallLinks: db.prepare(
      `${CALL_LINK_SELECT} WHERE revoked_at IS NULL AND last_used_at <= ? AND (encrypted_name IS NOT NULL OR call_id IS NOT NULL)`,
    ),
    scrubCallLink: db.prepare('UPDATE call_links SET encrypted_name = NULL, call_id = NULL WHERE room_id = ?'),
    forgetCallLinks: db.prepare('DELETE FROM call_links WHERE revoked_at <= ? OR (revoked_at IS NULL AND last_used_at <= ?)'),
    insertCallLinkRemoval: db.prepare('INSERT INTO call_link_removals (call_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    deleteCallLinkRemoval: db.prepare('DELETE FROM call_link_removals WHERE call_id = ? AND user_id = ?'),
    callLinkRemoval: db.prepare('SELECT 1 FROM call_link_removals WHERE call_id = ? AND user_id = ?'),
    nextDeviceId: db.prepare('SELECT next_device_id AS next FROM accounts WHERE user_id = ?'),
    bumpDeviceId: db.prepare('UPDATE accounts SET next_device_id = next_device_id + 1 WHERE user_id = ?'),
    insertDevice: db.prepare(
      'INSERT INTO devices (user_id, device_id, registration_id, token_hash, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    devices: db.prepare(
      'SELECT device_id AS deviceId, registration_id AS registrationId, created_at AS createdAt, last_seen_at AS lastSeenAt FROM devices WHERE user_id = ? ORDER BY device_id',
    ),
    deviceByToken: db.prepare(
      'SELECT user_id AS userId, device_id AS deviceId, token_hash AS tokenHash, last_seen_at AS lastSeenAt FROM devices WHERE token_hash = ?',
    ),
    touchDevice: db.prepare('UPDATE devices SET last_seen_at = ? WHERE user_id = ? AND device_id = ?'),
    deleteDevice: db.prepare('DELETE FROM devices WHERE user_id = ? AND device_id = ?'),
    putSignedPreKey: db.prepare(
      `INSERT INTO signed_prekeys (user_id, device_id, kind, key_id, public_key, signature) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id, device_id, kind) DO UPDATE SET key_id = excluded.key_id, public_key = excluded.public_key, signature = excluded.signature`,
    ),
    putOneTimePreKey: db.prepare(
      `INSERT INTO one_time_prekeys (user_id, device_id, kind, key_id, public_key, signature) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id, device_id, kind, key_id) DO UPDATE SET public_key = excluded.public_key, signature = excluded.signature`,
    ),
    signedPreKey: db.prepare(
      'SELECT key_id AS keyId, public_key AS publicKey, signature FROM signed_prekeys WHERE user_id = ? AND device_id = ? AND kind = ?',
    ),
    takeOneTimePreKey: db.prepare(
      `DELETE FROM one_time_prekeys WHERE rowid = (
         SELECT rowid FROM one_time_prekeys WHERE user_id = ? AND device_id = ? AND kind = ? ORDER BY key_id LIMIT 1
       ) AND user_id = ? AND device_id = ? AND kind = ?
       RETURNING key_id AS keyId, public_key AS publicKey, signature`,
    ),
    countOneTime: db.prepare('SELECT kind, count(*) AS n FROM one_time_prekeys WHERE user_id = ? AND device_id = ? GROUP BY kind'),
    pending: db.prepare(
      `SELECT seq, sender_user AS senderUser, sender_device AS senderDevice, message_id AS messageId, type, ciphertext,
              server_timestamp AS serverTimestamp
       FROM envelopes WHERE recipient_user = ? AND recipient_device = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ),
    insertGroupCall: db.prepare('INSERT INTO group_calls (call_id, room_id, creator_user, created_at) VALUES (?, ?, ?, ?)'),
    insertGroupCallInvitee: db.prepare('INSERT INTO group_call_invitees (call_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    groupCall: db.prepare(`${GROUP_CALL_SELECT} WHERE call_id = ?`),
    groupCalls: db.prepare(`${GROUP_CALL_SELECT} ORDER BY created_at`),
    groupCallInvitees: db.prepare('SELECT user_id AS userId FROM group_call_invitees WHERE call_id = ? ORDER BY rowid'),
    takeGroupCallIndex: db.prepare('UPDATE group_calls SET next_index = next_index + 1 WHERE call_id = ? RETURNING next_index - 1 AS "index"'),
    deleteGroupCall: db.prepare('DELETE FROM group_calls WHERE call_id = ?'),
    lockGroupCall: db.prepare('UPDATE group_calls SET locked_members = ? WHERE call_id = ?'),
    takeLease: db.prepare(
      `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
    ),
    renewLease: db.prepare('UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?'),
    lease: db.prepare('SELECT name, holder, expires_at AS expiresAt FROM leases WHERE name = ?'),
    releaseLease: db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?'),
    deleteGroupCallInvitee: db.prepare('DELETE FROM group_call_invitees WHERE call_id = ? AND user_id = ?'),
    insertLinkCode: db.prepare('INSERT INTO link_codes (link_id, user_id, device_id, expires_at) VALUES (?, ?, ?, ?)'),
    linkCode: db.prepare('SELECT user_id AS userId, device_id AS deviceId, expires_at AS expiresAt, used FROM link_codes WHERE link_id = ?'),
    useLinkCode: db.prepare('UPDATE link_codes SET used = 1 WHERE link_id = ?'),
    insertLinkRequest: db.prepare(
      'INSERT INTO link_requests (request_hash, link_id, ephemeral_public_key, mac, expires_at) VALUES (?, ?, ?, ?, ?)',
    ),
    linkRequest: db.prepare(`${LINK_REQUEST_SELECT} WHERE r.request_hash = ?`),
    linkRequestByToken: db.prepare(`${LINK_REQUEST_SELECT} WHERE r.provisioning_token_hash = ?`),
    provision: db.prepare('UPDATE link_requests SET envelope = ? WHERE request_hash = ? AND envelope IS NULL AND completed_device_id IS NULL'),
    setProvisioningToken: db.prepare('UPDATE link_requests SET provisioning_token_hash = ? WHERE request_hash = ?'),
    completeLinkRequest: db.prepare(
      'UPDATE link_requests SET completed_device_id = ?, envelope = NULL, provisioning_token_hash = NULL WHERE request_hash = ?',
    ),
  };
}

function callLinkValues(link: CallLinkRecord) {
  return [
    link.roomId,
    link.verifierHash,
    link.encryptedName,
    link.approval ? 1 : 0,
    link.creator,
    link.createdAt,
    link.lastUsedAt,
    link.revokedAt,
    link.callId,
  ] as const;
}

interface GroupCallRow {
  callId: string;
  roomId: number;
  creator: string;
  createdAt: number;
  lockedMembers: string | null;
}
