/**
 * `GET /api/manifest`: which release of each remote this user's shell loads. For now the releases
 * come from `<dataDir>/manifest.json`, read on every request so an edit takes effect at once; the
 * release-train issue replaces the file with the release registry, cohort rules and a signature.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CONTRACT_VERSION,
  type EvaluatedManifest,
  EvaluatedManifestSchema,
  MANIFEST_SCHEMA_VERSION,
  type SignedManifest,
  majorOf,
} from '@parley/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from './config.js';
import type { DeviceAuthenticator } from './device-auth.js';
import { sendError } from './http-errors.js';

export const MANIFEST_PATH = '/api/manifest';
/** Name of the releases file in the data folder. */
export const MANIFEST_FILE_NAME = 'manifest.json';

/** `manifest.json`: the release each remote serves to everyone, until cohorts exist. */
export const ManifestFileSchema = z.object({ remotes: EvaluatedManifestSchema.shape.remotes });
export type ManifestFile = z.infer<typeof ManifestFileSchema>;

export interface ManifestRouteOptions {
  dataDir: string;
  clock: Clock;
  ttlMs: number;
  auth: DeviceAuthenticator;
}

/** Evaluates the manifest for one user and shell contract version at time `now`. */
export function evaluateManifest(input: {
  userId: string;
  contractVersion: string;
  remotes: ManifestFile['remotes'];
  now: number;
  ttlMs: number;
}): EvaluatedManifest {
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    userId: input.userId,
    issuedAt: input.now,
    expiresAt: input.now + input.ttlMs,
    contractVersion: input.contractVersion,
    remotes: input.remotes,
  };
}

/** Registers `GET /api/manifest` on a Fastify instance. */
export function registerManifestRoute(app: FastifyInstance, options: ManifestRouteOptions): void {
  const file = join(options.dataDir, MANIFEST_FILE_NAME);

  app.get(MANIFEST_PATH, async (request: FastifyRequest<{ Querystring: { contract?: unknown } }>, reply) => {
    // Evaluated per user and per moment: no cache may keep it, errors included.
    reply.header('cache-control', 'no-store');

    // The manifest's user id is the account's: cohorts follow the person, not the device.
    const device = await options.auth.authenticateHeader(request.headers.authorization);
    if (!device) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, 'unauthorized', 'Send "Authorization: Bearer <device token>".');
    }

    const contractVersion = checkContractVersion(request.query.contract, reply);
    if (contractVersion === null) return reply;

    const remotes = await readReleases(file, request, reply);
    if (remotes === null) return reply;

    const manifest = evaluateManifest({
      userId: device.userId,
      contractVersion,
      remotes,
      now: options.clock.now(),
      ttlMs: options.ttlMs,
    });
    // The serialized string is the unit that gets signed, so it is built once here and sent as is.
    const signed: SignedManifest = { manifest: JSON.stringify(manifest), signature: null };
    return reply.type('application/json; charset=utf-8').send(signed);
  });
}

/** The shell's contract version if this server can serve it; otherwise answers and returns null. */
function checkContractVersion(raw: unknown, reply: FastifyReply): string | null {
  if (raw === undefined || raw === '') {
    sendError(reply, 400, 'contract_missing', 'Query parameter "contract" (the shell\'s contract version, e.g. 1.0.0) is required.');
    return null;
  }
  if (typeof raw !== 'string' || !EvaluatedManifestSchema.shape.contractVersion.safeParse(raw).success) {
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

/** The releases in `manifest.json` (none when the file is absent); otherwise answers and returns null. */
async function readReleases(file: string, request: FastifyRequest, reply: FastifyReply): Promise<ManifestFile['remotes'] | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // No file yet is a normal state on a fresh install: the shell runs with no remotes.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the file, which is why only the fact is logged.
    request.log.error({ file }, 'manifest file is not valid JSON');
    sendError(reply, 500, 'manifest_invalid', 'The server\'s manifest file is not valid JSON; see the server log.');
    return null;
  }
  const parsed = ManifestFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code, message: issue.message }));
    request.log.error({ file, issues }, 'manifest file does not match the schema');
    sendError(reply, 500, 'manifest_invalid', 'The server\'s manifest file does not match the schema; see the server log.');
    return null;
  }
  return parsed.data.remotes;
}
