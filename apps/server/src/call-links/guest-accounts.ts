/**
 * Guests (issue 9): a person without an account opens a call link. Their browser registers a
 * temporary account with its own identity key and prekeys, so media keys reach it over Signal
 * sessions like anyone's; the account is flagged `guest`, has a generated handle nobody can look
 * up, and goes away when the guest leaves (DELETE /api/accounts/self) or after
 * GUEST_ACCOUNT_TTL_MS at the latest (the sweep).
 */
import { randomBytes } from 'node:crypto';
import { CreateGuestRequestSchema, GUEST_ACCOUNT_TTL_MS, GUEST_HANDLE_PREFIX, type GuestCreated, RELAY_CLOSE } from '@parley/contracts';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { KEYS_BODY_LIMIT, keysOr400, requireAccountDevice } from '../accounts-routes.js';
import { type ApiContext, KEY_UPLOAD_ROUTE, handled, parseOr400 } from '../api-support.js';
import type { Clock } from '../config.js';
import { hashSecret, newDeviceToken, newRandomId } from '../device-auth.js';
import { sendError } from '../http-errors.js';
import { checkDeviceKeys, parseIdentityKey } from '../prekey-checks.js';
import type { RelayHub } from '../relay-hub.js';
import type { NewDevice, Storage } from '../storage.js';

/**
 * Handles of guests: `guest.` and 16 random hex digits (a valid handle, and obviously a guest's;
 * accounts cannot register one, so `guest.` always means a guest).
 */
export function guestHandle(): string {
  return `${GUEST_HANDLE_PREFIX}${randomBytes(8).toString('hex')}`;
}

export interface GuestRoutesOptions extends ApiContext {
  storage: Storage;
  hub: RelayHub;
  clock: Clock;
}

/** Deletes an account and closes its devices' relay connections. */
export async function deleteAccount(storage: Storage, hub: RelayHub, userId: string): Promise<boolean> {
  const devices = await storage.devices(userId);
  const deleted = await storage.deleteAccount(userId);
  for (const device of devices) {
    hub.closeDevice({ userId, deviceId: device.deviceId }, RELAY_CLOSE.deviceRemoved, 'this account was deleted');
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

/** Removes guest accounts older than GUEST_ACCOUNT_TTL_MS; returns how many. */
export async function sweepGuestAccounts(storage: Storage, hub: RelayHub, clock: Clock, log: Logger): Promise<number> {
  const stale = await storage.guestAccountsCreatedBefore(clock.now() - GUEST_ACCOUNT_TTL_MS + 1);
  for (const userId of stale) await deleteAccount(storage, hub, userId);
  if (stale.length > 0) log.info({ guests: stale.length }, 'expired guest accounts removed');
  return stale.length;
}
