/**
 * What the server keeps between restarts, behind an interface so the SQLite default can be
 * swapped for PostgreSQL when scaling out (ARCHITECTURE "Storage and scale"). Methods are async
 * even though SQLite answers synchronously: a network database will not.
 *
 * Keys, signatures and ciphertext cross this interface as bytes; the store never interprets them.
 * Every method that checks and then writes does both in one transaction, so two servers on one
 * PostgreSQL database later keep the same guarantees.
 */

/** Which backend is in use; reported by `/api/health`. */
export type StorageKind = 'sqlite';

/** A migration that has been applied to the store. */
export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: number;
}

/** One device of one account. */
export interface DeviceAddress {
  userId: string;
  deviceId: number;
}

/** An account as stored: the handle is lowercase, the identity key its 33 serialized bytes. */
export interface AccountRecord {
  userId: string;
  handle: string;
  displayName: string;
  identityKey: Uint8Array;
  createdAt: number;
  /** A temporary account of someone who opened a call link without one (issue 9). */
  guest: boolean;
}

export interface DeviceRecord {
  deviceId: number;
  registrationId: number;
  createdAt: number;
  lastSeenAt: number;
}

/** A device found by its token hash. */
export interface TokenOwner extends DeviceAddress {
  tokenHash: Uint8Array;
  lastSeenAt: number;
}

export interface StoredPreKey {
  keyId: number;
  publicKey: Uint8Array;
}

export interface StoredSignedPreKey extends StoredPreKey {
  signature: Uint8Array;
}

/** Keys as uploaded, signatures already checked by the caller. Absent parts are left unchanged. */
export interface DeviceKeysUpdate {
  signedPreKey?: StoredSignedPreKey;
  kyberLastResortPreKey?: StoredSignedPreKey;
  oneTimePreKeys?: StoredPreKey[];
  kyberOneTimePreKeys?: StoredSignedPreKey[];
}

/** A new device's registration: every part present. */
export interface NewDevice {
  registrationId: number;
  tokenHash: Uint8Array;
  keys: Required<DeviceKeysUpdate>;
}

export interface NewAccount {
  userId: string;
  handle: string;
  displayName: string;
  identityKey: Uint8Array;
  device: NewDevice;
  /** A guest's temporary account; false when absent. */
  guest?: boolean;
}

export interface PreKeyCounts {
  oneTimePreKeys: number;
  kyberOneTimePreKeys: number;
}

/** One device's bundle, with the one-time keys this fetch consumed and what it left behind. */
export interface DeviceBundle {
  deviceId: number;
  registrationId: number;
  signedPreKey: StoredSignedPreKey;
  preKey?: StoredPreKey;
  /** A one-time Kyber prekey, or the last-resort one when none was left. */
  kyberPreKey: StoredSignedPreKey;
  remaining: PreKeyCounts;
}

/** Ciphertext for one device, as a `send` carries it. */
export interface OutgoingCiphertext {
  deviceId: number;
  type: number;
  ciphertext: Uint8Array;
}

/** A `send` frame from an authenticated device. */
export interface OutgoingMessage {
  sender: DeviceAddress;
  to: string;
  messageId: string;
  messages: OutgoingCiphertext[];
}

/** A queued envelope for one device; `seq` orders the queue and is the envelope id on the wire. */
export interface QueuedEnvelope {
  seq: number;
  recipient: DeviceAddress;
  sender: DeviceAddress;
  messageId: string;
  type: number;
  ciphertext: Uint8Array;
  serverTimestamp: number;
}

/** What became of one `send`. `envelopes` holds only those queued now (a retry queues none twice). */
export type SubmitOutcome =
  | { kind: 'queued'; envelopes: QueuedEnvelope[] }
  | { kind: 'unknown_user' }
  | { kind: 'devices_changed'; missing: number[]; extra: number[] }
  /** A recipient device's queue is at its quota: nothing of the send was queued. */
  | { kind: 'queue_full' };

/** Most envelopes and ciphertext bytes queued for one recipient device (disk-limits.ts). */
export interface QueueQuota {
  queueEnvelopes: number;
  queueBytes: number;
}

/** Writes of the relay committed together (group commit): new messages and acknowledgements. */
export interface RelayWrites {
  sends: OutgoingMessage[];
  acks: Array<DeviceAddress & { seq: number }>;
  now: number;
  /** Each send is refused (`queue_full`) when it would take a recipient device past this. */
  quota: QueueQuota;
}

