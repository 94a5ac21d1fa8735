/**
 * Device linking: the codes an existing device shows and the requests of the new device.
 */
import type { DeviceAddress, NewDevice } from './account-store.js';

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

/** Link codes and requests, up to the new device's registration. */
export interface DeviceLinkStore {
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
}
