/**
 * The accounts, users, prekeys and devices routes of `accounts-api.ts` (the contract with the
 * clients). Keys are checked with the identity key before they are stored; a bundle fetch consumes
 * one-time prekeys and tells their device over the relay when it runs low.
 */
import {
  type AccountCreated,
  CreateAccountRequestSchema,
  DeviceIdSchema,
  type DeviceListSchema,
  HandleSchema,
  PREKEY_LOW_WATERMARK,
  type PreKeyBundles,
  type PreKeyCountSchema,
  UploadKeysRequestSchema,
  type User,
} from '@parley/contracts';
import { toBase64 } from '@parley/bytes';
import type { WallClock } from '@parley/clock';
import { EcPublicKey } from '@parley/signal-protocol/verify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type ApiContext, Answered, KEY_UPLOAD_ROUTE, answerRateLimited, handled, parseOr400, requireDevice } from '../http/api-support.js';
import type { DiskLimits } from '../limits/disk-limits.js';
import { type AuthenticatedDevice, hashSecret, newDeviceToken, newRandomId } from './device-auth.js';
import { sendError } from '../http/http-errors.js';
import type { RequestLimiter } from '../limits/shared-rate-limits.js';
import { PreKeyRejected, checkDeviceKeys, parseIdentityKey } from './prekey-checks.js';
import type { RelayHub } from '../relay/relay-hub.js';
import type { AccountRecord, AccountStore, DeviceBundle, NewDevice, PreKeyStore, StoredPreKey, StoredSignedPreKey } from '../storage/storage.js';

/** Account creation and key uploads carry up to 100 Kyber keys of ~2.1 KB each in base64. */
export const KEYS_BODY_LIMIT = 512 * 1024;
/** Every other body is small. */
export const SMALL_BODY_LIMIT = 16 * 1024;

export interface AccountsRoutesOptions extends ApiContext {
  storage: AccountStore & PreKeyStore;
  hub: RelayHub;
  clock: WallClock;
  /** Bundle fetches per (requesting device, target user); absent: only the general limit. */
  bundleFetchLimiter?: RequestLimiter;
  /** One-time prekeys stored per device, per kind. */
  preKeyCaps: Pick<DiskLimits, 'oneTimePreKeys' | 'kyberOneTimePreKeys'>;
}

const UserIdParams = z.object({ userId: z.string().min(1).max(64) });
const DeviceParams = z.object({ userId: z.string().min(1).max(64), deviceId: z.coerce.number().pipe(DeviceIdSchema) });
const DeviceIdParams = z.object({ deviceId: z.coerce.number().pipe(DeviceIdSchema) });
const HandleQuery = z.object({ handle: z.string().max(64).transform((h) => h.toLowerCase()).pipe(HandleSchema) });

