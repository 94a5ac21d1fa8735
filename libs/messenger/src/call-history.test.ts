import type { CallEntry, CallHistorySyncContent } from '@parley/contracts';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { exampleCallEntry as call } from './testing/index.js';
import { CallHistory, capCallEntries, MAX_CALL_ENTRIES, MAX_CALL_ENTRIES_PER_CONVERSATION, mergeCallViews, seenFromSibling } from './call-history.js';
import { InMemoryHistoryStore } from './history-store.js';


const SELF = 'u-ada';

/** A call history over `store` that records what it tells this user's other devices. */
function historyOver(store = new InMemoryHistoryStore()) {
  const told: CallHistorySyncContent[] = [];
  const calls = new CallHistory({ history: store, selfUserId: SELF, tellOwnDevices: async (content) => void told.push(content) });
  return { calls, told, store };
}

const outcomes = (entries: readonly CallEntry[]) => entries.map((c) => `${c.callId} ${c.direction} ${c.outcome} ${c.durationMs ?? '-'}`);

describe('call history', () => {
  it('keeps each call once, oldest first, in the history store (what a reload reads back)', async () => {
    const store = new InMemoryHistoryStore();
    const { calls } = historyOver(store);
    await calls.keep(call('c2', 'bob', 2_000));
    await calls.keep(call('c1', 'bob', 1_000));
    await calls.keep(call('c2', 'bob', 2_000));
    await calls.keep(call('c3', 'cat', 3_000));
    // A new CallHistory over the same store: as after a reload.
    expect((await historyOver(store).calls.entries()).map((c) => [c.callId, c.outcome])).toEqual([
      ['c1', 'missed'],
      ['c2', 'missed'],
      ['c3', 'missed'],
    ]);
  });

  it('records every outcome, direction, medium and kind the call app reports, with the duration of connected calls', async () => {
    const { calls } = historyOver();
    const every: CallEntry[] = [
      call('in', 'bob', 1, 'hung-up', { durationMs: 61_000 }),
      call('out', 'bob', 2, 'hung-up', { direction: 'outgoing', media: 'video', durationMs: 5_000 }),
      call('missed', 'bob', 3, 'missed'),
      call('declined', 'bob', 4, 'declined'),
      call('elsewhere', 'bob', 5, 'answered-elsewhere'),
      call('busy', 'bob', 6, 'busy', { direction: 'outgoing' }),
      call('failed', 'bob', 7, 'failed', { direction: 'outgoing' }),
      call('cancelled', 'bob', 8, 'cancelled', { direction: 'outgoing' }),
      call('group', 'g-climbers', 9, 'hung-up', { kind: 'group', durationMs: 9_000 }),
      call('link', 'link:room', 10, 'hung-up', { kind: 'link', direction: 'outgoing', linkSecret: 'AAAAAAAAAAAAAAAAAAAAAA', durationMs: 3_000 }),
    ];
    for (const entry of every) await calls.keep(entry);
    expect(await calls.entries()).toEqual(every);
  });

  it('two calls ending together are both kept', async () => {
    const { calls } = historyOver();
    await Promise.all([calls.keep(call('a', 'bob', 1)), calls.keep(call('b', 'cat', 2))]);
    expect((await calls.entries()).map((c) => c.callId)).toEqual(['a', 'b']);
  });

  it('drops the oldest calls past the per-conversation and overall caps', () => {
    const many = Array.from({ length: MAX_CALL_ENTRIES_PER_CONVERSATION + 5 }, (_, i) => call(`b${i}`, 'bob', i));
    const bob = capCallEntries([call('x', 'cat', -1), ...many]);
    expect(bob).toHaveLength(MAX_CALL_ENTRIES_PER_CONVERSATION + 1);
    expect(bob[0]!.callId).toBe('x');
    expect(bob[1]!.callId).toBe('b5');
    expect(bob.at(-1)!.callId).toBe(`b${MAX_CALL_ENTRIES_PER_CONVERSATION + 4}`);

    const spread = Array.from({ length: MAX_CALL_ENTRIES + 3 }, (_, i) => call(`s${i}`, `peer${i % 100}`, i));
    const capped = capCallEntries(spread);
    expect(capped).toHaveLength(MAX_CALL_ENTRIES);
    expect(capped[0]!.callId).toBe('s3');
  });
});

