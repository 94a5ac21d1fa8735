import { pluginModuleFederation } from '@module-federation/rsbuild-plugin';
import { defineConfig } from '@rsbuild/core';
import { pluginReact } from '@rsbuild/plugin-react';
import { REACT_ALIASES, sharedDependencies } from '../../tools/mf-build/shared-dependencies.mjs';
import { pluginPrecompress } from '../../tools/mf-build/precompress-plugin.mjs';
import { pluginBundleStats } from '../../tools/mf-build/bundle-stats-plugin.mjs';
import { federationRuntimeExperiments, pluginRemoteBundlerRuntime, remoteRuntimeBuild } from '../../tools/mf-build/federation-runtime.mjs';
import { testHooksDefine } from '../../tools/mf-build/test-hooks.mjs';
import pkg from './package.json' with { type: 'json' };

export default defineConfig(({ command }) => {
  // Built twice: runtime core from the shell (dist), and bundled (dist/full) for shells that provide none.
  const runtime = remoteRuntimeBuild({ env: process.env, command });
  return {
    plugins: [
      // Brotli and gzip copies made once per build, served by the app's origin (static-origin.ts).
      pluginPrecompress(),
      // What each module weighs, from the bundler's stats, for npm run size (beside dist, not served).
      pluginBundleStats(),
      // React's API on Preact's compat layer (REACT_ALIASES below): no React Refresh, which needs React itself.
      pluginReact({ fastRefresh: false }),
      pluginModuleFederation({
        name: 'chat',
        filename: 'remoteEntry.js',
        exposes: { './App': './src/remote-app.tsx' },
        shared: sharedDependencies({ framework: 'react' }),
        dts: false,
        // Only the parts of the federation runtime this app uses (tools/mf-build/federation-runtime.mjs).
        experiments: federationRuntimeExperiments({ loadsRemotes: false, externalRuntime: runtime.externalRuntime }),
      }),
      // In the slim build, none of the federation runtime but the bundler runtime's small pieces.
      pluginRemoteBundlerRuntime({ enabled: runtime.externalRuntime }),
    ],
    // React's API is Preact's compat layer (issue 20): see shared-dependencies.mjs.
    resolve: { alias: REACT_ALIASES },
    // Test hooks (the shared bus's among them) only when the build asks (PARLEY_TEST_HOOKS=1).
    source: { define: { __CHAT_VERSION__: JSON.stringify(pkg.version), ...testHooksDefine() } },
    // Served from its own origin: chunks resolve against wherever remoteEntry.js came from.
    output: { assetPrefix: 'auto', distPath: { root: runtime.distRoot }, cleanDistPath: true },
    // Every chunk this build loads at run time is checked against its sha384 (Subresource Integrity).
    security: { sri: { enable: true, algorithm: 'sha384' } },
    server: { port: 4201, headers: { 'Access-Control-Allow-Origin': '*' } },
    dev: { assetPrefix: 'auto' },
  };
});