/** Registers the accounts, users, keys and devices routes. */
export function registerAccountsRoutes(app: FastifyInstance, options: AccountsRoutesOptions): void {
  const { storage, hub, clock } = options;

  app.post(
    '/api/accounts',
    { bodyLimit: KEYS_BODY_LIMIT, ...KEY_UPLOAD_ROUTE },
    handled(async (request, reply) => {
      const body = parseOr400(reply, CreateAccountRequestSchema, request.body);
      const identity = await keysOr400(reply, () => parseIdentityKey(body.identityKey));
      const keys = await keysOr400(reply, () => checkDeviceKeys(identity.key, body.device));
      const token = newDeviceToken();
      const userId = newRandomId();
      const device: NewDevice = { registrationId: body.device.registrationId, tokenHash: hashSecret(token), keys: keys as NewDevice['keys'] };
      const created = await storage.createAccount(
        { userId, handle: body.handle, displayName: body.displayName, identityKey: identity.bytes, device },
        clock.now(),
      );
      if (created === 'handle_taken') return sendError(reply, 409, 'handle_taken', `The handle "${body.handle}" is taken.`);
      request.log.info({ userId }, 'account created');
      const answer: AccountCreated = { userId, deviceId: 1, token };
      return reply.code(201).send(answer);
    }),
  );

  app.get(
    '/api/users',
    handled(async (request, reply) => {
      await requireDevice(options, request, reply);
      const { handle } = parseOr400(reply, HandleQuery, request.query, 'query');
      const account = await storage.accountByHandle(handle);
      // Guests (call links) have a generated handle nobody should find them by.
      return userOr404(reply, storage, account?.guest ? undefined : account);
    }),
  );

  app.get(
    '/api/users/:userId',
    handled(async (request, reply) => {
      await requireDevice(options, request, reply);
      const { userId } = parseOr400(reply, UserIdParams, request.params, 'path');
      return userOr404(reply, storage, await storage.accountById(userId));
    }),
  );

  const bundles = async (request: FastifyRequest, reply: FastifyReply, requester: AuthenticatedDevice, userId: string, deviceId?: number) => {
    // Each fetch consumes one-time prekeys: one requester fetching one target over and over would
    // leave that target's contacts with only the last-resort keys (weaker forward secrecy).
    const wait = (await options.bundleFetchLimiter?.take(`${requester.userId}:${requester.deviceId}>${userId}`)) ?? 0;
    if (wait > 0) return answerRateLimited(reply, wait, 'key fetches for this user');
    const account = await storage.accountById(userId);
    if (!account) return sendError(reply, 404, 'user_not_found', 'No account has this user id.');
    const devices = await storage.takePreKeyBundles(userId, deviceId);
    if (deviceId !== undefined && devices.length === 0) return sendError(reply, 404, 'device_not_found', `The user has no device ${deviceId}.`);
    for (const device of devices) {
      const { oneTimePreKeys, kyberOneTimePreKeys } = device.remaining;
      if (oneTimePreKeys < PREKEY_LOW_WATERMARK || kyberOneTimePreKeys < PREKEY_LOW_WATERMARK) {
        hub.notify({ userId, deviceId: device.deviceId }, { t: 'prekeys-low', oneTimePreKeys, kyberOneTimePreKeys });
      }
    }
    request.log.debug({ userId, devices: devices.length }, 'prekey bundles fetched');
    const answer: PreKeyBundles = { userId, identityKey: toBase64(account.identityKey), devices: devices.map(bundleOut) };
    return answer;
  };

  app.get(
    '/api/keys/:userId',
    handled(async (request, reply) => {
      const requester = await requireDevice(options, request, reply);
      const { userId } = parseOr400(reply, UserIdParams, request.params, 'path');
      return bundles(request, reply, requester, userId);
    }),
  );

  app.get(
    '/api/keys/:userId/:deviceId',
    handled(async (request, reply) => {
      const requester = await requireDevice(options, request, reply);
      const { userId, deviceId } = parseOr400(reply, DeviceParams, request.params, 'path');
      return bundles(request, reply, requester, userId, deviceId);
    }),
  );

  app.put(
    '/api/keys',
    { bodyLimit: KEYS_BODY_LIMIT, ...KEY_UPLOAD_ROUTE },
    handled(async (request, reply) => {
      const device = await requireAccountDevice(options, storage, request, reply);
      const body = parseOr400(reply, UploadKeysRequestSchema, request.body);
      const identityKey = EcPublicKey.deserialize(device.account.identityKey);
      const keys = await keysOr400(reply, () => checkDeviceKeys(identityKey, body));
      // Refused rather than trimmed: an honest client uploads a batch only when it runs low, so
      // going past the cap means a client bug or a flood, and it should hear so, not lose keys silently.
      if ((await storage.storeKeys(device, keys, options.preKeyCaps)) === 'too_many_prekeys') {
        const { oneTimePreKeys, kyberOneTimePreKeys } = options.preKeyCaps;
        return sendError(reply, 409, 'too_many_prekeys', `A device stores at most ${oneTimePreKeys} one-time and ${kyberOneTimePreKeys} one-time Kyber prekeys; upload more once they run low.`);
      }
      return reply.code(204).send();
    }),
  );

  app.get(
    '/api/keys',
    handled(async (request, reply) => {
      const device = await requireAccountDevice(options, storage, request, reply);
      const counts: z.infer<typeof PreKeyCountSchema> = await storage.preKeyCounts(device);
      return counts;
    }),
  );

  app.get(
    '/api/devices',
    handled(async (request, reply) => {
      const device = await requireAccountDevice(options, storage, request, reply);
      const answer: z.infer<typeof DeviceListSchema> = { devices: await storage.devices(device.userId) };
      return answer;
    }),
  );

  // "Sign out of this browser" (issue 21): the device goes with its token, prekeys and queue. The
  // browser wipes its keys, so the last device leaving takes the account along: nobody holds its
  // identity key any more, and a handle nobody can use is freed.
  app.delete(
    '/api/devices/self',
    handled(async (request, reply) => {
      const device = await requireAccountDevice(options, storage, request, reply);
      const others = (await storage.devices(device.userId)).filter((d) => d.deviceId !== device.deviceId);
      if (others.length === 0) await storage.deleteAccount(device.userId);
      else await storage.removeDevice({ userId: device.userId, deviceId: device.deviceId });
      hub.closeDevice({ userId: device.userId, deviceId: device.deviceId }, 'deviceRemoved', 'this device signed out');
      request.log.info({ userId: device.userId, deviceId: device.deviceId, accountDeleted: others.length === 0 }, 'device signed out');
      return reply.code(204).send();
    }),
  );

  app.delete(
    '/api/devices/:deviceId',
    handled(async (request, reply) => {
      const device = await requireAccountDevice(options, storage, request, reply);
      const { deviceId } = parseOr400(reply, DeviceIdParams, request.params, 'path');
      if (deviceId === device.deviceId) {
        return sendError(reply, 400, 'cannot_remove_self', 'A device cannot remove itself; remove it from another device.');
      }
      const removed = await storage.removeDevice({ userId: device.userId, deviceId });
      if (!removed) return sendError(reply, 404, 'device_not_found', `This account has no device ${deviceId}.`);
      // Its token, keys and queue are gone with it; its open socket goes too.
      hub.closeDevice({ userId: device.userId, deviceId }, 'deviceRemoved', 'this device was removed from its account');
      request.log.info({ userId: device.userId, deviceId }, 'device removed');
      return reply.code(204).send();
    }),
  );
}

