/**
 * `GET /api/manifest`: which release of each remote this user's shell loads. The rules in the release
 * registry are evaluated for the signed-in user (beta opt-in, sticky percentage buckets, allowlists,
 * the kill switch) and the shell's contract version, on every request, so a `promote` or `kill` is
 * visible to the next fetch. The answer is serialized once and those exact bytes are signed (Ed25519).
 */
import {
  CONTRACT_VERSION,
  type EvaluatedManifest,
  isManifestContractVersion,
  MANIFEST_SCHEMA_VERSION,
  REMOTE_NAMES,
  type RemoteName,
  type SignedManifest,
  majorOf,
} from '@parley/contracts';
import type { WallClock } from '@parley/clock';
import { evaluateRemote } from '@parley/rollout';
import { signManifest } from '@parley/rollout/sign';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../http/api-support.js';
import type { DeviceAuthenticator } from '../accounts/device-auth.js';
import { sendError } from '../http/http-errors.js';
import type { ManifestKeys } from './manifest-keys.js';
import type { ReleaseRegistry } from './release-registry.js';
import type { BetaProgramStore, ReleaseRecord } from '../storage/storage.js';

export const MANIFEST_PATH = '/api/manifest';

export interface ManifestRouteOptions {
  registry: ReleaseRegistry;
  storage: BetaProgramStore;
  keys: ManifestKeys;
  clock: WallClock;
  ttlMs: number;
  auth: DeviceAuthenticator;
  /** Base URL of a remote's own origin, which serves its releases under `/releases/<version>/`. */
  originFor(remote: RemoteName): string | undefined;
}

/** The release URL a browser loads: relative entries live on the remote's own origin. */
export function entryUrl(release: ReleaseRecord, origin: string | undefined): string | null {
  if (/^https?:\/\//.test(release.entry)) return release.entry;
  return origin ? `${origin.replace(/\/$/, '')}${release.entry}` : null;
}

/** Evaluates every remote's rules for one user at time `now`. */
export async function evaluateManifest(
  options: Pick<ManifestRouteOptions, 'registry' | 'originFor'>,
  input: { userId: string; beta: boolean; contractVersion: string; now: number; ttlMs: number },
): Promise<EvaluatedManifest> {
  const remotes: EvaluatedManifest['remotes'] = {};
  const withheld: NonNullable<EvaluatedManifest['withheld']> = {};
  for (const name of REMOTE_NAMES) {
    const evaluation = evaluateRemote(await options.registry.rolloutRules(name), { userId: input.userId, beta: input.beta }, input.contractVersion);
    if (!evaluation.release) {
      // Offered but unhostable: the shell can tell its user why the remote is missing.
      if (evaluation.reason === 'no-release' && evaluation.incompatible.length > 0) {
        withheld[name] = { reason: 'contract', versions: [...new Set(evaluation.incompatible.map((offer) => offer.version))].slice(0, 16) };
      }
      continue;
    }
    const entry = entryUrl(evaluation.release, options.originFor(name));
    if (entry) remotes[name] = { entry, version: evaluation.release.version, integrity: evaluation.release.integrity };
  }
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    userId: input.userId,
    issuedAt: input.now,
    expiresAt: input.now + input.ttlMs,
    contractVersion: input.contractVersion,
    remotes,
    ...(Object.keys(withheld).length > 0 ? { withheld } : {}),
  };
}

/** Registers `GET /api/manifest` on a Fastify instance. */
export function registerManifestRoute(app: FastifyInstance, options: ManifestRouteOptions): void {
  app.get(MANIFEST_PATH, async (request: FastifyRequest<{ Querystring: { contract?: unknown } }>, reply) => {
    // Evaluated per user and per moment: no cache may keep it, errors included.
    reply.header('cache-control', 'no-store');

    // The manifest's user id is the account's: cohorts follow the person, not the device.
    // The limiting hook has looked the token up already (api-support.ts): no second query.
    const device = await callerOf(options.auth, request);
    if (!device) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, 'unauthorized', 'Send "Authorization: Bearer <device token>".');
    }

    const contractVersion = checkContractVersion(request.query.contract, reply);
    if (contractVersion === null) return reply;

    const manifest = await evaluateManifest(options, {
      userId: device.userId,
      beta: await options.storage.betaOptIn(device.userId),
      contractVersion,
      now: options.clock.now(),
      ttlMs: options.ttlMs,
    });
    // The serialized string is the unit that gets signed, so it is built once here and sent as is.
    const manifestJson = JSON.stringify(manifest);
    const signed: SignedManifest = { manifest: manifestJson, signature: signManifest(manifestJson, options.keys.signing.privateKey, options.keys.signing.keyId) };
    return reply.type('application/json; charset=utf-8').send(signed);
  });
}

/** The shell's contract version if this server can serve it; otherwise answers and returns null. */
function checkContractVersion(raw: unknown, reply: FastifyReply): string | null {
  if (raw === undefined || raw === '') {
    sendError(reply, 400, 'contract_missing', 'Query parameter "contract" (the shell\'s contract version, e.g. 1.0.0) is required.');
    return null;
  }
  if (typeof raw !== 'string' || !isManifestContractVersion(raw)) {
    const shown = typeof raw === 'string' ? `"${raw.slice(0, 40)}"` : 'several values';
    sendError(reply, 400, 'contract_invalid', `Query parameter "contract" must be one semantic version like 1.2.3, got ${shown}.`);
    return null;
  }
  if (majorOf(raw) !== majorOf(CONTRACT_VERSION)) {
    sendError(
      reply,
      409,
      'contract_unsupported',
      `This server evaluates manifests for contract ${majorOf(CONTRACT_VERSION)}.x; the shell speaks ${raw}.`,
    );
    return null;
  }
  return raw;
}
