// The manifest public keys the shell build pins (ARCHITECTURE "Cohort manifest and release train").
// Builds pass them in PARLEY_MANIFEST_KEYS (JSON: [{ keyId, publicKey }], current first, then next).
// The committed development keys of tools/dev are pinned only when asked for by name
// (PARLEY_DEV_MANIFEST_KEYS=1: tests, benchmarks) or by the dev server: their private half is public,
// so a shell that pins them trusts anyone's manifest, and a build that merely forgot the keys must
// fail rather than ship that. The keys are baked into the bundle: the shell never fetches its trust
// anchor from the server it verifies.
import { readFileSync } from 'node:fs';

const DEV_KEYS = new URL('../dev/manifest-dev-keys.public.json', import.meta.url);

/** Why a build refuses to pin no keys; `release keys` prints what PARLEY_MANIFEST_KEYS takes. */
export const NO_PINNED_KEYS_MESSAGE =
  'The shell pins the manifest signing keys at build time, and none were given: set PARLEY_MANIFEST_KEYS to the output of ' +
  '`npx tsx tools/release/src/cli.ts keys --data-dir <the server data folder>` (npm start does this), or PARLEY_DEV_MANIFEST_KEYS=1 ' +
  'to pin the committed development keys of tools/dev, for tests only: their private half is public.';

/**
 * @param {NodeJS.ProcessEnv} [env]
 * @param {{ devServer?: boolean }} [options] `devServer`: the development server, which may pin the development keys.
 * @returns {{ keyId: string, publicKey: string }[]}
 */
export function pinnedManifestKeys(env = process.env, { devServer = false } = {}) {
  if (!env.PARLEY_MANIFEST_KEYS && env.PARLEY_DEV_MANIFEST_KEYS !== '1' && !devServer) throw new Error(NO_PINNED_KEYS_MESSAGE);
  const source = env.PARLEY_MANIFEST_KEYS ? 'PARLEY_MANIFEST_KEYS' : DEV_KEYS.pathname;
  const keys = JSON.parse(env.PARLEY_MANIFEST_KEYS || readFileSync(DEV_KEYS, 'utf8'));
  const valid =
    Array.isArray(keys) &&
    keys.length >= 1 &&
    keys.length <= 4 &&
    keys.every((key) => typeof key?.keyId === 'string' && typeof key?.publicKey === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(key.publicKey));
  if (!valid) throw new Error(`${source} must be a JSON list of 1-4 { keyId, publicKey (32 bytes, base64) }`);
  return keys.map(({ keyId, publicKey }) => ({ keyId, publicKey }));
}
