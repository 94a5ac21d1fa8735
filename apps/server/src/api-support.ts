/**
 * What every account, key and link route shares: the body and parameter checks against the
 * contracts' zod schemas, device authentication from the `Authorization` header and the rate
 * limits, each answering in the shared error shape.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AuthenticatedDevice, DeviceAuthenticator } from './device-auth.js';
import { sendError } from './http-errors.js';
import type { RateLimiter } from './rate-limiter.js';

/** What a route needs to authenticate and limit its callers. */
export interface ApiContext {
  auth: DeviceAuthenticator;
  /** Authenticated requests, per device. */
  deviceLimiter: RateLimiter;
  /** Requests without a token, per address. */
  anonymousLimiter: RateLimiter;
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

/** The first few issues of a failed parse, without echoing any value. */
export function describeIssues(what: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `Invalid ${what}: ${parts.join('; ')}${more}`.slice(0, 500);
}

/** The calling device, rate-limited; answers 401 or 429 otherwise. */
export async function requireDevice(context: ApiContext, request: FastifyRequest, reply: FastifyReply): Promise<AuthenticatedDevice> {
  const device = await context.auth.authenticateHeader(request.headers.authorization);
  if (!device) {
    reply.header('www-authenticate', 'Bearer');
    throw new Answered(sendError(reply, 401, 'unauthorized', 'Send "Authorization: Bearer <device token>".'));
  }
  limit(reply, context.deviceLimiter.take(`${device.userId}:${device.deviceId}`));
  return device;
}

/** Rate-limits a caller without a token by its address; answers 429 when over. */
export function limitAnonymous(context: ApiContext, request: FastifyRequest, reply: FastifyReply): void {
  limit(reply, context.anonymousLimiter.take(request.ip));
}

function limit(reply: FastifyReply, retryAfterMs: number): void {
  if (retryAfterMs === 0) return;
  reply.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
  throw new Answered(sendError(reply, 429, 'rate_limited', `Too many requests; retry in ${Math.ceil(retryAfterMs / 1000)} s.`));
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
