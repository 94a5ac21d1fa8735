import { defineConfig } from 'vitest/config';
import { reactDependencies, reactOnPreactAliases } from '../../tools/mf-build/react-on-preact-vitest.mjs';

// React's API is Preact's compat layer, as in the build.
export default defineConfig({
  resolve: { alias: reactOnPreactAliases },
  test: { include: ['src/**/*.test.ts', 'src/**/*.test.tsx'], server: { deps: { inline: reactDependencies } } },
});