/** Most one-time prekeys of each kind stored for one device (disk-limits.ts). */
export interface PreKeyCaps {
  oneTimePreKeys: number;
  kyberOneTimePreKeys: number;
}

/** What became of an unseen device at a sweep. */
export type UnseenDeviceOutcome = 'kept' | 'device_removed' | 'account_deleted';

export interface LinkCodeRecord {
  linkId: string;
  owner: DeviceAddress;
  expiresAt: number;
}

/** A new device's request to join an account, stored under the hash of its id. */
export interface LinkRequestRecord {
  requestHash: Uint8Array;
  linkId: string;
  owner: DeviceAddress;
  ephemeralPublicKey: Uint8Array;
  mac: Uint8Array;
  expiresAt: number;
  /** The existing device's encrypted provisioning message, once sent. */
  envelope?: Uint8Array;
  /** Set once the new device registered. */
  completedDeviceId?: number;
}

/** A request as the new device makes it; it inherits owner and expiry from its code. */
export type NewLinkRequest = Pick<LinkRequestRecord, 'requestHash' | 'linkId' | 'ephemeralPublicKey' | 'mac'>;

export type LinkRequestOutcome = { kind: 'created'; owner: DeviceAddress } | { kind: 'not_found' } | { kind: 'expired' } | { kind: 'used' };

export type CompleteLinkOutcome =
  | { kind: 'linked'; userId: string; deviceId: number }
  | { kind: 'not_found' }
  | { kind: 'expired' }
  | { kind: 'too_many_devices' };

/** A published release of a remote: immutable once written. */
export interface ReleaseRecord {
  remote: string;
  version: string;
  /** `/releases/<version>/remoteEntry.js` on the remote's own origin, or an absolute URL. */
  entry: string;
  /** Subresource Integrity of the entry (`sha384-…`). */
  integrity: string;
  /** Shell contract versions that can host it, e.g. `^1.0.0`. */
  contracts: string;
  publishedAt: number;
}

/** One revision of a remote's rollout rules (JSON of everything but the release list). */
export interface RuleRevision {
  remote: string;
  revision: number;
  /** JSON text; the release registry parses and validates it. */
  rules: string;
  /** What changed, in words, for `status` and the audit trail. */
  change: string;
  /** On a rollback: the revision whose rules it restored. */
  restores: number | null;
  changedAt: number;
}

/** A group call as stored (ARCHITECTURE "Calls"): who may join and which Janus room carries it. */
export interface GroupCallRecord {
  /** Random and unguessable; also the name devices use on the wire. */
  callId: string;
  /** The Janus VideoRoom id (recreated with the same id after a Janus restart). */
  roomId: number;
  creator: string;
  /** Users whose devices may join, the creator included. */
  invitees: string[];
  createdAt: number;
}

/**
 * A call link as stored (call-links.ts in the contracts): a room id, the SHA-256 of the verifier
 * and the encrypted name; never the root secret, the verifier itself or the name in clear.
 */
export interface CallLinkRecord {
  roomId: string;
  verifierHash: Uint8Array;
  /** IV ‖ ciphertext ‖ tag, opaque to the server. */
  encryptedName: Uint8Array | null;
  approval: boolean;
  /** User id of the creator: the link's admin. */
  creator: string;
  createdAt: number;
  lastUsedAt: number;
  /** Set when revoked, or when a reset moved the link to a new room id. */
  revokedAt: number | null;
  /** The link's running group call, if one was started (it may have ended since). */
  callId: string | null;
}

/** What a call link's creator may change, and what the server records on use. */
export interface CallLinkChanges {
  approval?: boolean;
  encryptedName?: Uint8Array | null;
  lastUsedAt?: number;
  callId?: string | null;
}

/** Thresholds (ms since the epoch, inclusive) of one call-link sweep. */
export interface CallLinkSweepTimes {
  expireUnusedSince: number;
  forgetRevokedSince: number;
  forgetUnusedSince: number;
}

/** The highest device id an account may reach (Signal's limit, a 7-bit field). */
export const MAX_DEVICE_ID = 127;

