/**
 * Guests (issue 9): a person without an account opens a call link. Their browser registers a
 * temporary account with its own identity key and prekeys, so media keys reach it over Signal
 * sessions like anyone's; the account is flagged `guest`, has a generated handle nobody can look
 * up, and goes away when the guest leaves (DELETE /api/accounts/self) or once idle: none of its
 * devices connected to the relay nor seen for DiskLimits.guestIdleMs (the storage sweep).
 */
import { randomBytes } from 'node:crypto';
import type { WallClock } from '@parley/clock';
import { CreateGuestRequestSchema, GUEST_HANDLE_PREFIX, type GuestCreated } from '@parley/contracts';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { KEYS_BODY_LIMIT, keysOr400, requireAccountDevice } from '../accounts/accounts-routes.js';
import { type ApiContext, KEY_UPLOAD_ROUTE, handled, parseOr400 } from '../http/api-support.js';
import { hashSecret, newDeviceToken, newRandomId } from '../accounts/device-auth.js';
import { sendError } from '../http/http-errors.js';
import { checkDeviceKeys, parseIdentityKey } from '../accounts/prekey-checks.js';
import type { RelayHub } from '../relay/relay-hub.js';
import type { AccountStore, DeviceSweepStore, NewDevice } from '../storage/storage.js';

/**
 * Handles of guests: `guest.` and 16 random hex digits (a valid handle, and obviously a guest's;
 * accounts cannot register one, so `guest.` always means a guest).
 */
export function guestHandle(): string {
  return `${GUEST_HANDLE_PREFIX}${randomBytes(8).toString('hex')}`;
}

export interface GuestRoutesOptions extends ApiContext {
  storage: AccountStore;
  hub: RelayHub;
  clock: WallClock;
}

/** Deletes an account and closes its devices' relay connections. */
export async function deleteAccount(storage: AccountStore, hub: RelayHub, userId: string): Promise<boolean> {
  const devices = await storage.devices(userId);
  const deleted = await storage.deleteAccount(userId);
  for (const device of devices) {
    hub.closeDevice({ userId, deviceId: device.deviceId }, 'deviceRemoved', 'this account was deleted');
  }
  return deleted;
}

/** Registers POST /api/guests and DELETE /api/accounts/self. */
export function registerGuestRoutes(app: FastifyInstance, options: GuestRoutesOptions): void {
  const { storage, hub, clock } = options;

  app.post(
    '/api/guests',
    { bodyLimit: KEYS_BODY_LIMIT, ...KEY_UPLOAD_ROUTE },
    handled(async (request, reply) => {
      const body = parseOr400(reply, CreateGuestRequestSchema, request.body);
      const identity = await keysOr400(reply, () => parseIdentityKey(body.identityKey));
      const keys = await keysOr400(reply, () => checkDeviceKeys(identity.key, body.device));
      const token = newDeviceToken();
      const userId = newRandomId();
      const device: NewDevice = { registrationId: body.device.registrationId, tokenHash: hashSecret(token), keys: keys as NewDevice['keys'] };
      // 64 random bits: a clash is as good as impossible, and answered by trying once more.
      for (let attempt = 0; attempt < 2; attempt++) {
        const handle = guestHandle();
        const created = await storage.createAccount(
          { userId, handle, displayName: body.displayName, identityKey: identity.bytes, device, guest: true },
          clock.now(),
        );
        if (created === 'created') {
          request.log.info({ userId }, 'guest account created');
          const answer: GuestCreated = { userId, deviceId: 1, token, handle, guest: true };
          return reply.code(201).send(answer);
        }
      }
      return sendError(reply, 500, 'internal', 'Could not pick a free guest handle; try again.');
    }),
  );

  app.delete(
    '/api/accounts/self',
    handled(async (request, reply) => {
      const device = await requireAccountDevice(options, storage, request, reply);
      await deleteAccount(storage, hub, device.userId);
      request.log.info({ userId: device.userId, guest: device.account.guest }, 'account deleted by its owner');
      return reply.code(204).send();
    }),
  );
}

/**
 * Removes idle guest accounts: none of their devices seen for `idleMs` nor connected to the relay
 * now. A guest in a call is connected (the call's signaling rides its relay socket), so a call of
 * any length keeps its guests; a connected one found here is marked seen, so the hour counts from
 * when it disconnects. Returns how many were removed.
 */
export async function sweepGuestAccounts(storage: AccountStore & Pick<DeviceSweepStore, 'idleGuestAccounts'>, hub: RelayHub, clock: WallClock, log: Logger, idleMs: number): Promise<number> {
  const now = clock.now();
  let removed = 0;
  for (const userId of await storage.idleGuestAccounts(now - idleMs + 1)) {
    // SQLite answers synchronously: let the event loop serve requests between two removals.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const connected = (await storage.devices(userId)).filter((device) => hub.connectionOf({ userId, deviceId: device.deviceId }));
    if (connected.length > 0) {
      for (const device of connected) await storage.touchDevice({ userId, deviceId: device.deviceId }, now);
      continue;
    }
    if (await deleteAccount(storage, hub, userId)) removed += 1;
  }
  if (removed > 0) log.info({ guests: removed }, 'idle guest accounts removed');
  return removed;
}