/** The calling device and its account; a device whose account is gone gets 403. */
export async function requireAccountDevice(
  context: ApiContext,
  storage: Pick<AccountStore, 'accountById'>,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<AuthenticatedDevice & { account: AccountRecord }> {
  const device = await requireDevice(context, request, reply);
  const account = await storage.accountById(device.userId);
  if (!account) throw new Answered(sendError(reply, 403, 'no_account', 'This identity has no account; create one first.'));
  return { ...device, account };
}

/** Runs a key check, answering 400 `invalid_key` / `invalid_signature`, or 503 `busy`, when it fails. */
export async function keysOr400<T>(reply: FastifyReply, check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof PreKeyRejected)) throw error;
    if (error.code === 'busy') reply.header('retry-after', '2');
    throw new Answered(sendError(reply, error.code === 'busy' ? 503 : 400, error.code, error.message));
  }
}

async function userOr404(reply: FastifyReply, storage: Pick<AccountStore, 'devices'>, account: AccountRecord | undefined): Promise<User | FastifyReply> {
  if (!account) return sendError(reply, 404, 'user_not_found', 'No account has this handle or id.');
  const devices = await storage.devices(account.userId);
  return {
    userId: account.userId,
    handle: account.handle,
    displayName: account.displayName,
    identityKey: toBase64(account.identityKey),
    devices: devices.map((d) => ({ deviceId: d.deviceId, registrationId: d.registrationId })),
  };
}

const keyOut = (key: StoredPreKey) => ({ keyId: key.keyId, publicKey: toBase64(key.publicKey) });
const signedKeyOut = (key: StoredSignedPreKey) => ({ ...keyOut(key), signature: toBase64(key.signature) });

function bundleOut(device: DeviceBundle): PreKeyBundles['devices'][number] {
  return {
    deviceId: device.deviceId,
    registrationId: device.registrationId,
    signedPreKey: signedKeyOut(device.signedPreKey),
    ...(device.preKey ? { preKey: keyOut(device.preKey) } : {}),
    kyberPreKey: signedKeyOut(device.kyberPreKey),
  };
}
