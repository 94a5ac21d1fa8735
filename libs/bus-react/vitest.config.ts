import { defineConfig } from 'vitest/config';
import { reactOnPreactAliases } from '../../tools/mf-build/react-on-preact-vitest.mjs';

// The apps run these hooks on Preact's compat layer; so do their tests.
export default defineConfig({ resolve: { alias: reactOnPreactAliases }, test: { include: ['src/**/*.test.tsx'] } });
