/**
 * The rows both SQL backends read, and how they become records: the SELECTs (aliases quoted, which
 * SQLite and PostgreSQL both keep as written) and the mappers from driver values (Buffers; flags
 * as SQLite's 0/1 or PostgreSQL's booleans) to the records of the store interfaces.
 */
import type { AccountRecord, DeviceAddress } from './account-store.js';
import type { CallLinkRecord } from './call-link-store.js';
import type { LinkRequestRecord } from './device-link-store.js';
import type { StoredPreKey, StoredSignedPreKey } from './prekey-store.js';
import type { QueuedEnvelope } from './relay-queue-store.js';

export const ACCOUNT_SELECT = `SELECT user_id AS "userId", handle, display_name AS "displayName", identity_key AS "identityKey",
  created_at AS "createdAt", guest FROM accounts`;
export const GROUP_CALL_SELECT = 'SELECT call_id AS "callId", room_id AS "roomId", creator_user AS creator, created_at AS "createdAt", locked_members AS "lockedMembers" FROM group_calls';
export const CALL_LINK_SELECT = `SELECT room_id AS "roomId", verifier_hash AS "verifierHash", encrypted_name AS "encryptedName", approval,
  creator_user AS creator, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt", call_id AS "callId" FROM call_links`;
export const LINK_REQUEST_SELECT = `
  SELECT r.request_hash AS "requestHash", r.link_id AS "linkId", c.user_id AS "userId", c.device_id AS "deviceId",
         r.ephemeral_public_key AS "ephemeralPublicKey", r.mac, r.expires_at AS "expiresAt", r.envelope,
         r.completed_device_id AS "completedDeviceId"
  FROM link_requests r JOIN link_codes c ON c.link_id = r.link_id`;

/** A flag column: INTEGER 0/1 on SQLite, BOOLEAN on PostgreSQL. */
type Flag = number | boolean;

export interface AccountRow extends Omit<AccountRecord, 'identityKey' | 'guest'> {
  identityKey: Buffer;
  guest: Flag;
}

export interface KeyRow {
  keyId: number;
  publicKey: Buffer;
  signature: Buffer | null;
}

export interface EnvelopeRow {
  seq: number;
  senderUser: string;
  senderDevice: number;
  messageId: string;
  type: number;
  ciphertext: Buffer;
  serverTimestamp: number;
}

export interface CallLinkRow extends Omit<CallLinkRecord, 'verifierHash' | 'encryptedName' | 'approval'> {
  verifierHash: Buffer;
  encryptedName: Buffer | null;
  approval: Flag;
}

export interface LinkRequestRow {
  requestHash: Buffer;
  linkId: string;
  userId: string;
  deviceId: number;
  ephemeralPublicKey: Buffer;
  mac: Buffer;
  expiresAt: number;
  envelope: Buffer | null;
  completedDeviceId: number | null;
}

const isSet = (flag: Flag) => flag === true || flag === 1;

export function toAccount(row: AccountRow | undefined): AccountRecord | undefined {
  return row && { ...row, identityKey: new Uint8Array(row.identityKey), guest: isSet(row.guest) };
}

export function toKey(row: KeyRow): StoredPreKey {
  return { keyId: row.keyId, publicKey: new Uint8Array(row.publicKey) };
}

export function toSignedKey(row: KeyRow): StoredSignedPreKey {
  return { ...toKey(row), signature: new Uint8Array(row.signature ?? []) };
}

export function toEnvelope(row: EnvelopeRow, recipient: DeviceAddress): QueuedEnvelope {
  return {
    seq: row.seq,
    recipient,
    sender: { userId: row.senderUser, deviceId: row.senderDevice },
    messageId: row.messageId,
    type: row.type,
    ciphertext: row.ciphertext,
    serverTimestamp: row.serverTimestamp,
  };
}

export function toCallLink(row: CallLinkRow | undefined): CallLinkRecord | undefined {
  return (
    row && {
      ...row,
      verifierHash: new Uint8Array(row.verifierHash),
      encryptedName: row.encryptedName ? new Uint8Array(row.encryptedName) : null,
      approval: isSet(row.approval),
    }
  );
}

export function toLinkRequest(row: LinkRequestRow): LinkRequestRecord {
  return {
    requestHash: new Uint8Array(row.requestHash),
    linkId: row.linkId,
    owner: { userId: row.userId, deviceId: row.deviceId },
    ephemeralPublicKey: new Uint8Array(row.ephemeralPublicKey),
    mac: new Uint8Array(row.mac),
    expiresAt: row.expiresAt,
    ...(row.envelope ? { envelope: new Uint8Array(row.envelope) } : {}),
    ...(row.completedDeviceId !== null ? { completedDeviceId: row.completedDeviceId } : {}),
  };
}

/** The `lockedFor` of a group call from its stored `locked_members` (JSON, or NULL when unlocked). */
export function lockOf(lockedMembers: string | null): { lockedFor?: string[] } {
  return lockedMembers === null ? {} : { lockedFor: JSON.parse(lockedMembers) as string[] };
}
