/**
 * Device linking (accounts-api.ts): the existing device gets a one-time code, the new device
 * sends its ephemeral key under that code's id, the existing device answers with the identity key
 * encrypted to that ephemeral key, and the new device registers itself with a provisioning token.
 * The server carries opaque bytes: it never sees the code's secret nor the identity private key.
 */
import { randomBytes } from 'node:crypto';
import {
  type AccountCreated,
  CompleteLinkRequestSchema,
  type LinkCodeSchema,
  LinkProvisionSchema,
  type LinkProvisionedSchema,
  LinkRequestSchema,
} from '@parley/contracts';
import { toBase64 } from '@parley/bytes';
import type { WallClock } from '@parley/clock';
import { EcPublicKey } from '@parley/signal-protocol/verify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { keysOr400, requireAccountDevice, KEYS_BODY_LIMIT, SMALL_BODY_LIMIT } from './accounts-routes.js';
import { type ApiContext, KEY_UPLOAD_ROUTE, bytesOr400, handled, parseOr400 } from '../http/api-support.js';
import { hashSecret, newDeviceToken } from './device-auth.js';
import { sendError } from '../http/http-errors.js';
import { checkDeviceKeys } from './prekey-checks.js';
import type { RelayHub } from '../relay/relay-hub.js';
import type { AccountStore, DeviceLinkStore, NewDevice } from '../storage/storage.js';

/** How long a link code (and a request made with it) is valid. */
export const LINK_CODE_TTL_MS = 10 * 60_000;

export interface LinkRoutesOptions extends ApiContext {
  storage: DeviceLinkStore & Pick<AccountStore, 'accountById'>;
  hub: RelayHub;
  clock: WallClock;
  /** How long a poll waits for the provision before answering 202. */
  pollTimeoutMs: number;
  /**
   * Several nodes on one database: the provision may arrive through another node, whose wake-up
   * does not reach this one, so a waiting poll also re-reads the request this often. Absent: one node.
   */
  recheckMs?: number;
}

const RequestIdParams = z.object({ requestId: z.string().regex(/^[0-9a-f]{32}$/, '32 hex digits') });

