import { pluginModuleFederation } from '@module-federation/rsbuild-plugin';
import { type RsbuildPlugin, defineConfig } from '@rsbuild/core';
import { pluginReact } from '@rsbuild/plugin-react';
import { pinnedManifestKeys } from '../../tools/mf-build/manifest-keys.mjs';
import { pluginPrecompress } from '../../tools/mf-build/precompress-plugin.mjs';
import { pluginBundleStats } from '../../tools/mf-build/bundle-stats-plugin.mjs';
import { federationRuntimeExperiments } from '../../tools/mf-build/federation-runtime.mjs';
import { REACT_ALIASES, sharedDependencies } from '../../tools/mf-build/shared-dependencies.mjs';
import { pluginStartupPreload } from '../../tools/mf-build/startup-preload-plugin.mjs';
import { testHooksDefine } from '../../tools/mf-build/test-hooks.mjs';
import { workspaceLibraryChunks } from '../../tools/mf-build/workspace-chunks.mjs';
import pkg from './package.json' with { type: 'json' };

export default defineConfig(({ command }) => ({
  plugins: [
    // Brotli and gzip copies made once per build, served by the app's origin (static-origin.ts).
    pluginPrecompress(),
    // What each module weighs, from the bundler's stats, for npm run size (beside dist, not served).
    pluginBundleStats(),
    // React's API on Preact's compat layer (REACT_ALIASES below): no React Refresh, which needs React itself.
    pluginReact({ fastRefresh: false }),
    // The chunks every visit loads right after the entry (bootstrap, Preact, rxjs, the bus)
    // are hinted in the page with their integrity, so they download alongside the entry (issue 20).
    pluginStartupPreload({ request: './bootstrap.js' }),
    // Only the template's icons (the SVG, and the ICO sized so that Chromium takes the SVG): rsbuild
    // adds an unsized <link rel="icon" href="/favicon.ico"> of its own when public/ holds one, and with
    // it Chromium downloaded both icons on every visit (issue 20).
    {
      name: 'parley:template-icons-only',
      setup: (api) =>
        api.modifyHTMLTags(({ headTags, bodyTags }) => ({ headTags: headTags.filter((tag) => !(tag.tag === 'link' && tag.attrs?.rel === 'icon')), bodyTags })),
    } satisfies RsbuildPlugin,
    pluginModuleFederation({
      name: 'shell',
      // No remote is known at build time: the cohort manifest names them at run time.
      remotes: {},
      shared: sharedDependencies({ framework: 'react' }),
      // A remote that is down must never block the shell's start-up.
      shareStrategy: 'loaded-first',
      dts: false,
      // Only the parts of the federation runtime this app uses, and its core provided to the remotes
      // (tools/mf-build/federation-runtime.mjs).
      experiments: federationRuntimeExperiments({ loadsRemotes: true }),
    }),
  ],
  source: {
    define: {
      __SHELL_VERSION__: JSON.stringify(pkg.version),
      // Pinned at build time (PARLEY_MANIFEST_KEYS; the committed dev keys only when asked for, or
      // on the dev server): see manifest-keys.mjs.
      __MANIFEST_KEYS__: JSON.stringify(pinnedManifestKeys(process.env, { devServer: command === 'dev' })),
      // window.parleyDebug and the other test hooks only when the build asks (PARLEY_TEST_HOOKS=1).
      ...testHooksDefine(),
    },
  },
  // React's API is Preact's compat layer (issue 20): see shared-dependencies.mjs.
  resolve: { alias: REACT_ALIASES },
  html: { title: 'Parley', template: './src/index.html' },
  performance: {
    chunkSplit: {
      strategy: 'split-by-experience',
      // The small workspace libraries every part uses, once, with the contracts' zod schemas apart
      // from what the first paint needs (tools/mf-build/workspace-chunks.mjs). Preact and its compat
      // layer in one chunk too: each shared module is otherwise a chunk of its own (six requests for
      // ~18 kB).
      forceSplitting: { ...workspaceLibraryChunks(), preact: /[\\/]node_modules[\\/]preact[\\/]/ },
    },
  },
  output: { cleanDistPath: true },
  // Every chunk this build loads at run time is checked against its sha384 (Subresource Integrity).
  security: { sri: { enable: true, algorithm: 'sha384' } },
  server: {
    port: 4200,
    // `nx serve shell` talks to a server started separately (npm start or nx serve server).
    proxy: { '/api': 'http://127.0.0.1:8080', '/ws': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
}));
