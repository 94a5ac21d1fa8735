import { describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { DeviceAuthenticator, bearerToken, hashSecret, newDeviceToken } from './device-auth.js';
import type { Storage, TokenOwner } from '../storage/storage.js';

function storeWith(owner: TokenOwner | undefined) {
  const touched: number[] = [];
  const lookups: Uint8Array[] = [];
  const storage = {
    deviceByTokenHash: async (hash: Uint8Array) => {
      lookups.push(hash);
      return owner && Buffer.from(owner.tokenHash).equals(Buffer.from(hash)) ? owner : undefined;
    },
    touchDevice: async (_device: unknown, now: number) => {
      touched.push(now);
    },
  } as unknown as Storage;
  return { storage, touched, lookups };
}

describe('DeviceAuthenticator', () => {
  const token = newDeviceToken();
  const owner: TokenOwner = { userId: 'u', deviceId: 3, tokenHash: hashSecret(token), lastSeenAt: 0 };

  it('makes 256-bit base64url tokens and looks them up by SHA-256 only', async () => {
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const { storage, lookups } = storeWith(owner);
    const auth = new DeviceAuthenticator(storage, { clock: new ManualClock(1) });
    expect(await auth.authenticate(token)).toEqual({ userId: 'u', deviceId: 3 });
    expect(Buffer.from(lookups[0]!).toString('hex')).toHaveLength(64);
    expect(Buffer.from(lookups[0]!).toString()).not.toContain(token);
  });

  it('refuses unknown and malformed tokens without a lookup for the malformed', async () => {
    const { storage, lookups } = storeWith(owner);
    const auth = new DeviceAuthenticator(storage, { clock: new ManualClock(1) });
    expect(await auth.authenticate(newDeviceToken())).toBeNull();
    expect(await auth.authenticate('short')).toBeNull();
    expect(await auth.authenticate('dev.alice')).toBeNull();
    expect(lookups).toHaveLength(1);
  });

  it('writes last-seen at most once a minute', async () => {
    const { storage, touched } = storeWith({ ...owner, lastSeenAt: 100_000 });
    const clock = new ManualClock(130_000);
    const auth = new DeviceAuthenticator(storage, { clock });
    await auth.authenticate(token);
    clock.set(160_000);
    await auth.authenticate(token);
    expect(touched).toEqual([160_000]);
  });

  it('reads the token of a Bearer header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
