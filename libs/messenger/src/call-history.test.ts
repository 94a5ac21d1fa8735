import type { CallEntry } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { CallHistory, capCallEntries, MAX_CALL_ENTRIES, MAX_CALL_ENTRIES_PER_CONVERSATION } from './call-history.js';
import { InMemoryHistoryStore } from './history-store.js';

const call = (callId: string, conversationId: string, startedAt: number, outcome: CallEntry['outcome'] = 'missed'): CallEntry => ({
  callId,
  conversationId,
  peer: { userId: conversationId, displayName: conversationId },
  direction: 'incoming',
  media: 'audio',
  outcome,
  startedAt,
  durationMs: null,
});

describe('call history', () => {
  it('keeps each call once, oldest first, in the history store (what a reload reads back)', async () => {
    const store = new InMemoryHistoryStore();
    const calls = new CallHistory(store);
    await calls.keep(call('c2', 'bob', 2_000));
    await calls.keep(call('c1', 'bob', 1_000));
    await calls.keep(call('c2', 'bob', 2_000, 'hung-up'));
    await calls.keep(call('c3', 'cat', 3_000));
    // A new CallHistory over the same store: as after a reload.
    expect((await new CallHistory(store).entries()).map((c) => [c.callId, c.outcome])).toEqual([
      ['c1', 'missed'],
      ['c2', 'missed'],
      ['c3', 'missed'],
    ]);
  });

  it('two calls ending together are both kept', async () => {
    const calls = new CallHistory(new InMemoryHistoryStore());
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
