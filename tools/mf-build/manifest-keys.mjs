// The manifest public keys the shell build pins (ARCHITECTURE "Cohort manifest and release train").
// Production builds pass them in PARLEY_MANIFEST_KEYS (JSON: [{ keyId, publicKey }], current first,
// then next); without it the build pins the committed development keys of tools/dev, which only the
// dev/test flow's server signs with. The keys are baked into the bundle: the shell never fetches its
// trust anchor from the server it verifies.
import { readFileSync } from 'node:fs';

const DEV_KEYS = new URL('../dev/manifest-dev-keys.public.json', import.meta.url);

/** @returns {{ keyId: string, publicKey: string }[]} */
export function pinnedManifestKeys(env = process.env) {
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
