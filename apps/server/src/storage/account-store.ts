/**
 * Accounts and their devices: who exists, which device holds which token, and the sweeps that
 * remove devices unseen for long and idle guests (disk-limits.ts).
 */
import type { DeviceKeysUpdate } from './prekey-store.js';

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

/** What became of an unseen device at a sweep. */
export type UnseenDeviceOutcome = 'kept' | 'device_removed' | 'account_deleted';

/** The highest device id an account may reach (Signal's limit, a 7-bit field). */
export const MAX_DEVICE_ID = 127;

/** Accounts and devices: what sign-in, the directory and account removal need. */
export interface AccountStore {
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
  /** Deletes an account with its devices, prekeys, tokens and queued envelopes; false when none. */
  deleteAccount(userId: string): Promise<boolean>;
}

/** What the sweeps of idle guests and long-unseen devices need. */
export interface DeviceSweepStore {
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
