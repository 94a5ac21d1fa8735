/**
 * What every account, key and link route shares: the body and parameter checks against the
 * contracts' zod schemas, device authentication from the `Authorization` header and the rate
 * limits, each answering in the shared error shape.
 *
 * Rate limits are taken in an `onRequest` hook, before Fastify reads and parses a body: a caller
 * over its limit costs a token lookup, never the parse of a 512 KB key upload.
 */
import { parseBase64 } from '@parley/bytes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { addressBucket } from '../limits/client-address.js';
import type { AuthenticatedDevice, DeviceAuthenticator } from '../accounts/device-auth.js';
import { sendError } from './http-errors.js';
import type { RequestLimiter } from '../limits/shared-rate-limits.js';

/** What a route needs to authenticate and limit its callers. */
export interface ApiContext {
  auth: DeviceAuthenticator;
  /** Authenticated requests, per device. */
  deviceLimiter: RequestLimiter;
  /** Requests without a token, per address (IPv6: per /64). */
  anonymousLimiter: RequestLimiter;
  /** Routes whose body carries signatures to check, per device, on top of the general limit. */
  keyUploadLimiter?: RequestLimiter;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body carries prekeys whose signatures the server checks: limited by `keyUploadLimiter`. */
    keyUpload?: boolean;
    /** Not rate limited (health checks of a load balancer). */
    unlimited?: boolean;
  }
}

/** Route options of a route whose body carries signed prekeys. */
export const KEY_UPLOAD_ROUTE = { config: { keyUpload: true } } as const;

/** Who sent a request, as the limiting hook found out: a device, or nobody (no or a bad token). */
const callers = new WeakMap<FastifyRequest, AuthenticatedDevice | null>();

/**
 * Limits every `/api/` request before its body is read: by device when the token is valid,
 * otherwise by client address; a device's key uploads also by `keyUploadLimiter`.
 */
export function registerCallerLimits(app: FastifyInstance, context: ApiContext): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/') || request.routeOptions.config?.unlimited) return;
    const device = request.headers.authorization === undefined ? null : await context.auth.authenticateHeader(request.headers.authorization);
    callers.set(request, device);
    const key = device ? `device:${device.userId}:${device.deviceId}` : `address:${addressBucket(request.ip)}`;
    // Refusals are the common case under a flood: answered without throwing (no stack to capture).
    const wait = await (device ? context.deviceLimiter : context.anonymousLimiter).take(key);
    if (wait > 0) return answerRateLimited(reply, wait);
    // Without a device (account creation, linking, guests) the address's anonymous limit is the budget.
    if (device && request.routeOptions.config?.keyUpload && context.keyUploadLimiter) {
      const keyWait = await context.keyUploadLimiter.take(key);
      if (keyWait > 0) return answerRateLimited(reply, keyWait, 'key uploads');
    }
  });
}

/** Marks a handled failure: the reply has been sent, the handler just returns it. */
export class Answered extends Error {
  constructor(readonly reply: FastifyReply) {
    super('answered');
  }
}

/** Parses `value` with `schema`, or answers 400 `invalid_request` naming the first issues. */
export function parseOr400<S extends z.ZodType>(reply: FastifyReply, schema: S, value: unknown, what = 'body'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Answered(sendError(reply, 400, 'invalid_request', describeIssues(what, parsed.error)));
}

/**
 * The bytes of a base64 field `parseOr400` accepted; answers 400 `invalid_request` unless it is the
 * canonical encoding (the schemas check the alphabet, not the padding bits).
 */
export function bytesOr400(reply: FastifyReply, text: string, field: string, what = 'body'): Uint8Array<ArrayBuffer> {
  const bytes = parseBase64(text);
  if (bytes) return bytes;
  throw new Answered(sendError(reply, 400, 'invalid_request', `Invalid ${what}: ${field}: not canonical base64`));
}

/** The first few issues of a failed parse, without echoing any value. */
export function describeIssues(what: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `Invalid ${what}: ${parts.join('; ')}${more}`.slice(0, 500);
}

/** The device a request's token names, or null: what the limiting hook found, else looked up now. */
export async function callerOf(auth: DeviceAuthenticator, request: FastifyRequest): Promise<AuthenticatedDevice | null> {
  return callers.has(request) ? (callers.get(request) ?? null) : auth.authenticateHeader(request.headers.authorization);
}

/** The calling device (rate-limited by the hook); answers 401 otherwise. */
export async function requireDevice(context: ApiContext, request: FastifyRequest, reply: FastifyReply): Promise<AuthenticatedDevice> {
  const device = await callerOf(context.auth, request);
  if (!device) {
    reply.header('www-authenticate', 'Bearer');
    throw new Answered(sendError(reply, 401, 'unauthorized', 'Send "Authorization: Bearer <device token>".'));
  }
  return device;
}

/** Answers 429 `rate_limited` with the `retry-after` seconds a client should wait. */
export function answerRateLimited(reply: FastifyReply, retryAfterMs: number, what = 'requests'): FastifyReply {
  const seconds = Math.ceil(retryAfterMs / 1000);
  reply.header('retry-after', String(seconds));
  return sendError(reply, 429, 'rate_limited', `Too many ${what}; retry in ${seconds} s.`);
}

/**
 * Wraps a handler so an `Answered` failure returns its reply; anything else reaches the shared
 * error handler (500, logged without details).
 */
export function handled<R extends FastifyRequest>(
  handler: (request: R, reply: FastifyReply) => Promise<unknown>,
): (request: R, reply: FastifyReply) => Promise<unknown> {
  return async (request, reply) => {
    try {
      return await handler(request, reply);
    } catch (error) {
      if (error instanceof Answered) return error.reply;
      throw error;
    }
  };
}
