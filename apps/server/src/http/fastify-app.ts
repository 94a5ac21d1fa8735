/**
 * Every listener (API and each app origin) is a Fastify instance made here, so they share the
 * logger, the error shape and the same defaults.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { handleFrameworkError, installErrorHandling } from './http-errors.js';

/**
 * A Fastify instance for one origin, logging through `logger` with the origin's name.
 * `trustedProxies`: the reverse proxies whose `X-Forwarded-For` sets `request.ip` (none: the socket's).
 */
export function createFastifyApp(logger: Logger, origin: string, trustedProxies: readonly string[] = []): FastifyInstance {
  // Typed as Fastify's logger interface so the instance has the plain `FastifyInstance` type.
  const loggerInstance: FastifyBaseLogger = logger.child({ origin }, { serializers: { req: describeRequest } });
  const app = Fastify({
    loggerInstance,
    frameworkErrors: handleFrameworkError,
    // Nothing the API accepts is large; the relay has its own limit on the WebSocket.
    bodyLimit: 64 * 1024,
    // Return to the client fast on shutdown instead of waiting for idle keep-alive sockets.
    forceCloseConnections: 'idle',
    // Believing the header from anyone would let every caller pick its own rate-limit bucket.
    trustProxy: trustedProxies.length > 0 ? [...trustedProxies] : false,
  });
  installErrorHandling(app);
  return app;
}

/**
 * What a request log line says about the request: its route pattern, not its URL. Paths and
 * queries name users, handles and link requests (who looks up whom, a secret request id); none of
 * that belongs in a log.
 */
export function describeRequest(request: FastifyRequest): { method: string; route: string } {
  const route = request.routeOptions?.url ?? '(no route)';
  return { method: request.method, route };
}

/**
 * Closes an instance without cutting requests in flight. Node closes idle keep-alive connections
 * only once, when `close` starts; a connection whose response is still finishing at that moment
 * would then linger until its keep-alive timeout. So idle connections are swept again until the
 * close completes, and whatever remains after `graceMs` is cut.
 */
export async function closeGracefully(app: FastifyInstance, graceMs: number): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), 25);
  const deadline = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}
