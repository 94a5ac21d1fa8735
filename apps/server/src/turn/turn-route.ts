/**
 * `GET /api/turn`: short-lived TURN credentials for calls, in coturn's TURN REST scheme
 * (`use-auth-secret`): username `<expiry seconds>:<userId>`, credential
 * base64(HMAC-SHA1(secret, username)). The server shares only the secret with coturn and never
 * stores a credential; coturn checks the HMAC and the expiry itself. Without TURN configured the
 * answer is an empty list: calls use host candidates, as `npm start` on one machine needs.
 */
import { createHmac } from 'node:crypto';
import type { WallClock } from '@parley/clock';
import type { TurnCredentials } from '@parley/contracts';
import type { FastifyInstance } from 'fastify';
import { type ApiContext, handled, requireDevice } from '../http/api-support.js';
import type { TurnConfig } from '../config.js';

export const TURN_PATH = '/api/turn';

export interface TurnRouteOptions extends ApiContext {
  /** Null: no TURN server, answer with no ICE servers. */
  turn: TurnConfig | null;
  clock: WallClock;
}

/** The TURN REST credential for `userId`, valid until `expiresAtSeconds` (unix seconds). */
export function turnRestCredential(secret: string, userId: string, expiresAtSeconds: number): { username: string; credential: string } {
  const username = `${expiresAtSeconds}:${userId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** What `GET /api/turn` answers a signed-in user at `nowMs`. */
export function turnCredentialsFor(turn: TurnConfig | null, userId: string, nowMs: number): TurnCredentials {
  if (!turn) return { iceServers: [], iceTransportPolicy: 'all', expiresAt: null };
  const expiresAtSeconds = Math.floor(nowMs / 1000) + turn.ttlSeconds;
  return {
    iceServers: [{ urls: [...turn.urls], ...turnRestCredential(turn.secret, userId, expiresAtSeconds) }],
    iceTransportPolicy: turn.relayOnly ? 'relay' : 'all',
    expiresAt: expiresAtSeconds * 1000,
  };
}

/** Registers `GET /api/turn` (device token required). */
export function registerTurnRoute(app: FastifyInstance, options: TurnRouteOptions): void {
  app.get(
    TURN_PATH,
    handled(async (request, reply) => {
      const device = await requireDevice(options, request, reply);
      // A credential is a secret for its lifetime: no cache may keep it.
      reply.header('cache-control', 'no-store');
      return turnCredentialsFor(options.turn, device.userId, options.clock.now());
    }),
  );
}
