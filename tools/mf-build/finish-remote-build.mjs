// `node tools/mf-build/finish-remote-build.mjs <remote>` from the remote's folder, after both of its
// builds (the slim one in dist/, the full one in dist/full/): wraps the slim entry so it falls back to
// the full one in a shell that does not provide the Module Federation runtime (runtime-fallback.mjs).
import { fileURLToPath } from 'node:url';
import { finishRemoteEntry, runtimeCoreVersion } from './runtime-fallback.mjs';

const [name, distDir = 'dist'] = process.argv.slice(2);
if (!name) {
  console.error('usage: finish-remote-build.mjs <remote name> [dist folder]');
  process.exit(2);
}
const runtimeVersion = runtimeCoreVersion(fileURLToPath(new URL('../../node_modules/', import.meta.url)));
const fullIntegrity = await finishRemoteEntry(distDir, { name, runtimeVersion });
console.log(`${name}: remoteEntry.js uses the shell's runtime ${runtimeVersion}, else full/remoteEntry.js (${fullIntegrity})`);
