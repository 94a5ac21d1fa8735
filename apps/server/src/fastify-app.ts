/**
 * Every listener (API and each app origin) is a Fastify instance made here, so they share the
 * logger, the error shape and the same defaults.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { handleFrameworkError, installErrorHandling } from './http-errors.js';

/** A Fastify instance for one origin, logging through `logger` with the origin's name. */
export function createFastifyApp(logger: Logger, origin: string): FastifyInstance {
  // Typed as Fastify's logger interface so the instance has the plain `FastifyInstance` type.
  const loggerInstance: FastifyBaseLogger = logger.child({ origin });
  const app = Fastify({
    loggerInstance,
    frameworkErrors: handleFrameworkError,
    // Nothing the API accepts is large; the relay has its own limit on the WebSocket.
    bodyLimit: 64 * 1024,
    // Return to the client fast on shutdown instead of waiting for idle keep-alive sockets.
    forceCloseConnections: 'idle',
  });
  installErrorHandling(app);
  return app;
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
