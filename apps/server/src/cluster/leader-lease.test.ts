import { ManualClock } from '@parley/clock/testing';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import { tempFolderPerTest } from '../testing/test-support.js';
import { LeaderLease } from './leader-lease.js';

const folder = tempFolderPerTest();
const log = pino({ level: 'silent' });

describe('the leader lease', () => {
  const open: SqliteStorage[] = [];
  afterEach(async () => {
    for (const storage of open.splice(0)) await storage.close();
  });
  /** Two nodes on one database, each with its own connection, sharing one clock. */
  async function twoNodes(clock: ManualClock) {
    const stores = [new SqliteStorage({ dataDir: folder.path, clock }), new SqliteStorage({ dataDir: folder.path, clock })];
    for (const store of stores) await store.open();
    open.push(...stores);
    const [a, b] = stores.map((store, i) => new LeaderLease({ store, name: 'sweeps', holder: `node-${'ab'[i]}`, clock, log, ttlMs: 30_000 }));
    return { a: a!, b: b!, store: stores[0]! };
  }

  it('is held by the first node to try; the other takes over once the holder stops renewing and the lease ran out', async () => {
    const clock = new ManualClock(1_000_000);
    const { a, b, store } = await twoNodes(clock);
    expect(await a.refresh()).toBe(true);
    expect(await b.refresh()).toBe(false);
    expect([a.holds(), b.holds()]).toEqual([true, false]);

    // A renews every third of the lease: B never gets it while A lives.
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      expect(await a.refresh()).toBe(true);
      expect(await b.refresh()).toBe(false);
    }

    // A dies (stops renewing). Its lease runs for 30 s after the last renewal; B tries every 10 s.
    clock.advance(10_000);
    expect(await b.refresh()).toBe(false);
    expect(a.holds()).toBe(true);
    clock.advance(10_000);
    expect(await b.refresh()).toBe(false);
    expect(a.holds()).toBe(false); // A itself stops acting a third of the lease before its end.
    clock.advance(10_000);
    expect(await b.refresh()).toBe(true);
    expect(b.holds()).toBe(true);
    expect((await store.lease('sweeps'))?.holder).toBe('node-b');
    // A coming back finds the lease taken.
    expect(await a.refresh()).toBe(false);
    expect(a.holds()).toBe(false);
  });

  it('is given up on a clean stop, so the other node takes it at its next try', async () => {
    const clock = new ManualClock(1_000_000);
    const { a, b } = await twoNodes(clock);
    await a.start();
    expect(a.holds()).toBe(true);
    await b.start();
    expect(b.holds()).toBe(false);
    await a.stop();
    expect(a.holds()).toBe(false);
    expect(await b.refresh()).toBe(true);
    await b.stop();
  });

  it('a node that cannot reach the database stops acting as holder when its lease would end', async () => {
    const clock = new ManualClock(1_000_000);
    const { a, store } = await twoNodes(clock);
    expect(await a.refresh()).toBe(true);
    await store.close();
    open.splice(open.indexOf(store), 1);
    clock.advance(10_000);
    expect(await a.refresh()).toBe(true);
    clock.advance(10_000);
    expect(await a.refresh()).toBe(false);
  });
});
