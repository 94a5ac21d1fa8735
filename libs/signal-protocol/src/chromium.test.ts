import { describe, expect, it } from 'vitest';
import { randomUint32 } from './bytes.js';
import { hasChromium, runInChromium } from './testing/chromium.js';

// The session suite in Chromium: the library bundled into a page, every device on its own
// IndexedDB store, device restarts reopening the database. Replay with SIGNAL_SCHEDULE_SEED.

const SEED = Number(process.env.SIGNAL_SCHEDULE_SEED ?? randomUint32());
const SCHEDULES = Number(process.env.SIGNAL_BROWSER_SCHEDULES ?? 500);

// In CI a missing Chromium is a broken runner, not a reason to pass: the run fails instead.
if (!hasChromium() && process.env.CI) throw new Error('chromium.test.ts cannot run in CI: no Chromium found');
describe.skipIf(!hasChromium())('in Chromium', () => {
  it(`${SCHEDULES} randomized schedules on IndexedDB stores, the store's own rules, vectors and a group round trip`, async () => {
    console.log(`chromium schedules: seed ${SEED} (replay with SIGNAL_SCHEDULE_SEED=${SEED})`);
    const result = await runInChromium({ seed: SEED, schedules: SCHEDULES });
    console.log(`chromium ${result.browser}: ${JSON.stringify(result.schedules)}`);
    expect(result.webCryptoX25519).toBe(true);
    expect(result.checks).toEqual({
      'signature vector (sync)': true,
      'signature vector (platform Ed25519)': true,
      'fingerprint vector': true,
      'group round trip on IndexedDB': true,
      'store: a fresh database has no identity; identity and registration id survive a reopen': true,
      'store: trusts a first identity, refuses a changed one until it is accepted': true,
      'store: removes a used one-time Kyber prekey, keeps a last-resort one and refuses its replay': true,
      'store: refuses a record in an unknown format version instead of misreading it': true,
    });
    expect(result.schedules.delivered + result.schedules.dropped).toBe(result.schedules.sent);
    expect(result.schedules.restarts).toBeGreaterThan(0);
  }, 120_000);
});
