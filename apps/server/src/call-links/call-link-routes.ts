/**
 * The call-link routes of `call-links.ts` (contracts). Managing a link needs the creator's device
 * token; reading one needs only the link (room id in the path, verifier in `X-Call-Link-Verifier`):
 * a guest opening a link has no account yet when it shows the link's name, so that read takes an
 * optional token and is rate-limited per address without one. The verifier is sent in a header,
 * not the URL, so it stays out of access logs.
 */
import {
  CallLinkRoomIdSchema,
  CreateCallLinkRequestSchema,
  type CallLinkListSchema,
  ResetCallLinkRequestSchema,
  UpdateCallLinkRequestSchema,
} from '@parley/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { type ApiContext, Answered, handled, parseOr400, requireDevice } from '../http/api-support.js';
import { sendError } from '../http/http-errors.js';
import type { AccountStore } from '../storage/storage.js';
import { type CallLinkActor, type CallLinkDirectory, notFound } from './call-link-directory.js';
import { CallLinkError } from './call-link-error.js';

/** The header carrying a link's verifier (base64url). */
export const CALL_LINK_VERIFIER_HEADER = 'x-call-link-verifier';

export interface CallLinkRoutesOptions extends ApiContext {
  storage: Pick<AccountStore, 'accountById'>;
  links: CallLinkDirectory;
}

/** Registers the call-link routes. */
export function registerCallLinkRoutes(app: FastifyInstance, options: CallLinkRoutesOptions): void {
  const { links } = options;
  const actor = async (request: FastifyRequest, reply: FastifyReply): Promise<CallLinkActor> => {
    const device = await requireDevice(options, request, reply);
    const account = await options.storage.accountById(device.userId);
    return { userId: device.userId, guest: account?.guest ?? false };
  };
  const roomIdOf = (request: FastifyRequest): string => {
    const parsed = CallLinkRoomIdSchema.safeParse((request.params as { roomId?: unknown }).roomId);
    // A malformed room id names no link: the same answer as an unknown one.
    if (!parsed.success) throw notFound();
    return parsed.data;
  };
  const route = (handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    handled(async (request, reply) => {
      try {
        reply.header('cache-control', 'no-store');
        return await handler(request, reply);
      } catch (error) {
        if (error instanceof CallLinkError) throw new Answered(sendError(reply, error.status, error.code, error.message));
        throw error;
      }
    });

  app.post(
    '/api/call-links',
    { bodyLimit: 4096 },
    route(async (request, reply) => {
      const who = await actor(request, reply);
      const body = parseOr400(reply, CreateCallLinkRequestSchema, request.body);
      const link = await links.create(who, body);
      return reply.code(201).send(await links.describe(link));
    }),
  );

  app.get(
    '/api/call-links',
    route(async (request, reply) => {
      const who = await actor(request, reply);
      const answer: z.infer<typeof CallLinkListSchema> = { links: await Promise.all((await links.mine(who.userId)).map((link) => links.describe(link))) };
      return answer;
    }),
  );

  app.get(
    '/api/call-links/:roomId',
    route(async (request, reply) => {
      if (request.headers.authorization !== undefined) await requireDevice(options, request, reply);
      const verifier = request.headers[CALL_LINK_VERIFIER_HEADER];
      if (typeof verifier !== 'string' || verifier === '') {
        return sendError(reply, 400, 'invalid_request', 'Send the link\'s verifier in the X-Call-Link-Verifier header.');
      }
      return links.describe(await links.open(roomIdOf(request), verifier));
    }),
  );

  app.patch(
    '/api/call-links/:roomId',
    { bodyLimit: 4096 },
    route(async (request, reply) => {
      const who = await actor(request, reply);
      const body = parseOr400(reply, UpdateCallLinkRequestSchema, request.body);
      return links.describe(await links.update(who.userId, roomIdOf(request), body));
    }),
  );

  app.post(
    '/api/call-links/:roomId/reset',
    { bodyLimit: 4096 },
    route(async (request, reply) => {
      const who = await actor(request, reply);
      const body = parseOr400(reply, ResetCallLinkRequestSchema, request.body);
      const link = await links.reset(who.userId, roomIdOf(request), body);
      return reply.code(201).send(await links.describe(link));
    }),
  );

  app.delete(
    '/api/call-links/:roomId',
    route(async (request, reply) => {
      const who = await actor(request, reply);
      await links.revoke(who.userId, roomIdOf(request));
      return reply.code(204).send();
    }),
  );
}
