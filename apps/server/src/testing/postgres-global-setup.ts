/**
 * Global setup of `nx run server:test-postgres`: one scratch PostgreSQL cluster for the whole run;
 * every server a test starts through serverPerTest gets a fresh database of it
 * (PARLEY_TEST_POSTGRES, read by test-support.ts), so the relay and accounts suites run on
 * PostgreSQL exactly as they run on SQLite.
 */
import { startScratchPostgres } from './scratch-postgres.js';

export default async function setup(): Promise<() => Promise<void>> {
  const cluster = await startScratchPostgres();
  // Inherited by the test workers, which start after this.
  process.env.PARLEY_TEST_POSTGRES = cluster.adminUrl;
  return () => cluster.stop();
}
