import { fromUtf8, utf8 } from '@parley/bytes';
import { isSignalProtocolError } from '../errors.js';
import { processPreKeyBundle } from '../session-cipher.js';
import type { CiphertextMessage } from '../wire.js';
import { TestDevice } from './devices.js';
import { prng } from './prng.js';

// Randomized delivery schedules between two and three devices of this library: reordering, loss,
// duplication, replay, simultaneous initiation, session re-initiation and device restarts (store
// round trip). Shared by the Node test and the Chromium run. Keys are fresh randomness, but no
// control flow depends on key values, so the seed replays the path.

interface InFlight {
  readonly from: TestDevice;
  readonly to: TestDevice;
  readonly plaintext: string;
  readonly message: CiphertextMessage;
}

/** Counts of what a run did. */
export interface ScheduleStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicates: number;
  replays: number;
  restarts: number;
  reinits: number;
  worlds: number;
}


/** Runs `schedules` random schedules from `seed`; throws (naming seed and schedule) on the first violation. */
export async function runSchedules(seed: number, schedules: number, schedulesPerWorld = 200): Promise<ScheduleStats> {
  const rng = prng(seed);
  const stats: ScheduleStats = { sent: 0, delivered: 0, dropped: 0, duplicates: 0, replays: 0, restarts: 0, reinits: 0, worlds: 0 };
  let counter = 0;
  let schedule = 0;
  const fail = (what: string, cause?: unknown): never => {
    throw new Error(`schedule ${schedule} of seed ${seed}: ${what}`, { cause });
  };
  const expectDuplicate = async (attempt: Promise<unknown>, what: string): Promise<void> => {
    try {
      await attempt;
    } catch (error) {
      if (isSignalProtocolError(error, 'duplicate-message')) return;
      fail(`${what} failed with ${String(error)} instead of duplicate-message`, error);
    }
    fail(`${what} decrypted again`);
  };
  while (schedule < schedules) {
    stats.worlds++;
    const parties = await Promise.all(['alice', 'bob', 'carol'].slice(0, rng.chance(0.5) ? 2 : 3).map((n) => TestDevice.create(n)));
    const pairs = parties.flatMap((a, i) => parties.slice(i + 1).map((b) => [a, b] as const));
    for (const [a, b] of pairs) {
      const mode = rng.int(3); // a starts, b starts, or both at once
      if (mode !== 1) await processPreKeyBundle(a.store, b.address, await b.bundle({ oneTime: rng.chance(0.7) }));
      if (mode !== 0) await processPreKeyBundle(b.store, a.address, await a.bundle({ oneTime: rng.chance(0.7) }));
    }
    const delivered: InFlight[] = [];
    const end = Math.min(schedules, schedule + schedulesPerWorld);
    for (; schedule < end; schedule++) {
      const inFlight: InFlight[] = [];
      const sends = 1 + rng.int(4);
      for (let i = 0; i < sends; i++) {
        const [x, y] = rng.pick(pairs);
        const [from, to] = rng.chance(0.5) ? [x, y] : [y, x];
        const plaintext = `m${counter++}`;
        if ((await from.store.loadSession(to.address))?.current === undefined) {
          await processPreKeyBundle(from.store, to.address, await to.bundle());
          stats.reinits++;
        }
        inFlight.push({ from, to, plaintext, message: await from.cipher(to.address).encrypt(utf8(plaintext)) });
        stats.sent++;
      }
      while (inFlight.length > 0) {
        const item = inFlight.splice(rng.int(inFlight.length), 1)[0]!;
        if (rng.chance(0.1)) {
          stats.dropped++;
          continue;
        }
        const cipher = item.to.cipher(item.from.address);
        let out: string;
        try {
          out = fromUtf8(await cipher.decrypt(item.message));
        } catch (error) {
          return fail(`message ${item.plaintext} did not decrypt: ${String(error)}`, error);
        }
        if (out !== item.plaintext) fail(`message ${item.plaintext} decrypted to ${out}`);
        stats.delivered++;
        delivered.push(item);
        if (rng.chance(0.1)) {
          await expectDuplicate(cipher.decrypt(item.message), `duplicate of ${item.plaintext}`);
          stats.duplicates++;
        }
      }
      if (delivered.length > 0 && rng.chance(0.1)) {
        const old = rng.pick(delivered);
        await expectDuplicate(old.to.cipher(old.from.address).decrypt(old.message), `replay of ${old.plaintext}`);
        stats.replays++;
      }
      if (rng.chance(0.03)) {
        await rng.pick(parties).restart();
        stats.restarts++;
      }
      if (rng.chance(0.01)) {
        const [a, b] = rng.pick(pairs);
        await processPreKeyBundle(a.store, b.address, await b.bundle({ oneTime: rng.chance(0.5) }));
        stats.reinits++;
      }
    }
  }
  if (stats.delivered + stats.dropped !== stats.sent) fail('messages unaccounted for');
  return stats;
}
