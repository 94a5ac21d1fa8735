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
  security: { sri: { enable: true, algorithm: 'sha384' } },
  server: { port: 4202, headers: { 'Access-Control-Allow-Origin': '*' } },
  dev: { assetPrefix: 'auto' },
});
