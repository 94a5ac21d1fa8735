/**
 * The scale-out store: PostgreSQL through node-postgres, chosen by PARLEY_DATABASE_URL, shared by
 * several server nodes. Every check-then-write runs in one transaction that first locks the rows
 * its check reads (postgres-database.ts retries it on a serialization failure or deadlock); the
 * relay commits one transaction per batch (postgres-relay-commit.ts).
 */
import type { WallClock } from '@parley/clock';
import type { Migration } from './migrations.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { PostgresDatabase, type Queryable, bytea } from './postgres-database.js';
import { GatheredQueueReads } from './postgres-queue-reads.js';
import { commitRelayBatch } from './postgres-relay-commit.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { PostgresBlobStore } from '../blobs/postgres-blob-store.js';
import {
  ACCOUNT_SELECT,
  type AccountRow,
  CALL_LINK_SELECT,
  type CallLinkRow,
  GROUP_CALL_SELECT,
  lockOf,
  type KeyRow,
  LINK_REQUEST_SELECT,
  type LinkRequestRow,
  toAccount,
  toCallLink,
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
  MAX_DEVICE_ID,
  type NewAccount,
  type NewDevice,
  type NewLinkRequest,
  type PreKeyCaps,
  type PreKeyCounts,
  type QueuedEnvelope,
  type RelayWrites,
  type ReleaseRecord,
  type RuleRevision,
  type Storage,
  type StoredPreKey,
  type SubmitOutcome,
  type TokenOwner,
  type UnseenDeviceOutcome,
} from './storage.js';

/** Envelopes deleted per transaction by the expiry sweep, so the relay's commits wait little for it. */
const EXPIRY_BATCH = 500;
/** The advisory lock publishing takes (holdReleaseLock). */
const RELEASE_LOCK = 'parley:releases';
/** Devices whose queue removals one transaction folds into their counters. */
const FOLD_BATCH = 500;

export interface PostgresStorageOptions {
  /** `postgres://…`, as PARLEY_DATABASE_URL gives it. */
  url: string;
  clock: WallClock;
  /** Defaults to the real schema; tests pass their own to exercise upgrades. */
  migrations?: readonly Migration[];
  poolSize?: number;
  /**
   * Tests only: awaited inside each relay transaction just before its COMMIT, to hold a batch
   * open while another node writes (the late-commit race).
   */
  beforeRelayCommit?: () => Promise<void>;
}

/** `Storage` on a PostgreSQL database. */
export class PostgresStorage implements Storage {
  readonly kind = 'postgres' as const;
  private database: PostgresDatabase | undefined;
  /** Every device's queue read by one statement per moment (postgres-queue-reads.ts). */
  private readonly queueReads = new GatheredQueueReads(() => this.db().pool);

  constructor(private readonly options: PostgresStorageOptions) {}

  async open(): Promise<void> {
    if (this.database) return;
    const database = new PostgresDatabase({
      url: this.options.url,
      clock: this.options.clock,
      migrations: this.options.migrations ?? POSTGRES_MIGRATIONS,
      poolSize: this.options.poolSize,
    });
    try {
      await database.assertDurable();
      await database.migrate();
    } catch (error) {
      await database.close();
      throw error;
    }
    this.database = database;
  }

  async migrate(): Promise<number[]> {
    return this.db().migrate();
  }

  /** Attachment blobs in this database: nodes that share it share no data folder. */
  blobStore(): BlobStore {
    return new PostgresBlobStore(() => this.db());
  }

