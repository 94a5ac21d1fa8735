import { describe, expect, it } from 'vitest';
import { randomUint32 } from './bytes.js';
import { runSchedules } from './testing/schedules.js';

// Replay a failure with SIGNAL_SCHEDULE_SEED=<seed> (SIGNAL_SCHEDULES changes the count).
const SEED = Number(process.env.SIGNAL_SCHEDULE_SEED ?? randomUint32());
const SCHEDULES = Number(process.env.SIGNAL_SCHEDULES ?? 10_000);

describe('randomized schedules', () => {
  it(`${SCHEDULES} schedules between 2–3 devices: every delivered message decrypts exactly once, duplicates and replays are rejected`, async () => {
    console.log(`session schedules: seed ${SEED} (replay with SIGNAL_SCHEDULE_SEED=${SEED})`);
    const stats = await runSchedules(SEED, SCHEDULES);
    console.log(`session schedules: ${JSON.stringify(stats)}`);
    expect(stats.delivered + stats.dropped).toBe(stats.sent);
    expect(stats.restarts).toBeGreaterThan(0);
  }, 120_000);
});