export interface Storage {
  readonly kind: StorageKind;
  /** Creates the store if needed and brings its schema up to date; call once before anything else. */
  open(): Promise<void>;
  /** Applies the migrations not applied yet, in order; returns the versions it applied. */
  migrate(): Promise<number[]>;
  /** Every applied migration, oldest first. */
  appliedMigrations(): Promise<AppliedMigration[]>;
  /** A small key-value record of facts about this installation (e.g. when it was created). */
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  close(): Promise<void>;

  // Accounts and devices.
  /** Creates an account with its first device (id 1); `handle_taken` when the handle exists. */
  createAccount(account: NewAccount, now: number): Promise<'created' | 'handle_taken'>;
  accountById(userId: string): Promise<AccountRecord | undefined>;
  accountByHandle(handle: string): Promise<AccountRecord | undefined>;
  devices(userId: string): Promise<DeviceRecord[]>;
  /** The device holding a token with this SHA-256 hash. */
  deviceByTokenHash(tokenHash: Uint8Array): Promise<TokenOwner | undefined>;
  touchDevice(device: DeviceAddress, now: number): Promise<void>;
  /** Removes a device with its keys, its token and its queue; false when there was none. */
  removeDevice(device: DeviceAddress): Promise<boolean>;

  // Prekeys.
  /**
   * Replaces the signed and last-resort keys given and adds one-time keys (same id: replaced);
   * `too_many_prekeys`, and nothing stored, when a kind would go past `caps`.
   */
  storeKeys(device: DeviceAddress, keys: DeviceKeysUpdate, caps: PreKeyCaps): Promise<'stored' | 'too_many_prekeys'>;
  preKeyCounts(device: DeviceAddress): Promise<PreKeyCounts>;
  /**
   * One bundle per device of the user (or only `deviceId`), each consuming one one-time EC and one
   * one-time Kyber prekey in the same transaction: two fetches never get the same key.
   */
  takePreKeyBundles(userId: string, deviceId?: number): Promise<DeviceBundle[]>;

  // Relay queue.
  /**
   * Checks each send against the recipient's devices and queues the accepted ones, and deletes
   * the acknowledged envelopes, all in ONE durable transaction: once it resolves, every queued
   * envelope survives a crash. Outcomes are in the order of `writes.sends`.
   */
  commitRelayWrites(writes: RelayWrites): Promise<SubmitOutcome[]>;
  /** Envelopes waiting in every device queue (metrics); absent where counting is not cheap. */
  queuedEnvelopeCount?(): Promise<number>;
  /** Queued envelopes of a device after `afterSeq`, oldest first. */
  pendingEnvelopes(device: DeviceAddress, afterSeq: number, limit: number): Promise<QueuedEnvelope[]>;
  /** Deletes envelopes queued (server timestamp) before `time`, in short transactions; returns how many. */
  expireEnvelopes(time: number): Promise<number>;

  // Device linking.
  /** Stores a new code; the owner device's earlier codes not used yet are deleted (one shows at a time). */
  createLinkCode(code: LinkCodeRecord): Promise<void>;
  /** Deletes link codes expired at `now`, with their requests; returns how many codes. */
  sweepLinkCodes(now: number): Promise<number>;
  /** Uses a link code (once) for a new request; answers why not when it cannot. */
  createLinkRequest(request: NewLinkRequest, now: number): Promise<LinkRequestOutcome>;
  linkRequest(requestHash: Uint8Array): Promise<LinkRequestRecord | undefined>;
  /** The request a provisioning token (by its hash) completes, if not completed yet. */
  linkRequestByProvisioningToken(tokenHash: Uint8Array): Promise<LinkRequestRecord | undefined>;
  /** Stores the provisioning message; false when the request already has one. */
  provisionLinkRequest(requestHash: Uint8Array, envelope: Uint8Array): Promise<boolean>;
  /** Replaces the hash of the provisioning token that will complete this request. */
  setProvisioningToken(requestHash: Uint8Array, tokenHash: Uint8Array): Promise<void>;
  /** Registers the new device of a provisioned request, found by its provisioning token's hash. */
  completeLink(provisioningTokenHash: Uint8Array, device: NewDevice, now: number): Promise<CompleteLinkOutcome>;

