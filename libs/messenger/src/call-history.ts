import type { CallEntry } from '@parley/contracts';
import type { HistoryStore } from './history-store.js';
import { KeyedQueue } from './keyed-queue.js';

/** Calls kept per conversation: the oldest go first (a conversation's log is not a call archive). */
export const MAX_CALL_ENTRIES_PER_CONVERSATION = 100;
/** Calls kept on this device in all: the oldest go first. */
export const MAX_CALL_ENTRIES = 2_000;

/** The latest `MAX_CALL_ENTRIES_PER_CONVERSATION` calls of each conversation, at most `MAX_CALL_ENTRIES` in all, oldest first. */
export function capCallEntries(entries: readonly CallEntry[]): CallEntry[] {
  const newestFirst = [...entries].sort((a, b) => b.startedAt - a.startedAt);
  const perConversation = new Map<string, number>();
  const kept = newestFirst.filter((entry) => {
    const count = perConversation.get(entry.conversationId) ?? 0;
    perConversation.set(entry.conversationId, count + 1);
    return count < MAX_CALL_ENTRIES_PER_CONVERSATION;
  });
  return kept.slice(0, MAX_CALL_ENTRIES).reverse();
}

/**
 * The calls this device had (the call app's `call.entry` events, which the chat hands over), kept
 * in the history store beside the messages so a reload still shows them; each call once, capped.
 */
export class CallHistory {
  private readonly queue = new KeyedQueue();

  constructor(private readonly history: HistoryStore) {}

  /** Every kept call, oldest first. */
  entries(): Promise<readonly CallEntry[]> {
    return this.history.listCallEntries();
  }

  /** Keeps a call (once per call id and conversation); the oldest go past the caps. */
  keep(entry: CallEntry): Promise<void> {
    // One list: two calls ending together must not both read the old one.
    return this.queue.run('calls', async () => {
      const known = await this.history.listCallEntries();
      if (known.some((k) => k.callId === entry.callId && k.conversationId === entry.conversationId)) return;
      await this.history.putCallEntries(capCallEntries([...known, entry]));
    });
  }
}
