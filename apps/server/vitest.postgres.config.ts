// `nx run server:test-postgres`: the relay and accounts suites with every test server on
// PostgreSQL (a scratch cluster, src/testing/postgres-global-setup.ts) instead of SQLite.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['src/testing/postgres-global-setup.ts'],
    include: ['src/relay/**/*.test.ts', 'src/accounts/**/*.test.ts'],
    // two-nodes.test.ts starts its own PostgreSQL and Redis already (it runs in `server:test`).
    exclude: ['**/*.isolated.test.ts', '**/*.janus.test.ts', 'src/relay/two-nodes.test.ts'],
  },
});
