/**
 * `GET /api/health`: what a load balancer, the dev start script and the e2e suite wait for.
 */
import type { FastifyInstance } from 'fastify';
import type { StorageKind } from '../storage/storage.js';

export const HEALTH_PATH = '/api/health';

/** The body of a healthy answer. */
export interface HealthBody {
  status: 'ok';
  version: string;
  storage: StorageKind;
}

/** Registers `GET /api/health` on a Fastify instance. */
export function registerHealthRoute(app: FastifyInstance, options: { version: string; storage: StorageKind }): void {
  const body: HealthBody = { status: 'ok', version: options.version, storage: options.storage };
  // A constant answer costs nothing, and a load balancer polling it must never see a 429.
  app.get(HEALTH_PATH, { config: { unlimited: true } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return body;
  });
}
