import { describe, expect, it } from 'vitest';
import { BUS_EVENTS } from './bus-events.js';
import { CALL_HISTORY_SYNC_MAX_ENTRIES, CallHistorySyncContentSchema } from './call-history-sync.js';
import { CONTENT_ROUTES, ContentSchema } from './content.js';

const entry = {
  callId: 'c1',
  conversationId: 'u-bob',
  peer: { userId: 'u-bob', displayName: 'Bob' },
  direction: 'incoming',
  media: 'video',
  outcome: 'hung-up',
  startedAt: 1_000,
  durationMs: 61_000,
} as const;

describe('call history sync content', () => {
  it('is content of its own type, routed to a bus moment', () => {
    const sync = { type: 'call-history', entries: [entry], seenUpTo: 5 };
    expect(ContentSchema.parse(sync)).toEqual(sync);
    expect(CONTENT_ROUTES['call-history']).toBe('content.call-history');
    expect(BUS_EVENTS['content.call-history'].kind).toBe('event');
  });

  it('carries group and link calls, a link with its secret', () => {
    const link = { ...entry, conversationId: 'link:room', kind: 'link', linkSecret: 'AAAAAAAAAAAAAAAAAAAAAA' };
    expect(CallHistorySyncContentSchema.safeParse({ type: 'call-history', entries: [link, { ...entry, kind: 'group' }] }).success).toBe(true);
    expect(CallHistorySyncContentSchema.safeParse({ type: 'call-history', entries: [{ ...link, linkSecret: 'not a secret' }] }).success).toBe(false);
  });

  it('refuses an unknown outcome, a negative duration and too many entries', () => {
    const sync = (entries: unknown[]) => CallHistorySyncContentSchema.safeParse({ type: 'call-history', entries }).success;
    expect(sync([{ ...entry, outcome: 'exploded' }])).toBe(false);
    expect(sync([{ ...entry, durationMs: -1 }])).toBe(false);
    expect(sync(Array.from({ length: CALL_HISTORY_SYNC_MAX_ENTRIES + 1 }, () => entry))).toBe(false);
    expect(sync([])).toBe(true);
  });
});
