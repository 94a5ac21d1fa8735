/**
 * `GET` / `PUT /api/settings/beta`: the signed-in user's beta-program opt-in. The next manifest the
 * user's shell fetches is evaluated with it.
 */
import type { WallClock } from '@parley/clock';
import { BETA_SETTING_PATH, type BetaSetting, BetaSettingSchema } from '@parley/contracts';
import type { FastifyInstance } from 'fastify';
import { type ApiContext, handled, parseOr400, requireDevice } from '../http/api-support.js';
import type { BetaProgramStore } from '../storage/storage.js';

export interface SettingsRoutesOptions extends ApiContext {
  storage: BetaProgramStore;
  clock: WallClock;
}

/** Registers the settings routes. */
export function registerSettingsRoutes(app: FastifyInstance, options: SettingsRoutesOptions): void {
  app.get(
    BETA_SETTING_PATH,
    handled(async (request, reply) => {
      const device = await requireDevice(options, request, reply);
      const answer: BetaSetting = { enabled: await options.storage.betaOptIn(device.userId) };
      return reply.header('cache-control', 'no-store').send(answer);
    }),
  );

  app.put(
    BETA_SETTING_PATH,
    { bodyLimit: 1024 },
    handled(async (request, reply) => {
      const device = await requireDevice(options, request, reply);
      const body = parseOr400(reply, BetaSettingSchema, request.body);
      // Per account, not per device: cohorts follow the person.
      await options.storage.setBetaOptIn(device.userId, body.enabled, options.clock.now());
      const answer: BetaSetting = { enabled: body.enabled };
      return reply.header('cache-control', 'no-store').send(answer);
    }),
  );
}
