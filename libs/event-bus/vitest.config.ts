import { defineConfig } from 'vitest/config';

// Unit tests count the bus's real observers through its test hook (tools/mf-build/test-hooks.mjs).
export default defineConfig({
  define: { __PARLEY_TEST_HOOKS__: 'true' },
  test: { include: ['src/**/*.test.ts'] },
});
