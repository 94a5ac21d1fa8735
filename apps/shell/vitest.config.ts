import { defineConfig } from 'vitest/config';

// Every message table loaded before the tests (the page loads Russian on demand).
export default defineConfig({ test: { setupFiles: ['src/testing/load-messages.ts'] } });
