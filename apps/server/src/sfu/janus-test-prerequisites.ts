/**
 * Test support: whether this machine can run a suite against a real Janus. Outside CI a missing
 * Janus or ICE interface skips the suite with a warning; in CI a missing prerequisite is a broken
 * runner, not a reason to pass, so the suite fails instead.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_JANUS_BINARY } from '../config.js';

/** Why `suite` cannot run here (it is then skipped), or null; throws in CI instead of skipping. */
export function janusSkipReason(suite: string): string | null {
  const reason = !existsSync(DEFAULT_JANUS_BINARY)
    ? `Janus is not installed (${DEFAULT_JANUS_BINARY}): apt-get install janus`
    : !process.env.PARLEY_JANUS_INTERFACE
      ? 'PARLEY_JANUS_INTERFACE is not set: run through tools/test/in-loopback-namespace.sh (nx run server:test-janus)'
      : null;
  if (reason && process.env.CI) throw new Error(`${suite} cannot run in CI: ${reason}`);
  if (reason) console.warn(`${suite} skipped: ${reason}`);
  return reason;
}
