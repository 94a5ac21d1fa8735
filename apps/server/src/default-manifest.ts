/**
 * The embedded default for `manifest.json`: every remote served by this server's own origins, so
 * `npm start` works with nothing configured. A generated file carries a marker and is rewritten at
 * each start (the apps may have been rebuilt); an operator's own file is never touched.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RemoteName, RemoteRelease } from '@parley/contracts';
import { MANIFEST_FILE_NAME, type ManifestFile } from './manifest-route.js';

/** Present in a generated `manifest.json`; delete it to keep your edits across restarts. */
export const GENERATED_MARKER = 'generatedBy';
const MARKER_TEXT = 'parley-server: rewritten at each start; delete this line to keep your own edits';

/** The release a built remote folder amounts to, served at `origin`. */
export function localRelease(distDir: string, origin: string, name: RemoteName): RemoteRelease {
  const entry = readFileSync(join(distDir, 'remoteEntry.js'));
  const mfManifest = JSON.parse(readFileSync(join(distDir, 'mf-manifest.json'), 'utf8')) as {
    metaData?: { name?: string; buildInfo?: { buildVersion?: string } };
  };
  if (mfManifest.metaData?.name !== name) {
    throw new Error(`${distDir} is a build of "${mfManifest.metaData?.name}", not of ${name}`);
  }
  return {
    entry: `${origin}/remoteEntry.js`,
    version: mfManifest.metaData.buildInfo?.buildVersion ?? '0.0.0',
    integrity: `sha384-${createHash('sha384').update(entry).digest('base64')}`,
  };
}

/**
 * Writes the default manifest unless the operator has their own. Remotes that are not built are
 * left out (and reported), so the shell starts without them.
 */
export function writeDefaultManifest(
  dataDir: string,
  remotes: Partial<Record<RemoteName, { distDir: string; origin: string }>>,
): { written: boolean; missing: RemoteName[] } {
  const file = join(dataDir, MANIFEST_FILE_NAME);
  if (existsSync(file) && !readFileSync(file, 'utf8').includes(`"${GENERATED_MARKER}"`)) return { written: false, missing: [] };
  const releases: ManifestFile['remotes'] = {};
  const missing: RemoteName[] = [];
  for (const [name, place] of Object.entries(remotes) as Array<[RemoteName, { distDir: string; origin: string }]>) {
    if (existsSync(join(place.distDir, 'remoteEntry.js'))) releases[name] = localRelease(place.distDir, place.origin, name);
    else missing.push(name);
  }
  writeFileSync(file, `${JSON.stringify({ [GENERATED_MARKER]: MARKER_TEXT, remotes: releases }, null, 2)}\n`);
  return { written: true, missing };
}
