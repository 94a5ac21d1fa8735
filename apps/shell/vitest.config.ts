import { defineConfig } from 'vitest/config';
import { reactDependencies, reactOnPreactAliases } from '../../tools/mf-build/react-on-preact-vitest.mjs';

// React's API is Preact's compat layer, as in the build. Every message table loaded before the tests
// (the page loads Russian on demand).
export default defineConfig({
  resolve: { alias: reactOnPreactAliases },
  test: { setupFiles: ['src/testing/load-messages.ts'], server: { deps: { inline: reactDependencies } } },
});