  // Release registry and rollout rules.
  /** Records a release; `exists` (and nothing written) when that remote already has the version. */
  insertRelease(release: ReleaseRecord): Promise<'published' | 'exists'>;
  /** Every release of a remote, oldest first. */
  releases(remote: string): Promise<ReleaseRecord[]>;
  /** The newest `limit` rule revisions of a remote, newest first (none before the first change). */
  ruleRevisions(remote: string, limit: number): Promise<RuleRevision[]>;
  /**
   * Appends a rule revision if the newest one is still `expectedRevision` (0 for none): two
   * concurrent changes never silently overwrite each other.
   */
  appendRuleRevision(revision: RuleRevision, expectedRevision: number): Promise<'saved' | 'conflict'>;
  /** Whether the user opted in to the beta program. */
  betaOptIn(userId: string): Promise<boolean>;
  setBetaOptIn(userId: string, enabled: boolean, now: number): Promise<void>;

  // Group calls.
  /**
   * Stores a new call with its invitees (the creator among them); `too_many_calls`, and nothing
   * stored, when its creator already has `maxOpenByCreator` calls.
   */
  createGroupCall(call: GroupCallRecord, maxOpenByCreator?: number): Promise<'created' | 'too_many_calls'>;
  /** How many calls created by this user are still running. */
  openGroupCallsBy(userId: string): Promise<number>;
  groupCall(callId: string): Promise<GroupCallRecord | undefined>;
  /** Every call still running, e.g. to end the abandoned ones after a restart. */
  groupCalls(): Promise<GroupCallRecord[]>;
  /** Adds invitees (already invited ones are ignored); false when the call does not exist. */
  addGroupCallInvitees(callId: string, userIds: readonly string[]): Promise<boolean>;
  /** Hands out the call's next participant index, never the same twice; undefined when no such call. */
  takeGroupCallIndex(callId: string): Promise<number | undefined>;
  deleteGroupCall(callId: string): Promise<void>;
  /** Takes a user off a call's invitees (a removal from a link's call). */
  removeGroupCallInvitee(callId: string, userId: string): Promise<void>;

  // Call links (issue 9).
  /** Stores a new link; `exists` when its room id is taken (even by a revoked link). */
  createCallLink(link: CallLinkRecord): Promise<'created' | 'exists'>;
  callLink(roomId: string): Promise<CallLinkRecord | undefined>;
  /** The link (not revoked) whose running call this is. */
  callLinkOfCall(callId: string): Promise<CallLinkRecord | undefined>;
  /** The links a user created that are not revoked (expired ones included), newest first. */
  callLinksOf(userId: string): Promise<CallLinkRecord[]>;
  /** Changes a link that is not revoked; false when there is none. */
  updateCallLink(roomId: string, changes: CallLinkChanges): Promise<boolean>;
  /**
   * Moves a live link to a new room id and verifier, in one transaction: the new row takes over
   * approval, creator, creation time and call; the old row stays as a revoked tombstone.
   */
  resetCallLink(roomId: string, next: { roomId: string; verifierHash: Uint8Array; encryptedName: Uint8Array | null }, now: number): Promise<'reset' | 'not_found' | 'exists'>;
  /** Revokes a live link (its name and call are dropped, the row stays as a tombstone); false when none. */
  revokeCallLink(roomId: string, now: number): Promise<boolean>;
  /**
   * Expiry: links unused since `expireUnusedSince` lose their name and call (returned, so their
   * calls can be ended); rows revoked or unused since the `forget…` times are deleted.
   */
  sweepCallLinks(times: CallLinkSweepTimes): Promise<{ expired: CallLinkRecord[]; forgotten: number }>;
  /** Marks a user as removed from a link's call (they must be admitted again); gone with the call. */
  setCallLinkRemoval(callId: string, userId: string, removed: boolean): Promise<void>;
  callLinkRemoved(callId: string, userId: string): Promise<boolean>;

  // Guests and account deletion.
  /** Deletes an account with its devices, prekeys, tokens and queued envelopes; false when none. */
  deleteAccount(userId: string): Promise<boolean>;
  /** User ids of guest accounts none of whose devices was seen at or after `seenBefore`. */
  idleGuestAccounts(seenBefore: number): Promise<string[]>;
  /** Up to `limit` devices last seen before `seenBefore`, longest unseen first. */
  unseenDevices(seenBefore: number, limit: number): Promise<DeviceAddress[]>;
  /**
   * Removes a device still unseen since `seenBefore` (checked in the same transaction), like
   * removeDevice; its account goes too when it was the last device.
   */
  dropUnseenDevice(device: DeviceAddress, seenBefore: number): Promise<UnseenDeviceOutcome>;
}
