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
// (older ones) or another version — so it keeps loading in an older shell. In `dist/`, the rest of the
// runtime goes too (pluginRemoteBundlerRuntime): the remote's entry keeps only the bundler runtime's
// small pieces, and uses the shell's core for everything else. Chat and call both do.
import { URL, fileURLToPath } from 'node:url';
import { buildModules } from './bundle-stats-plugin.mjs';
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

/** The module rspack's federation entry imports as the bundler runtime (an absolute path to its index). */
const BUNDLER_RUNTIME_INDEX = /[\\/]@module-federation[\\/]webpack-bundler-runtime[\\/]dist[\\/]index\.c?js$/;

/** What a remote's slim build uses in its place (remote-bundler-runtime.mjs). */
export const REMOTE_BUNDLER_RUNTIME = fileURLToPath(new URL('./remote-bundler-runtime.mjs', import.meta.url));

/**
 * Federation packages a slim remote build must not carry: the runtime core (the shell's is read), the
 * runtime and the SDK (which came only with upstream's bundler runtime index), and that index.
 */
const NOT_IN_A_SLIM_REMOTE = [
  /[\\/]@module-federation[\\/](runtime|runtime-core|sdk|runtime-tools|error-codes)[\\/]/,
  /[\\/]@module-federation[\\/]webpack-bundler-runtime[\\/]dist[\\/](index|bundler|init|remotes)\.c?js$/,
];

/** The modules of a build (names as rspack's stats give them) that a slim remote build must not carry. */
export function federationRuntimeLeftIn(moduleNames) {
  return [...new Set(moduleNames.filter((name) => NOT_IN_A_SLIM_REMOTE.some((pattern) => pattern.test(name))))];
}

/**
 * For a remote's slim build (`enabled`: `remoteRuntimeBuild(...).externalRuntime`): rspack's federation
 * entry gets remote-bundler-runtime.mjs for `@module-federation/webpack-bundler-runtime`, so the entry,
 * and every other chunk rspack starts with the federation runtime (the call app's worker), carries no
 * runtime of its own. After the build, fails it if one of the packages above is in it all the same
 * (say, a later rspack imports the bundler runtime from elsewhere, and the replacement misses it).
 * @param {{ enabled: boolean }} options
 * @returns {import('@rsbuild/core').RsbuildPlugin}
 */
export function pluginRemoteBundlerRuntime({ enabled }) {
  return {
    name: 'parley:remote-bundler-runtime',
    setup(api) {
      if (!enabled) return;
      api.modifyRspackConfig((config, { rspack }) => {
        config.plugins = [...(config.plugins ?? []), new rspack.NormalModuleReplacementPlugin(BUNDLER_RUNTIME_INDEX, REMOTE_BUNDLER_RUNTIME)];
      });
      api.onAfterBuild(({ stats }) => {
        if (!stats) return;
        // Modules in a chunk (an orphan, concatenated or unused, is counted where it was concatenated).
        const names = buildModules(stats).filter((module) => module.files.length > 0).map((module) => module.name);
        if (!names.some((name) => name.endsWith('remote-bundler-runtime.mjs'))) throw new Error('remote bundler runtime: the slim build does not use tools/mf-build/remote-bundler-runtime.mjs (did rspack change how it imports the bundler runtime?)');
        const left = federationRuntimeLeftIn(names);
        if (left.length) throw new Error(`remote bundler runtime: the slim build still carries federation runtime modules of its own:\n${left.join('\n')}`);
      });
    },
  };
}
