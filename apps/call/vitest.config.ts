import { defineConfig } from 'vitest/config';

// Solid's reactivity is off in its server build, which Node's resolution picks; tests need the
// browser build, so solid-js is inlined and resolved with the browser condition. The bus's test hook
// (tools/mf-build/test-hooks.mjs) is on: tests count its real observers.
export default defineConfig({
  define: { __PARLEY_TEST_HOOKS__: 'true' },
  resolve: { conditions: ['browser', 'development'] },
  ssr: { resolve: { conditions: ['browser', 'development'], externalConditions: ['browser', 'development'] } },
  test: { include: ['src/**/*.test.ts'], server: { deps: { inline: [/solid-js/] } } },
});