/** Registers the device-linking routes. */
export function registerLinkRoutes(app: FastifyInstance, options: LinkRoutesOptions): void {
  const { storage, hub, clock } = options;
  /** Polls waiting for a request's provision, by request hash (hex). */
  const waiters = new Map<string, Set<() => void>>();
  const wake = (key: string) => {
    for (const resolve of waiters.get(key) ?? []) resolve();
    waiters.delete(key);
  };
  // A waiting poll must not hold the server's shutdown for its full 25 s.
  app.addHook('preClose', async () => {
    for (const key of [...waiters.keys()]) wake(key);
  });

  app.post(
    '/api/link/codes',
    { bodyLimit: SMALL_BODY_LIMIT },
    handled(async (request, reply) => {
      const device = await requireAccountDevice(options, storage, request, reply);
      // Hex, so the displayed `<linkId>-<secret>` splits unambiguously at its first "-".
      const code: z.infer<typeof LinkCodeSchema> = { linkId: randomBytes(8).toString('hex'), expiresAt: clock.now() + LINK_CODE_TTL_MS };
      await storage.createLinkCode({ linkId: code.linkId, owner: { userId: device.userId, deviceId: device.deviceId }, expiresAt: code.expiresAt });
      return code;
    }),
  );

  app.post(
    '/api/link/requests',
    { bodyLimit: SMALL_BODY_LIMIT },
    handled(async (request, reply) => {
      const body = parseOr400(reply, LinkRequestSchema, request.body);
      const requestId = randomBytes(16).toString('hex');
      const outcome = await storage.createLinkRequest(
        {
          // Only the hash is stored: the id is what the new device polls with.
          requestHash: hashSecret(requestId),
          linkId: body.linkId,
          ephemeralPublicKey: bytesOr400(reply, body.ephemeralPublicKey, 'ephemeralPublicKey'),
          mac: bytesOr400(reply, body.mac, 'mac'),
        },
        clock.now(),
      );
      switch (outcome.kind) {
        case 'not_found':
          return sendError(reply, 404, 'link_not_found', 'No link code has this id.');
        case 'expired':
          return sendError(reply, 410, 'link_expired', 'This link code has expired; show a new one on the linked device.');
        case 'used':
          return sendError(reply, 410, 'link_expired', 'This link code was used already; show a new one on the linked device.');
        case 'created':
          hub.notify(outcome.owner, {
            t: 'link-request',
            linkId: body.linkId,
            requestId,
            ephemeralPublicKey: body.ephemeralPublicKey,
            mac: body.mac,
          });
          return reply.code(201).send({ requestId });
      }
    }),
  );

  app.post(
    '/api/link/requests/:requestId/provision',
    { bodyLimit: SMALL_BODY_LIMIT },
    handled(async (request, reply) => {
      const device = await requireAccountDevice(options, storage, request, reply);
      const { requestId } = parseOr400(reply, RequestIdParams, request.params, 'path');
      const body = parseOr400(reply, LinkProvisionSchema, request.body);
      const hash = hashSecret(requestId);
      const link = await storage.linkRequest(hash);
      // Another account's request is reported as absent: its existence is not this caller's business.
      if (!link || link.owner.userId !== device.userId) return sendError(reply, 404, 'link_not_found', 'No link request has this id.');
      if (link.expiresAt <= clock.now()) return sendError(reply, 410, 'link_expired', 'This link request has expired.');
      if (!(await storage.provisionLinkRequest(hash, bytesOr400(reply, body.envelope, 'envelope')))) {
        return sendError(reply, 409, 'link_provisioned', 'This link request was answered already.');
      }
      wake(Buffer.from(hash).toString('hex'));
      return reply.code(204).send();
    }),
  );

  app.get(
    '/api/link/requests/:requestId',
    handled(async (request, reply) => {
      const { requestId } = parseOr400(reply, RequestIdParams, request.params, 'path');
      const hash = hashSecret(requestId);
      const key = Buffer.from(hash).toString('hex');
      let link = await storage.linkRequest(hash);
      if (link && !link.envelope && link.completedDeviceId === undefined && link.expiresAt > clock.now()) {
        await new Promise<void>((resolve) => {
          let set = waiters.get(key);
          if (!set) waiters.set(key, (set = new Set()));
          const done = () => {
            clearTimeout(timer);
            clearInterval(recheck);
            set.delete(done);
            if (set.size === 0 && waiters.get(key) === set) waiters.delete(key);
            reply.raw.off('close', done);
            resolve();
          };
          const timer = setTimeout(done, options.pollTimeoutMs);
          const recheck = options.recheckMs
            ? setInterval(() => void storage.linkRequest(hash).then((current) => current?.envelope && done(), () => {}), options.recheckMs)
            : undefined;
          set.add(done);
          // The new device gave up (page closed): stop waiting for it.
          reply.raw.on('close', done);
        });
        link = await storage.linkRequest(hash);
      }
      if (!link || link.completedDeviceId !== undefined) return sendError(reply, 404, 'link_not_found', 'No open link request has this id.');
      if (link.expiresAt <= clock.now()) return sendError(reply, 410, 'link_expired', 'This link request has expired.');
      if (!link.envelope) return reply.code(202).send({ status: 'waiting' });
      // A fresh token per answer, stored hashed: a lost answer is simply polled again.
      const provisioningToken = newDeviceToken();
      await storage.setProvisioningToken(hash, hashSecret(provisioningToken));
      const answer: z.infer<typeof LinkProvisionedSchema> = { envelope: toBase64(link.envelope), provisioningToken };
      return answer;
    }),
  );

  app.post(
    '/api/link/complete',
    { bodyLimit: KEYS_BODY_LIMIT, ...KEY_UPLOAD_ROUTE },
    handled(async (request, reply) => {
      const body = parseOr400(reply, CompleteLinkRequestSchema, request.body);
      const tokenHash = hashSecret(body.provisioningToken);
      const link = await storage.linkRequestByProvisioningToken(tokenHash);
      if (!link) return sendError(reply, 404, 'link_not_found', 'This provisioning token is not valid.');
      const account = await storage.accountById(link.owner.userId);
      if (!account) return sendError(reply, 404, 'link_not_found', 'The account of this link no longer exists.');
      const keys = await keysOr400(reply, () => checkDeviceKeys(EcPublicKey.deserialize(account.identityKey), body.device));
      const token = newDeviceToken();
      const device: NewDevice = { registrationId: body.device.registrationId, tokenHash: hashSecret(token), keys: keys as NewDevice['keys'] };
      const outcome = await storage.completeLink(tokenHash, device, clock.now());
      switch (outcome.kind) {
        case 'not_found':
          return sendError(reply, 404, 'link_not_found', 'This provisioning token is not valid.');
        case 'expired':
          return sendError(reply, 410, 'link_expired', 'This link request has expired.');
        case 'too_many_devices':
          return sendError(reply, 409, 'too_many_devices', 'This account has reached its device limit.');
        case 'linked': {
          request.log.info({ userId: outcome.userId, deviceId: outcome.deviceId }, 'device linked');
          const answer: AccountCreated = { userId: outcome.userId, deviceId: outcome.deviceId, token };
          return reply.code(201).send(answer);
        }
      }
    }),
  );
}
