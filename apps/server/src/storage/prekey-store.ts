/**
 * Prekeys: the signed and last-resort keys of each device and its one-time keys, each handed out once.
 */
import type { DeviceAddress } from './account-store.js';

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

/** Most one-time prekeys of each kind stored for one device (disk-limits.ts). */
export interface PreKeyCaps {
  oneTimePreKeys: number;
  kyberOneTimePreKeys: number;
}

/** Prekey uploads, counts and bundle fetches. */
export interface PreKeyStore {
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
}
