import { pluginModuleFederation } from '@module-federation/rsbuild-plugin';
import { defineConfig } from '@rsbuild/core';
import { pluginBabel } from '@rsbuild/plugin-babel';
import { pluginSolid } from '@rsbuild/plugin-solid';
import { sharedDependencies, unsharedFromEnv } from '../../tools/mf-build/shared-dependencies.mjs';
import pkg from './package.json' with { type: 'json' };

const unshare = unsharedFromEnv();

export default defineConfig({
  plugins: [
    pluginBabel({ include: /\.(?:jsx|tsx)$/ }),
    pluginSolid(),
    pluginModuleFederation({
      name: 'call',
      filename: 'remoteEntry.js',
      exposes: { './App': './src/remote-app.tsx' },
      shared: sharedDependencies({ framework: 'solid', unshare }),
      dts: false,
    }),
  ],
  source: { define: { __CALL_VERSION__: JSON.stringify(pkg.version) } },
  // Served from its own origin: chunks resolve against wherever remoteEntry.js came from.
  output: {
    assetPrefix: 'auto',
    distPath: { root: unshare.length ? `dist-unshared-${unshare.join('-')}` : 'dist' },
    cleanDistPath: true,
  },
  // Every chunk this build loads at run time is checked against its sha384 (Subresource Integrity).
  security: { sri: { enable: true, algorithm: 'sha384' } },
  // `new CrossOriginWorker(new URL(...))` bundles a worker like `new Worker(...)` does
  // (src/media/sframe-worker-client.ts explains why the app cannot use `Worker` directly).
  tools: { rspack: { module: { parser: { javascript: { worker: ['CrossOriginWorker from ./cross-origin-worker.js', '...'] } } } } },
  server: { port: 4202, headers: { 'Access-Control-Allow-Origin': '*' } },
  dev: { assetPrefix: 'auto' },
});