describe('call history sync between this user’s devices', () => {
  it('tells the other devices of each new call once, never of what they told it', async () => {
    const { calls, told } = historyOver();
    await calls.keep(call('c1', 'bob', 1));
    await calls.keep(call('c1', 'bob', 1));
    await calls.receive({ userId: SELF }, { type: 'call-history', entries: [call('c2', 'bob', 2)] });
    expect(told).toEqual([{ type: 'call-history', entries: [call('c1', 'bob', 1)] }]);
  });

  it('the device that took a call its sibling already reported as answered elsewhere keeps and tells its own view', async () => {
    const { calls, told } = historyOver();
    await calls.receive({ userId: SELF }, { type: 'call-history', entries: [call('c1', 'bob', 1, 'answered-elsewhere')] });
    await calls.keep(call('c1', 'bob', 1, 'hung-up', { durationMs: 5_000 }));
    expect(outcomes(await calls.entries())).toEqual(['c1 incoming hung-up 5000']);
    expect(told).toEqual([{ type: 'call-history', entries: [call('c1', 'bob', 1, 'hung-up', { durationMs: 5_000 })] }]);
  });

  it('accepts sync only from this account: a contact cannot write this user’s call history', async () => {
    const { calls } = historyOver();
    expect(await calls.receive({ userId: 'u-mallory' }, { type: 'call-history', entries: [call('forged', 'bob', 1)], seenUpTo: 99 })).toBe(false);
    expect(await calls.entries()).toEqual([]);
    expect(await firstValueFrom(calls.seenUpTo$)).toBe(0);
    expect(await calls.receive({ userId: SELF }, { type: 'call-history', entries: [call('mine', 'bob', 1)] })).toBe(true);
    expect((await calls.entries()).map((c) => c.callId)).toEqual(['mine']);
  });

  it('a call answered on another device shows here as answered elsewhere, with that device’s duration', async () => {
    const { calls } = historyOver();
    // This device rang and stopped when the other one took the call…
    await calls.keep(call('c1', 'bob', 1, 'answered-elsewhere'));
    // …which reports the call when it ends.
    await calls.receive({ userId: SELF }, { type: 'call-history', entries: [call('c1', 'bob', 1, 'hung-up', { durationMs: 42_000 })] });
    expect(outcomes(await calls.entries())).toEqual(['c1 incoming answered-elsewhere 42000']);
    // A device that was off when it rang learns of it the same way.
    const offline = historyOver();
    await offline.calls.receive({ userId: SELF }, { type: 'call-history', entries: [call('c1', 'bob', 1, 'hung-up', { durationMs: 42_000 })] });
    expect(outcomes(await offline.calls.entries())).toEqual(['c1 incoming answered-elsewhere 42000']);
  });

  it('deduplicates by call id, keeping the view that says more whatever order the views come in', async () => {
    const views = [call('c1', 'bob', 1, 'missed'), call('c1', 'bob', 1, 'answered-elsewhere'), seenFromSibling(call('c1', 'bob', 1, 'hung-up', { durationMs: 7_000 }))];
    for (const order of [views, [...views].reverse(), [views[1]!, views[2]!, views[0]!]]) {
      const { calls } = historyOver();
      for (const view of order) await calls.receive({ userId: SELF }, { type: 'call-history', entries: [view] });
      expect(outcomes(await calls.entries())).toEqual(['c1 incoming answered-elsewhere 7000']);
    }
    // This device's own connected call stays its own.
    expect(mergeCallViews(call('c1', 'bob', 1, 'hung-up', { durationMs: 9_000 }), seenFromSibling(call('c1', 'bob', 1, 'hung-up', { durationMs: 8_000 })))).toMatchObject({
      outcome: 'hung-up',
      durationMs: 9_000,
    });
  });

  it('a missed call is missed on every device; an outgoing call from another device is listed as it was', async () => {
    const { calls } = historyOver();
    await calls.receive({ userId: SELF }, { type: 'call-history', entries: [call('m', 'bob', 1, 'missed'), call('o', 'bob', 2, 'hung-up', { direction: 'outgoing', durationMs: 3_000 })] });
    expect(outcomes(await calls.entries())).toEqual(['m incoming missed -', 'o outgoing hung-up 3000']);
  });

  it('streams every change to whoever watches', async () => {
    const { calls } = historyOver();
    const seen: string[][] = [];
    const subscription = calls.entries$.subscribe((list) => seen.push(list.map((c) => c.callId)));
    await calls.keep(call('a', 'bob', 1));
    await calls.receive({ userId: SELF }, { type: 'call-history', entries: [call('b', 'bob', 2)] });
    subscription.unsubscribe();
    expect(seen).toEqual([[], ['a'], ['a', 'b']]);
  });
});

describe('the missed-call badge’s seen mark', () => {
  it('only moves forward, is kept, and is told to the other devices', async () => {
    const store = new InMemoryHistoryStore();
    const { calls, told } = historyOver(store);
    expect(await firstValueFrom(calls.seenUpTo$)).toBe(0);
    await calls.markSeen(500);
    await calls.markSeen(400);
    expect(await firstValueFrom(calls.seenUpTo$)).toBe(500);
    expect(told).toEqual([{ type: 'call-history', entries: [], seenUpTo: 500 }]);
    expect(await firstValueFrom(historyOver(store).calls.seenUpTo$)).toBe(500);
  });

  it('follows another device that opened its Calls view', async () => {
    const { calls, told } = historyOver();
    await calls.receive({ userId: SELF }, { type: 'call-history', entries: [], seenUpTo: 800 });
    expect(await firstValueFrom(calls.seenUpTo$)).toBe(800);
    expect(told).toEqual([]);
  });
});
