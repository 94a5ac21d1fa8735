// What of the Module Federation runtime each app's build keeps (issue 20). The runtime is compiled
// into the shell's entry; its optional parts are behind build-time flags
// (@module-federation/rspack's `experiments.optimization`), dropped when unused:
// - `target: 'web'`: no Node script loading (every app runs in a browser);
// - `disableSnapshot`: no manifest snapshots or asset preloading (remotes are registered by their
//   remoteEntry.js URL and SRI from the signed cohort manifest, never by an mf-manifest.json);
// - `disableRemote` (remotes only): no code to load remotes of their own (chat and call consume none).
// The shell provides its runtime core to the remotes (`provideExternalRuntime`: the page's
// `_FEDERATION_RUNTIME_CORE`). A remote that reads it is built twice (runtime-fallback.mjs): in `dist/`
// with the runtime core external, and in `dist/full/` with it bundled, for shells that provide none
// (older ones) or another version — so it keeps loading in an older shell. Chat does; call does not
// yet (apps/call/rsbuild.config.ts: its SFrame worker would get the external too).
import { FULL_RUNTIME_DIR } from './runtime-fallback.mjs';

/**
 * The `experiments` option of pluginModuleFederation for one app.
 * @param {{ loadsRemotes: boolean, externalRuntime?: boolean }} options  whether this app loads remotes
 *   (the shell, which then provides its runtime core) or only exposes (chat, call); for a remote,
 *   whether this build reads the runtime core from the host (`remoteRuntimeBuild`)
 */
export function federationRuntimeExperiments({ loadsRemotes, externalRuntime = false }) {
  const optimization = { target: 'web', disableSnapshot: true, ...(loadsRemotes ? {} : { disableRemote: true }) };
  if (loadsRemotes) return { provideExternalRuntime: true, optimization };
  return externalRuntime ? { externalRuntime: true, optimization } : { optimization };
}

/**
 * Which of its two builds a remote's rsbuild run makes: the full one (`PARLEY_MF_RUNTIME=bundled`, into
 * `dist/full`; also the dev server, whose entry is never wrapped) or the slim one (into `dist`).
 * @param {{ env: Record<string, string | undefined>, command: string }} options
 */
export function remoteRuntimeBuild({ env, command }) {
  if (command === 'dev') return { externalRuntime: false, distRoot: 'dist' };
  if (env.PARLEY_MF_RUNTIME === 'bundled') return { externalRuntime: false, distRoot: `dist/${FULL_RUNTIME_DIR}` };
  if (env.PARLEY_MF_RUNTIME) throw new Error(`PARLEY_MF_RUNTIME is "bundled" or unset, not "${env.PARLEY_MF_RUNTIME}"`);
  return { externalRuntime: true, distRoot: 'dist' };
}
