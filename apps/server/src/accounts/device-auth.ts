/**
 * Device authentication: a 256-bit random bearer token per device (ARCHITECTURE "Who owns what"),
 * shown once at registration and stored only as its SHA-256. The same check serves the
 * `Authorization` header and the relay's `auth` frame; nothing else parses tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '@parley/bytes';
import type { WallClock } from '@parley/clock';
import type { AccountStore, DeviceAddress } from '../storage/storage.js';

/** Who a request or a relay connection speaks for. */
export type AuthenticatedDevice = DeviceAddress;

/** 32 random bytes as base64url (43 characters). */
export function newDeviceToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A random 128-bit id, base64url (22 characters): user ids, link ids, request ids. */
export function newRandomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 of a secret: what the store keeps instead of the secret itself. */
export function hashSecret(secret: string): Uint8Array {
  return createHash('sha256').update(secret, 'utf8').digest();
}

const DEVICE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer +(\S+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/** How often a device's "last seen" time is written at most: once a minute is enough to list devices. */
const LAST_SEEN_RESOLUTION_MS = 60_000;

/** Looks devices up by token hash. */
export class DeviceAuthenticator {
  constructor(
    private readonly storage: Pick<AccountStore, 'deviceByTokenHash' | 'touchDevice'>,
    private readonly options: { clock: WallClock },
  ) {}

  /** The device a token belongs to, or null. */
  async authenticate(token: string): Promise<AuthenticatedDevice | null> {
    if (!DEVICE_TOKEN.test(token)) return null;
    const hash = hashSecret(token);
    // The lookup is by a hash of a 256-bit secret, so its timing reveals nothing usable; the
    // comparison below is a constant-time backstop in case a backend matches loosely.
    const owner = await this.storage.deviceByTokenHash(hash);
    if (!owner || !constantTimeEqual(owner.tokenHash, hash)) return null;
    const now = this.options.clock.now();
    if (now - owner.lastSeenAt >= LAST_SEEN_RESOLUTION_MS) await this.storage.touchDevice(owner, now);
    return { userId: owner.userId, deviceId: owner.deviceId };
  }

  /** The device named by an `Authorization` header, or null. */
  async authenticateHeader(header: string | undefined): Promise<AuthenticatedDevice | null> {
    const token = bearerToken(header);
    return token === null ? null : this.authenticate(token);
  }
}
