import { pluginModuleFederation } from '@module-federation/rsbuild-plugin';
import { defineConfig } from '@rsbuild/core';
import { pluginBabel } from '@rsbuild/plugin-babel';
import { pluginSolid } from '@rsbuild/plugin-solid';
import { sharedDependencies, unsharedFromEnv } from '../../tools/mf-build/shared-dependencies.mjs';
import { pluginPrecompress } from '../../tools/mf-build/precompress-plugin.mjs';
import { pluginBundleStats } from '../../tools/mf-build/bundle-stats-plugin.mjs';
import { federationRuntimeExperiments, pluginRemoteBundlerRuntime, remoteRuntimeBuild } from '../../tools/mf-build/federation-runtime.mjs';
import pkg from './package.json' with { type: 'json' };
import { WORKER_INTEGRITY_PLACEHOLDER, workerIntegrityPlugin } from '../../tools/mf-build/worker-integrity-plugin.mjs';
import { testHooksDefine } from '../../tools/mf-build/test-hooks.mjs';

const unshare = unsharedFromEnv();
/** The worker chunk's name (`name` in src/media/sframe-worker-client.ts). */
const SFRAME_WORKER_CHUNK = 'sframe-worker';

export default defineConfig(({ command }) => {
  // Built twice, like the chat: runtime core from the shell (dist), and bundled (dist/full) for shells
  // that provide none. The negative control (call's rxjs not shared) is one build with its own runtime.
  const runtime = unshare.length ? { externalRuntime: false, distRoot: `dist-unshared-${unshare.join('-')}` } : remoteRuntimeBuild({ env: process.env, command });
  return {
    plugins: [
      // Brotli and gzip copies made once per build, served by the app's origin (static-origin.ts).
      pluginPrecompress(),
      // What each module weighs, from the bundler's stats, for npm run size (beside dist, not served).
      pluginBundleStats(),
      pluginBabel({ include: /\.(?:jsx|tsx)$/ }),
      pluginSolid(),
      pluginModuleFederation({
        name: 'call',
        filename: 'remoteEntry.js',
        exposes: { './App': './src/remote-app.tsx' },
        shared: sharedDependencies({ framework: 'solid', unshare }),
        dts: false,
        // Only the parts of the federation runtime this app uses (tools/mf-build/federation-runtime.mjs).
        experiments: federationRuntimeExperiments({ loadsRemotes: false, externalRuntime: runtime.externalRuntime }),
      }),
      // In the slim build, none of the federation runtime but the bundler runtime's small pieces, which
      // use the runtime core only when the container is initialised: the SFrame worker, which rspack also
      // starts with the federation runtime, has no core and never does.
      pluginRemoteBundlerRuntime({ enabled: runtime.externalRuntime }),
    ],
    // Test hooks only when the build asks (PARLEY_TEST_HOOKS=1, the browser tests' builds).
    source: { define: { __CALL_VERSION__: JSON.stringify(pkg.version), __SFRAME_WORKER_INTEGRITY__: JSON.stringify(WORKER_INTEGRITY_PLACEHOLDER), ...testHooksDefine() } },
    // Served from its own origin: chunks resolve against wherever remoteEntry.js came from.
    output: { assetPrefix: 'auto', distPath: { root: runtime.distRoot }, cleanDistPath: true },
    // Every chunk this build loads at run time is checked against its sha384 (Subresource Integrity).
    security: { sri: { enable: true, algorithm: 'sha384' } },
    // `new SFrameWorkerScript(new URL(...))` bundles a worker like `new Worker(...)` does, without
    // starting it (src/media/sframe-worker-script.ts); the worker's sha384 goes into the chunk that
    // starts it (src/media/worker-integrity.ts explains why).
    tools: {
      rspack: (config) => {
        config.module = { ...config.module, parser: { ...config.module?.parser, javascript: { ...config.module?.parser?.javascript, worker: ['SFrameWorkerScript from ./sframe-worker-script.js', '...'] } } };
        config.plugins = [...(config.plugins ?? []), workerIntegrityPlugin(SFRAME_WORKER_CHUNK)];
        // The worker starts from a blob URL (src/media/worker-integrity.ts), where the runtime cannot tell
        // where chunks live: it must be one chunk, never split out into chunks shared with the app.
        // rsbuild splits 'all' chunks; anything else is a configuration this was not written for.
        const splitChunks = config.optimization?.splitChunks;
        if (splitChunks && splitChunks.chunks !== 'all') throw new Error(`call: unexpected splitChunks.chunks ${String(splitChunks.chunks)}`);
        if (splitChunks) splitChunks.chunks = (chunk) => chunk.name !== SFRAME_WORKER_CHUNK;
        return config;
      },
    },
    server: { port: 4202, headers: { 'Access-Control-Allow-Origin': '*' } },
    dev: { assetPrefix: 'auto' },
  };
});
