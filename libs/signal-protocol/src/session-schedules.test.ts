import { describe, expect, it } from 'vitest';
import { randomUint32 } from './bytes.js';
import { isSignalProtocolError } from './errors.js';
import { processPreKeyBundle } from './session-cipher.js';
import { TestDevice } from './testing/devices.js';
import { prng } from './testing/prng.js';
import type { CiphertextMessage } from './wire.js';

// Randomized delivery schedules between two and three devices of this library: reordering, loss,
// duplication, replay, session re-initiation and device restarts (store round trip). The schedule
// comes from a printed seed; replay a failure with SIGNAL_SCHEDULE_SEED=<seed>. Keys are fresh
// randomness either way, but no control flow depends on key values, so the seed replays the path.

const SEED = Number(process.env.SIGNAL_SCHEDULE_SEED ?? randomUint32());
const SCHEDULES = Number(process.env.SIGNAL_SCHEDULES ?? 10_000);
const SCHEDULES_PER_WORLD = 200;

interface InFlight {
  readonly from: TestDevice;
  readonly to: TestDevice;
  readonly plaintext: string;
  readonly message: CiphertextMessage;
}

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

describe('randomized schedules', () => {
  it(`${SCHEDULES} schedules: every delivered message decrypts exactly once, replays are rejected`, async () => {
    console.log(`session schedules: seed ${SEED} (replay with SIGNAL_SCHEDULE_SEED=${SEED})`);
    const rng = prng(SEED);
    const stats = { sent: 0, delivered: 0, dropped: 0, duplicates: 0, replays: 0, restarts: 0, reinits: 0, worlds: 0 };
    let counter = 0;
    let schedule = 0;
    while (schedule < SCHEDULES) {
      stats.worlds++;
      const parties = await Promise.all(['alice', 'bob', 'carol'].slice(0, rng.chance(0.5) ? 2 : 3).map((n) => TestDevice.create(n)));
      const pairs = parties.flatMap((a, i) => parties.slice(i + 1).map((b) => [a, b] as const));
      for (const [a, b] of pairs) {
        const mode = rng.int(3); // a starts, b starts, or both at once
        if (mode !== 1) await processPreKeyBundle(a.store, b.address, await b.bundle({ oneTime: rng.chance(0.7) }));
        if (mode !== 0) await processPreKeyBundle(b.store, a.address, await a.bundle({ oneTime: rng.chance(0.7) }));
      }
      const delivered: InFlight[] = [];
      const end = Math.min(SCHEDULES, schedule + SCHEDULES_PER_WORLD);
      for (; schedule < end; schedule++) {
        const inFlight: InFlight[] = [];
        const sends = 1 + rng.int(4);
        for (let i = 0; i < sends; i++) {
          const [x, y] = rng.pick(pairs);
          const [from, to] = rng.chance(0.5) ? [x, y] : [y, x];
          const plaintext = `m${counter++}`;
          const hasSession = (await from.store.loadSession(to.address))?.current !== undefined;
          if (!hasSession) {
            await processPreKeyBundle(from.store, to.address, await to.bundle());
            stats.reinits++;
          }
          inFlight.push({ from, to, plaintext, message: await from.cipher(to.address).encrypt(text(plaintext)) });
          stats.sent++;
        }
        while (inFlight.length > 0) {
          const item = inFlight.splice(rng.int(inFlight.length), 1)[0]!;
          if (rng.chance(0.1)) {
            stats.dropped++;
            continue;
          }
          const cipher = item.to.cipher(item.from.address);
          expect(str(await cipher.decrypt(item.message)), `seed ${SEED}, schedule ${schedule}`).toBe(item.plaintext);
          stats.delivered++;
          delivered.push(item);
          if (rng.chance(0.1)) {
            await expect(cipher.decrypt(item.message), `seed ${SEED}, duplicate in schedule ${schedule}`).rejects.toSatisfy((e) => isSignalProtocolError(e, 'duplicate-message'));
            stats.duplicates++;
          }
        }
        if (delivered.length > 0 && rng.chance(0.1)) {
          const old = rng.pick(delivered);
          await expect(old.to.cipher(old.from.address).decrypt(old.message), `seed ${SEED}, replay in schedule ${schedule}`).rejects.toSatisfy((e) =>
            isSignalProtocolError(e, 'duplicate-message'),
          );
          stats.replays++;
        }
        if (rng.chance(0.03)) {
          rng.pick(parties).restart();
          stats.restarts++;
        }
        if (rng.chance(0.01)) {
          const [a, b] = rng.pick(pairs);
          await processPreKeyBundle(a.store, b.address, await b.bundle({ oneTime: rng.chance(0.5) }));
          stats.reinits++;
        }
      }
    }
    console.log(`session schedules: ${JSON.stringify(stats)}`);
    expect(stats.delivered + stats.dropped).toBe(stats.sent);
  }, 120_000);
});
