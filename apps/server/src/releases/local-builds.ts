/**
 * The embedded default for `npm start`: each remote built in `apps/<remote>/dist` is published as a
 * release (at the version its build declares) and made the default, so a fresh clone runs with nothing
 * configured. Idempotent: the same build is published once. A rebuilt dist whose bytes differ from the
 * release already published under its version is never swapped in silently — releases are immutable —
 * so it is published as `<version>-local-<hash8>` instead, and a warning says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RemoteName } from '@parley/contracts';
import { ReleaseError, type ReleaseRegistry, buildHash } from './release-registry.js';
import type { MetaStore } from '../storage/storage.js';

/** Meta key remembering which version the embedded default last made the default of a remote. */
const metaKey = (remote: string) => `embedded_default.${remote}`;

/** The version a build declares (`mf-manifest.json`, from its package.json). */
export function builtVersion(distDir: string): string | null {
  const file = join(distDir, 'mf-manifest.json');
  if (!existsSync(file)) return null;
  const version = (JSON.parse(readFileSync(file, 'utf8')) as { metaData?: { buildInfo?: { buildVersion?: unknown } } }).metaData?.buildInfo?.buildVersion;
  return typeof version === 'string' ? version : null;
}

/** What happened to one remote's local build. */
export type LocalBuildOutcome =
  | { remote: RemoteName; status: 'missing' }
  | { remote: RemoteName; status: 'published' | 'unchanged'; version: string; renamed: boolean; madeDefault: boolean };

/**
 * Publishes each built remote and makes it the default unless an operator has chosen another default
 * since (then their choice stands).
 */
export async function publishLocalBuilds(
  registry: ReleaseRegistry,
  storage: MetaStore,
  builds: Partial<Record<RemoteName, string>>,
): Promise<LocalBuildOutcome[]> {
  // Publishing and choosing the default in one turn (one for all the builds): of nodes starting
  // together on one folder and database, the first publishes each build and makes it the default,
  // the others find them so.
  return registry.exclusively(async () => {
    const outcomes: LocalBuildOutcome[] = [];
    for (const [remote, distDir] of Object.entries(builds) as Array<[RemoteName, string]>) {
      const declared = existsSync(join(distDir, 'remoteEntry.js')) ? builtVersion(distDir) : null;
      outcomes.push(declared ? await publishAsDefault(registry, storage, remote, declared, distDir) : { remote, status: 'missing' });
    }
    return outcomes;
  });
}

/** Publishes one build (renamed if its version holds other bytes) and makes it the default unless an operator chose another. */
async function publishAsDefault(registry: ReleaseRegistry, storage: MetaStore, remote: RemoteName, declared: string, distDir: string): Promise<LocalBuildOutcome> {
  let version = declared;
  let renamed = false;
  let outcome;
  try {
    outcome = await registry.publish({ remote, version, distDir });
  } catch (error) {
    if (!(error instanceof ReleaseError) || error.code !== 'release-exists') throw error;
    version = `${declared}-local-${buildHash(distDir)}`;
    renamed = true;
    outcome = await registry.publish({ remote, version, distDir });
  }
  const { rules } = await registry.currentRules(remote);
  const ours = await storage.getMeta(metaKey(remote));
  let madeDefault = false;
  if (rules.defaultVersion !== version && (rules.defaultVersion === null || rules.defaultVersion === ours)) {
    await registry.setDefault(remote, version);
    await storage.setMeta(metaKey(remote), version);
    madeDefault = true;
  }
  return { remote, status: outcome.status, version, renamed, madeDefault };
}