  async appliedMigrations(): Promise<AppliedMigration[]> {
    return this.db().appliedMigrations();
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.one<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]))?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.run('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async claimMeta(key: string, value: string): Promise<string> {
    await this.run('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
    // A row is never deleted, so the one that won is there to read.
    return (await this.getMeta(key))!;
  }

  async close(): Promise<void> {
    const database = this.database;
    this.database = undefined;
    await database?.close();
  }

  // Accounts and devices.

  async createAccount(account: NewAccount, now: number): Promise<'created' | 'handle_taken'> {
    return this.db().transaction(async (client) => {
      const inserted = await client.query(
        'INSERT INTO accounts (user_id, handle, display_name, identity_key, created_at, guest) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (handle) DO NOTHING',
        [account.userId, account.handle, account.displayName, bytea(account.identityKey), now, account.guest ?? false],
      );
      if (inserted.rowCount === 0) return 'handle_taken' as const;
      await insertDevice(client, { userId: account.userId, deviceId: 1 }, account.device, now);
      return 'created' as const;
    });
  }

  async accountById(userId: string): Promise<AccountRecord | undefined> {
    return toAccount(await this.one<AccountRow>(`${ACCOUNT_SELECT} WHERE user_id = $1`, [userId]));
  }

  async accountByHandle(handle: string): Promise<AccountRecord | undefined> {
    return toAccount(await this.one<AccountRow>(`${ACCOUNT_SELECT} WHERE handle = $1`, [handle]));
  }

  async devices(userId: string): Promise<DeviceRecord[]> {
    return this.all<DeviceRecord>(DEVICES_OF_USER, [userId]);
  }

  async deviceByTokenHash(tokenHash: Uint8Array): Promise<TokenOwner | undefined> {
    const row = await this.one<TokenOwner>(
      'SELECT user_id AS "userId", device_id AS "deviceId", token_hash AS "tokenHash", last_seen_at AS "lastSeenAt" FROM devices WHERE token_hash = $1',
      [bytea(tokenHash)],
    );
    return row ? { ...row, tokenHash: new Uint8Array(row.tokenHash) } : undefined;
  }

  async touchDevice(device: DeviceAddress, now: number): Promise<void> {
    await this.run('UPDATE devices SET last_seen_at = $1 WHERE user_id = $2 AND device_id = $3', [now, device.userId, device.deviceId]);
  }

  async removeDevice(device: DeviceAddress): Promise<boolean> {
    // Keys, queue and link codes go with it (ON DELETE CASCADE).
    return (await this.run('DELETE FROM devices WHERE user_id = $1 AND device_id = $2', [device.userId, device.deviceId])) > 0;
  }

  async deleteAccount(userId: string): Promise<boolean> {
    return this.db().transaction(async (client) => {
      const deleted = (await client.query('DELETE FROM accounts WHERE user_id = $1', [userId])).rowCount! > 0;
      await client.query('DELETE FROM beta_program WHERE user_id = $1', [userId]);
      return deleted;
    });
  }

  // Device sweeps.

  async idleGuestAccounts(seenBefore: number): Promise<string[]> {
    const rows = await this.all<{ userId: string }>(
      `SELECT a.user_id AS "userId" FROM accounts a WHERE a.guest
         AND coalesce((SELECT max(d.last_seen_at) FROM devices d WHERE d.user_id = a.user_id), 0) < $1`,
      [seenBefore],
    );
    return rows.map((row) => row.userId);
  }

  async unseenDevices(seenBefore: number, limit: number): Promise<DeviceAddress[]> {
    return this.all<DeviceAddress>(
      'SELECT user_id AS "userId", device_id AS "deviceId" FROM devices WHERE last_seen_at < $1 ORDER BY last_seen_at, user_id, device_id LIMIT $2',
      [seenBefore, limit],
    );
  }

  async dropUnseenDevice(device: DeviceAddress, seenBefore: number): Promise<UnseenDeviceOutcome> {
    return this.db().transaction(async (client): Promise<UnseenDeviceOutcome> => {
      // The account row first, as a device link does: a device being linked is counted below.
      await client.query('SELECT 1 FROM accounts WHERE user_id = $1 FOR UPDATE', [device.userId]);
      const deleted = await client.query('DELETE FROM devices WHERE user_id = $1 AND device_id = $2 AND last_seen_at < $3', [
        device.userId,
        device.deviceId,
        seenBefore,
      ]);
      if (deleted.rowCount === 0) return 'kept';
      const left = await client.query('SELECT 1 FROM devices WHERE user_id = $1 LIMIT 1', [device.userId]);
      if (left.rowCount! > 0) return 'device_removed';
      // The last device: nobody holds a token for the account any more (as DELETE /api/devices/self).
      await client.query('DELETE FROM accounts WHERE user_id = $1', [device.userId]);
      await client.query('DELETE FROM beta_program WHERE user_id = $1', [device.userId]);
      return 'account_deleted';
    });
  }

  // Prekeys.

  async storeKeys(device: DeviceAddress, keys: DeviceKeysUpdate, caps: PreKeyCaps): Promise<'stored' | 'too_many_prekeys'> {
    try {
      await this.db().transaction(async (client) => {
        // The device row serializes uploads and fetches of its keys across nodes.
        await lockDevice(client, device);
        await writeKeys(client, device, keys);
        // Counted after the write: a key id uploaded again replaces its key and takes no room.
        const counts = await countKeys(client, device);
        if (counts.oneTimePreKeys > caps.oneTimePreKeys || counts.kyberOneTimePreKeys > caps.kyberOneTimePreKeys) throw new TooManyPreKeys();
      });
      return 'stored';
    } catch (error) {
      if (error instanceof TooManyPreKeys) return 'too_many_prekeys';
      throw error;
    }
  }

  async preKeyCounts(device: DeviceAddress): Promise<PreKeyCounts> {
    return countKeys(this.db().pool, device);
  }

  async takePreKeyBundles(userId: string, deviceId?: number): Promise<DeviceBundle[]> {
    return this.db().transaction(async (client) => {
      // Locked in device order, so two fetches of one user never deadlock; the second waits and
      // then sees the keys the first consumed (each statement reads what committed before it).
      const devices = (
        await client.query<{ deviceId: number; registrationId: number }>(
          `SELECT device_id AS "deviceId", registration_id AS "registrationId" FROM devices
           WHERE user_id = $1 AND ($2::int IS NULL OR device_id = $2) ORDER BY device_id FOR NO KEY UPDATE`,
          [userId, deviceId ?? null],
        )
      ).rows;
      const bundles: DeviceBundle[] = [];
      for (const device of devices) {
        const address = { userId, deviceId: device.deviceId };
        const signed = await signedKey(client, address, 'ec');
        const lastResort = await signedKey(client, address, 'kyber');
        // A device always has both (registration requires them); a half-written one is skipped.
        if (!signed || !lastResort) continue;
        const preKey = await takeOneTimeKey(client, address, 'ec');
        const kyber = await takeOneTimeKey(client, address, 'kyber');
        bundles.push({
          deviceId: device.deviceId,
          registrationId: device.registrationId,
          signedPreKey: toSignedKey(signed),
          ...(preKey ? { preKey: toKey(preKey) } : {}),
          kyberPreKey: toSignedKey(kyber ?? lastResort),
          remaining: await countKeys(client, address),
        });
      }
      return bundles;
    });
  }

  // Relay queue.

  async commitRelayWrites(writes: RelayWrites): Promise<SubmitOutcome[]> {
    return this.db().pipelinedTransaction((client) => commitRelayBatch(client, writes, this.options.beforeRelayCommit));
  }

  async queuedEnvelopeCount(): Promise<number> {
    // The counters the relay keeps (each device's minus its removals, migration 11): no scan of the queue.
    return (
      await this.one<{ n: number }>(
        `SELECT (SELECT coalesce(sum(queued_envelopes), 0) FROM devices)
           - (SELECT coalesce(sum(r.envelopes), 0) FROM queue_removals r JOIN devices d USING (user_id, device_id))::bigint AS n`,
        [],
      )
    )!.n;
  }

  async foldQueueRemovals(): Promise<number> {
    let total = 0;
    // Once through the table in key order: rows that acks create again behind the cursor wait for the next run.
    let after: DeviceAddress = { userId: '', deviceId: 0 };
    for (;;) {
      const folded = await this.db().transaction(async (client) => {
        // The device rows first, as the relay takes them: a batch sending to one of these devices
        // waits, then reads the folded counters and no removals row (see READ_REMOVALS).
        const { rows } = await client.query<DeviceAddress>(
          `SELECT d.user_id AS "userId", d.device_id AS "deviceId" FROM devices d
           WHERE (d.user_id, d.device_id) IN (SELECT user_id, device_id FROM queue_removals WHERE (user_id, device_id) > ($1, $2)
                                              ORDER BY user_id, device_id LIMIT $3)
           ORDER BY d.user_id, d.device_id FOR NO KEY UPDATE OF d`,
          [after.userId, after.deviceId, FOLD_BATCH],
        );
        if (rows.length === 0) return 0;
        after = rows[rows.length - 1]!;
        // The removals as they stand once deleted (an ack committing meanwhile is waited for, and counted).
        await client.query(
          `WITH folded AS (
             DELETE FROM queue_removals r USING unnest($1::text[], $2::int[]) AS f (user_id, device_id)
             WHERE r.user_id = f.user_id AND r.device_id = f.device_id
             RETURNING r.user_id, r.device_id, r.envelopes, r.bytes)
           UPDATE devices d SET queued_envelopes = d.queued_envelopes - folded.envelopes, queued_bytes = d.queued_bytes - folded.bytes
           FROM folded WHERE d.user_id = folded.user_id AND d.device_id = folded.device_id`,
          [rows.map((row) => row.userId), rows.map((row) => row.deviceId)],
        );
        return rows.length;
      });
      total += folded;
      if (folded < FOLD_BATCH) break;
    }
    // Rows of devices removed while an ack of theirs was committing: nothing left to count against.
    await this.run('DELETE FROM queue_removals r WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.user_id = r.user_id AND d.device_id = r.device_id)', []);
    return total;
  }

  async pendingEnvelopes(device: DeviceAddress, afterSeq: number, limit: number): Promise<QueuedEnvelope[]> {
    return this.queueReads.read(device, afterSeq, limit);
  }

  async expireEnvelopes(time: number): Promise<number> {
    let total = 0;
    for (;;) {
      // The oldest by seq, deleted only if expired (as on SQLite): never a scan of the queue.
      // In a transaction of its own so a deadlock with the relay (both delete envelopes and then
      // count them in queue_removals) is retried.
      const deleted = await this.db().transaction(async (client) => {
        const result = await client.query(
          `DELETE FROM envelopes WHERE seq IN (
             SELECT seq FROM (SELECT seq, server_timestamp FROM envelopes ORDER BY seq LIMIT $1) oldest WHERE server_timestamp < $2)`,
          [EXPIRY_BATCH, time],
        );
        return result.rowCount ?? 0;
      });
      total += deleted;
      if (deleted < EXPIRY_BATCH) return total;
    }
  }

  // Device linking.

  async createLinkCode(code: LinkCodeRecord): Promise<void> {
    await this.db().transaction(async (client) => {
      // A device shows one code at a time: asking again makes the earlier unused ones worthless.
      await client.query('DELETE FROM link_codes WHERE user_id = $1 AND device_id = $2 AND NOT used', [code.owner.userId, code.owner.deviceId]);
      await client.query('INSERT INTO link_codes (link_id, user_id, device_id, expires_at) VALUES ($1, $2, $3, $4)', [
        code.linkId,
        code.owner.userId,
        code.owner.deviceId,
        code.expiresAt,
      ]);
    });
  }

  async sweepLinkCodes(now: number): Promise<number> {
    // Their requests go with them (ON DELETE CASCADE); both share the code's expiry.
    return this.run('DELETE FROM link_codes WHERE expires_at <= $1', [now]);
  }

  async createLinkRequest(request: NewLinkRequest, now: number): Promise<LinkRequestOutcome> {
    return this.db().transaction(async (client): Promise<LinkRequestOutcome> => {
      const code = (
        await client.query<{ userId: string; deviceId: number; expiresAt: number; used: boolean }>(
          'SELECT user_id AS "userId", device_id AS "deviceId", expires_at AS "expiresAt", used FROM link_codes WHERE link_id = $1 FOR UPDATE',
          [request.linkId],
        )
      ).rows[0];
      if (!code) return { kind: 'not_found' };
      if (code.expiresAt <= now) return { kind: 'expired' };
      if (code.used) return { kind: 'used' };
      await client.query('UPDATE link_codes SET used = true WHERE link_id = $1', [request.linkId]);
      await client.query('INSERT INTO link_requests (request_hash, link_id, ephemeral_public_key, mac, expires_at) VALUES ($1, $2, $3, $4, $5)', [
        bytea(request.requestHash),
        request.linkId,
        bytea(request.ephemeralPublicKey),
        bytea(request.mac),
        code.expiresAt,
      ]);
      return { kind: 'created', owner: { userId: code.userId, deviceId: code.deviceId } };
    });
  }

  async linkRequest(requestHash: Uint8Array): Promise<LinkRequestRecord | undefined> {
    const row = await this.one<LinkRequestRow>(`${LINK_REQUEST_SELECT} WHERE r.request_hash = $1`, [bytea(requestHash)]);
    return row ? toLinkRequest(row) : undefined;
  }

  async linkRequestByProvisioningToken(tokenHash: Uint8Array): Promise<LinkRequestRecord | undefined> {
    const row = await this.one<LinkRequestRow>(`${LINK_REQUEST_SELECT} WHERE r.provisioning_token_hash = $1`, [bytea(tokenHash)]);
    return row && row.completedDeviceId === null ? toLinkRequest(row) : undefined;
  }

  async provisionLinkRequest(requestHash: Uint8Array, envelope: Uint8Array): Promise<boolean> {
    const changed = await this.run(
      'UPDATE link_requests SET envelope = $1 WHERE request_hash = $2 AND envelope IS NULL AND completed_device_id IS NULL',
      [bytea(envelope), bytea(requestHash)],
    );
    return changed > 0;
  }

  async setProvisioningToken(requestHash: Uint8Array, tokenHash: Uint8Array): Promise<void> {
    await this.run('UPDATE link_requests SET provisioning_token_hash = $1 WHERE request_hash = $2', [bytea(tokenHash), bytea(requestHash)]);
  }

  async completeLink(provisioningTokenHash: Uint8Array, device: NewDevice, now: number): Promise<CompleteLinkOutcome> {
    return this.db().transaction(async (client): Promise<CompleteLinkOutcome> => {
      const row = (await client.query<LinkRequestRow>(`${LINK_REQUEST_SELECT} WHERE r.provisioning_token_hash = $1 FOR UPDATE OF r`, [bytea(provisioningTokenHash)]))
        .rows[0];
      if (!row || row.completedDeviceId !== null) return { kind: 'not_found' };
      if (row.expiresAt <= now) return { kind: 'expired' };
      // The account row locked: a relay batch checking this user's devices (FOR SHARE) either
      // commits before the new device exists or sees it.
      const account = (await client.query<{ next: number }>('SELECT next_device_id AS next FROM accounts WHERE user_id = $1 FOR NO KEY UPDATE', [row.userId])).rows[0];
      if (!account) return { kind: 'not_found' };
      if (account.next > MAX_DEVICE_ID) return { kind: 'too_many_devices' };
      const address = { userId: row.userId, deviceId: account.next };
      await insertDevice(client, address, device, now);
      await client.query('UPDATE accounts SET next_device_id = next_device_id + 1 WHERE user_id = $1', [row.userId]);
      // The provisioning message has done its job; only the fact of completion is kept.
      await client.query('UPDATE link_requests SET completed_device_id = $1, envelope = NULL, provisioning_token_hash = NULL WHERE request_hash = $2', [
        address.deviceId,
        row.requestHash,
      ]);
      return { kind: 'linked', ...address };
    });
  }

  // Release registry and rollout rules.

  async holdReleaseLock<T>(work: () => Promise<T>): Promise<T> {
    return this.db().holdAdvisoryLock(RELEASE_LOCK, work);
  }

  async insertRelease(release: ReleaseRecord): Promise<'published' | 'exists'> {
    const inserted = await this.run(
      'INSERT INTO releases (remote, version, entry, integrity, contracts, published_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
      [release.remote, release.version, release.entry, release.integrity, release.contracts, release.publishedAt],
    );
    return inserted > 0 ? 'published' : 'exists';
  }

  async releases(remote: string): Promise<ReleaseRecord[]> {
    return this.all<ReleaseRecord>(
      'SELECT remote, version, entry, integrity, contracts, published_at AS "publishedAt" FROM releases WHERE remote = $1 ORDER BY published_at, position',
      [remote],
    );
  }

  async ruleRevisions(remote: string, limit: number): Promise<RuleRevision[]> {
    return this.all<RuleRevision>(
      'SELECT remote, revision, rules, change, restores, changed_at AS "changedAt" FROM rollout_rules WHERE remote = $1 ORDER BY revision DESC LIMIT $2',
      [remote, limit],
    );
  }

  async appendRuleRevision(revision: RuleRevision, expectedRevision: number): Promise<'saved' | 'conflict'> {
    if (revision.revision !== expectedRevision + 1) return 'conflict';
    // The primary key (remote, revision) decides between two nodes appending the same next
    // revision: the second insert finds the first's row (it waits for its commit) and adds nothing.
    return this.db().transaction(async (client) => {
      const newest = (await client.query<{ revision: number | null }>('SELECT max(revision) AS revision FROM rollout_rules WHERE remote = $1', [revision.remote]))
        .rows[0]!.revision;
      if ((newest ?? 0) !== expectedRevision) return 'conflict' as const;
      const inserted = await client.query(
        'INSERT INTO rollout_rules (remote, revision, rules, change, restores, changed_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
        [revision.remote, revision.revision, revision.rules, revision.change, revision.restores, revision.changedAt],
      );
      return inserted.rowCount === 0 ? ('conflict' as const) : ('saved' as const);
    });
  }

  async betaOptIn(userId: string): Promise<boolean> {
    return (await this.one('SELECT 1 FROM beta_program WHERE user_id = $1', [userId])) !== undefined;
  }

  async setBetaOptIn(userId: string, enabled: boolean, now: number): Promise<void> {
    if (enabled) await this.run('INSERT INTO beta_program (user_id, joined_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [userId, now]);
    else await this.run('DELETE FROM beta_program WHERE user_id = $1', [userId]);
  }

  // Group calls.

  async createGroupCall(call: GroupCallRecord, maxOpenByCreator?: number): Promise<'created' | 'too_many_calls'> {
    return this.db().transaction(async (client) => {
      if (maxOpenByCreator !== undefined) {
        // Serializes one creator's call creations across nodes (nothing else to lock: no row yet).
        await client.query("SELECT pg_advisory_xact_lock(hashtext('group_calls:' || $1))", [call.creator]);
        if ((await openGroupCallsBy(client, call.creator)) >= maxOpenByCreator) return 'too_many_calls' as const;
      }
      await client.query('INSERT INTO group_calls (call_id, room_id, creator_user, created_at) VALUES ($1, $2, $3, $4)', [
        call.callId,
        call.roomId,
        call.creator,
        call.createdAt,
      ]);
      await insertInvitees(client, call.callId, [...new Set(call.invitees)]);
      return 'created' as const;
    });
  }

  async openGroupCallsBy(userId: string): Promise<number> {
    return openGroupCallsBy(this.db().pool, userId);
  }

  async groupCall(callId: string): Promise<GroupCallRecord | undefined> {
    const row = await this.one<GroupCallRow>(`${GROUP_CALL_SELECT} WHERE call_id = $1`, [callId]);
    return row && this.toGroupCall(row);
  }

  async groupCalls(): Promise<GroupCallRecord[]> {
    const rows = await this.all<GroupCallRow>(`${GROUP_CALL_SELECT} ORDER BY created_at, call_id`, []);
    return Promise.all(rows.map((row) => this.toGroupCall(row)));
  }

  async addGroupCallInvitees(callId: string, userIds: readonly string[]): Promise<boolean> {
    return this.db().transaction(async (client) => {
      if ((await client.query('SELECT 1 FROM group_calls WHERE call_id = $1 FOR SHARE', [callId])).rowCount === 0) return false;
      await insertInvitees(client, callId, userIds);
      return true;
    });
  }

  async takeGroupCallIndex(callId: string): Promise<number | undefined> {
    return (await this.one<{ index: number }>('UPDATE group_calls SET next_index = next_index + 1 WHERE call_id = $1 RETURNING next_index - 1 AS "index"', [callId]))
      ?.index;
  }

  async deleteGroupCall(callId: string): Promise<void> {
    await this.run('DELETE FROM group_calls WHERE call_id = $1', [callId]);
  }

  async setGroupCallLock(callId: string, lockedFor: readonly string[] | null): Promise<boolean> {
    return (await this.run('UPDATE group_calls SET locked_members = $1 WHERE call_id = $2', [lockedFor ? JSON.stringify(lockedFor) : null, callId])) > 0;
  }

  async removeGroupCallInvitee(callId: string, userId: string): Promise<void> {
    await this.run('DELETE FROM group_call_invitees WHERE call_id = $1 AND user_id = $2', [callId, userId]);
  }

  // Call links.

  async createCallLink(link: CallLinkRecord): Promise<'created' | 'exists'> {
    return (await insertCallLink(this.db().pool, link)) ? 'created' : 'exists';
  }

  async callLink(roomId: string): Promise<CallLinkRecord | undefined> {
    return toCallLink(await this.one<CallLinkRow>(`${CALL_LINK_SELECT} WHERE room_id = $1`, [roomId]));
  }

  async callLinkOfCall(callId: string): Promise<CallLinkRecord | undefined> {
    return toCallLink(await this.one<CallLinkRow>(`${CALL_LINK_SELECT} WHERE call_id = $1 AND revoked_at IS NULL`, [callId]));
  }

  async callLinksOf(userId: string): Promise<CallLinkRecord[]> {
    const rows = await this.all<CallLinkRow>(`${CALL_LINK_SELECT} WHERE creator_user = $1 AND revoked_at IS NULL ORDER BY created_at DESC, position DESC`, [userId]);
    return rows.map((row) => toCallLink(row)!);
  }

  async updateCallLink(roomId: string, changes: CallLinkChanges): Promise<boolean> {
    return this.db().transaction(async (client) => {
      const row = (await client.query<CallLinkRow>(`${CALL_LINK_SELECT} WHERE room_id = $1 FOR UPDATE`, [roomId])).rows[0];
      if (!row || row.revokedAt !== null) return false;
      const link = { ...toCallLink(row)!, ...changes };
      await client.query('UPDATE call_links SET approval = $1, encrypted_name = $2, last_used_at = $3, call_id = $4 WHERE room_id = $5', [
        link.approval,
        bytea(link.encryptedName),
        link.lastUsedAt,
        link.callId,
        roomId,
      ]);
      return true;
    });
  }

  async resetCallLink(
    roomId: string,
    next: { roomId: string; verifierHash: Uint8Array; encryptedName: Uint8Array | null },
    now: number,
  ): Promise<'reset' | 'not_found' | 'exists'> {
    return this.db().transaction(async (client) => {
      const row = (await client.query<CallLinkRow>(`${CALL_LINK_SELECT} WHERE room_id = $1 FOR UPDATE`, [roomId])).rows[0];
      if (!row || row.revokedAt !== null) return 'not_found' as const;
      const moved: CallLinkRecord = { ...toCallLink(row)!, ...next, lastUsedAt: now, revokedAt: null };
      if (!(await insertCallLink(client, moved))) return 'exists' as const;
      await revokeCallLink(client, roomId, now);
      return 'reset' as const;
    });
  }

  async revokeCallLink(roomId: string, now: number): Promise<boolean> {
    return revokeCallLink(this.db().pool, roomId, now);
  }

  async sweepCallLinks(times: CallLinkSweepTimes): Promise<{ expired: CallLinkRecord[]; forgotten: number }> {
    return this.db().transaction(async (client) => {
      // Locked and read before the scrub: RETURNING would give the call ids already cleared.
      const expired = (
        await client.query<CallLinkRow>(
          `${CALL_LINK_SELECT} WHERE revoked_at IS NULL AND last_used_at <= $1 AND (encrypted_name IS NOT NULL OR call_id IS NOT NULL) FOR UPDATE`,
          [times.expireUnusedSince],
        )
      ).rows.map((row) => toCallLink(row)!);
      if (expired.length > 0) {
        await client.query('UPDATE call_links SET encrypted_name = NULL, call_id = NULL WHERE room_id = ANY($1)', [expired.map((link) => link.roomId)]);
      }
      const forgotten = await client.query('DELETE FROM call_links WHERE revoked_at <= $1 OR (revoked_at IS NULL AND last_used_at <= $2)', [
        times.forgetRevokedSince,
        times.forgetUnusedSince,
      ]);
      return { expired, forgotten: forgotten.rowCount ?? 0 };
    });
  }

  async setCallLinkRemoval(callId: string, userId: string, removed: boolean): Promise<void> {
    if (removed) await this.run('INSERT INTO call_link_removals (call_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [callId, userId]);
    else await this.run('DELETE FROM call_link_removals WHERE call_id = $1 AND user_id = $2', [callId, userId]);
  }

  async callLinkRemoved(callId: string, userId: string): Promise<boolean> {
    return (await this.one('SELECT 1 FROM call_link_removals WHERE call_id = $1 AND user_id = $2', [callId, userId])) !== undefined;
  }

  // Leases (lease-store.ts).

  async takeLease(name: string, holder: string, now: number, expiresAt: number): Promise<Lease> {
    // The conflict's row lock makes the compare and the write one step across nodes; the read
    // after it sees the lease as it stands (ours, or the holder that kept it).
    await this.run(
      `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.holder = excluded.holder OR leases.expires_at <= $4`,
      [name, holder, expiresAt, now],
    );
    return (await this.lease(name))!;
  }

  async renewLeases(names: readonly string[], holder: string, expiresAt: number): Promise<string[]> {
    if (names.length === 0) return [];
    const rows = await this.all<{ name: string }>('UPDATE leases SET expires_at = $1 WHERE name = ANY($2) AND holder = $3 RETURNING name', [expiresAt, [...names], holder]);
    return rows.map((row) => row.name);
  }

  async lease(name: string): Promise<Lease | undefined> {
    return this.one<Lease>('SELECT name, holder, expires_at AS "expiresAt" FROM leases WHERE name = $1', [name]);
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.run('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
  }

  private async toGroupCall({ lockedMembers, ...row }: GroupCallRow): Promise<GroupCallRecord> {
    const invitees = await this.all<{ userId: string }>('SELECT user_id AS "userId" FROM group_call_invitees WHERE call_id = $1 ORDER BY position', [row.callId]);
    return { ...row, invitees: invitees.map((r) => r.userId), ...lockOf(lockedMembers) };
  }

  private db(): PostgresDatabase {
    if (!this.database) throw new Error('storage is not open: call open() first');
    return this.database;
  }

  private async one<T extends object>(sql: string, values: unknown[]): Promise<T | undefined> {
    return (await this.db().pool.query<T>(sql, values)).rows[0];
  }

  private async all<T extends object>(sql: string, values: unknown[]): Promise<T[]> {
    return (await this.db().pool.query<T>(sql, values)).rows;
  }

  /** Runs one statement on its own; returns how many rows it changed. */
  private async run(sql: string, values: unknown[]): Promise<number> {
    return (await this.db().pool.query(sql, values)).rowCount ?? 0;
  }
}

/** Thrown inside storeKeys' transaction to roll it back. */
class TooManyPreKeys extends Error {}

const DEVICES_OF_USER = `SELECT device_id AS "deviceId", registration_id AS "registrationId", created_at AS "createdAt", last_seen_at AS "lastSeenAt"
  FROM devices WHERE user_id = $1 ORDER BY device_id`;
type GroupCallRow = Omit<GroupCallRecord, 'invitees' | 'lockedFor'> & { lockedMembers: string | null };

async function lockDevice(client: Queryable, { userId, deviceId }: DeviceAddress): Promise<void> {
  await client.query('SELECT 1 FROM devices WHERE user_id = $1 AND device_id = $2 FOR NO KEY UPDATE', [userId, deviceId]);
}

async function insertDevice(client: Queryable, device: DeviceAddress, registration: NewDevice, now: number): Promise<void> {
  await client.query(
    'INSERT INTO devices (user_id, device_id, registration_id, token_hash, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $5)',
    [device.userId, device.deviceId, registration.registrationId, bytea(registration.tokenHash), now],
  );
  await writeKeys(client, device, registration.keys);
}

async function writeKeys(client: Queryable, { userId, deviceId }: DeviceAddress, keys: DeviceKeysUpdate): Promise<void> {
  const signed = [keys.signedPreKey && (['ec', keys.signedPreKey] as const), keys.kyberLastResortPreKey && (['kyber', keys.kyberLastResortPreKey] as const)];
  for (const entry of signed) {
    if (!entry) continue;
    const [kind, key] = entry;
    await client.query(
      `INSERT INTO signed_prekeys (user_id, device_id, kind, key_id, public_key, signature) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id, device_id, kind) DO UPDATE SET key_id = excluded.key_id, public_key = excluded.public_key, signature = excluded.signature`,
      [userId, deviceId, kind, key.keyId, bytea(key.publicKey), bytea(key.signature)],
    );
  }
  const oneTime: Array<{ kind: 'ec' | 'kyber'; key: StoredPreKey & { signature?: Uint8Array } }> = [
    ...(keys.oneTimePreKeys ?? []).map((key) => ({ kind: 'ec' as const, key })),
    ...(keys.kyberOneTimePreKeys ?? []).map((key) => ({ kind: 'kyber' as const, key })),
  ];
  if (oneTime.length === 0) return;
  // One statement for the whole upload; a key id uploaded again replaces its key.
  await client.query(
    `INSERT INTO one_time_prekeys (user_id, device_id, kind, key_id, public_key, signature)
     SELECT $1, $2, k.kind, k.key_id, k.public_key, k.signature FROM unnest($3::text[], $4::int[], $5::bytea[], $6::bytea[]) AS k (kind, key_id, public_key, signature)
     ON CONFLICT (user_id, device_id, kind, key_id) DO UPDATE SET public_key = excluded.public_key, signature = excluded.signature`,
    [
      userId,
      deviceId,
      oneTime.map((k) => k.kind),
      oneTime.map((k) => k.key.keyId),
      oneTime.map((k) => bytea(k.key.publicKey)),
      oneTime.map((k) => bytea(k.key.signature)),
    ],
  );
}

async function countKeys(client: Queryable, { userId, deviceId }: DeviceAddress): Promise<PreKeyCounts> {
  const { rows } = await client.query<{ kind: 'ec' | 'kyber'; n: number }>(
    'SELECT kind, count(*)::bigint AS n FROM one_time_prekeys WHERE user_id = $1 AND device_id = $2 GROUP BY kind',
    [userId, deviceId],
  );
  return {
    oneTimePreKeys: rows.find((r) => r.kind === 'ec')?.n ?? 0,
    kyberOneTimePreKeys: rows.find((r) => r.kind === 'kyber')?.n ?? 0,
  };
}

async function signedKey(client: Queryable, { userId, deviceId }: DeviceAddress, kind: 'ec' | 'kyber'): Promise<KeyRow | undefined> {
  return (
    await client.query<KeyRow>(
      'SELECT key_id AS "keyId", public_key AS "publicKey", signature FROM signed_prekeys WHERE user_id = $1 AND device_id = $2 AND kind = $3',
      [userId, deviceId, kind],
    )
  ).rows[0];
}

/** Deletes and returns the device's lowest one-time key of a kind (its row is locked by the caller). */
async function takeOneTimeKey(client: Queryable, { userId, deviceId }: DeviceAddress, kind: 'ec' | 'kyber'): Promise<KeyRow | undefined> {
  return (
    await client.query<KeyRow>(
      `DELETE FROM one_time_prekeys WHERE (user_id, device_id, kind, key_id) = (
         SELECT user_id, device_id, kind, key_id FROM one_time_prekeys WHERE user_id = $1 AND device_id = $2 AND kind = $3 ORDER BY key_id LIMIT 1
       ) RETURNING key_id AS "keyId", public_key AS "publicKey", signature`,
      [userId, deviceId, kind],
    )
  ).rows[0];
}

async function openGroupCallsBy(client: Queryable, userId: string): Promise<number> {
  return (await client.query<{ n: number }>('SELECT count(*)::bigint AS n FROM group_calls WHERE creator_user = $1', [userId])).rows[0]!.n;
}

async function insertInvitees(client: Queryable, callId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  // WITH ORDINALITY keeps the order given: invitees are listed as they were invited.
  await client.query(
    `INSERT INTO group_call_invitees (call_id, user_id)
     SELECT $1, u.user_id FROM unnest($2::text[]) WITH ORDINALITY AS u (user_id, n) ORDER BY u.n ON CONFLICT DO NOTHING`,
    [callId, userIds],
  );
}

async function insertCallLink(client: Queryable, link: CallLinkRecord): Promise<boolean> {
  const inserted = await client.query(
    `INSERT INTO call_links (room_id, verifier_hash, encrypted_name, approval, creator_user, created_at, last_used_at, revoked_at, call_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (room_id) DO NOTHING`,
    [link.roomId, bytea(link.verifierHash), bytea(link.encryptedName), link.approval, link.creator, link.createdAt, link.lastUsedAt, link.revokedAt, link.callId],
  );
  return (inserted.rowCount ?? 0) > 0;
}

/** A revoked link keeps only what it takes to answer link_revoked to a holder of the old link. */
async function revokeCallLink(client: Queryable, roomId: string, now: number): Promise<boolean> {
  const revoked = await client.query('UPDATE call_links SET revoked_at = $1, encrypted_name = NULL, call_id = NULL WHERE room_id = $2 AND revoked_at IS NULL', [
    now,
    roomId,
  ]);
  return (revoked.rowCount ?? 0) > 0;
}
