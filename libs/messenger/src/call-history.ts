import type { CallEntry, CallHistorySyncContent } from '@parley/contracts';
import { BehaviorSubject, Observable } from 'rxjs';
import { type FailureSink, inBackground } from './errors.js';
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
 * A call another device of this user reported, as this device shows it: an incoming call taken
 * there was answered on another device here (with its duration); everything else reads the same.
 */
export function seenFromSibling(entry: CallEntry): CallEntry {
  return entry.direction === 'incoming' && entry.outcome === 'hung-up' ? { ...entry, outcome: 'answered-elsewhere' } : entry;
}

/** How much a view of a call says: the one that says more wins when two devices' views meet. */
function weight(entry: CallEntry): number {
  switch (entry.outcome) {
    case 'hung-up':
      return 7;
    case 'answered-elsewhere':
      return entry.durationMs === null ? 5 : 6;
    case 'declined':
      return 4;
    case 'failed':
      return 3;
    case 'busy':
    case 'cancelled':
      return 2;
    case 'missed':
      return 1;
  }
}

/**
 * One call as this device knows it from two views (its own, another device's): the one that says
 * more, e.g. "answered on another device" over a bare ring, and that one with its duration.
 */
export function mergeCallViews(known: CallEntry, next: CallEntry): CallEntry {
  return weight(next) > weight(known) ? next : known;
}

/** What this device's call history is: every call, and which missed calls were seen. */
export interface CallHistoryApi {
  /** Every kept call, oldest first; emits again on any change. */
  readonly entries$: Observable<readonly CallEntry[]>;
  /** Missed calls started at or before this moment (ms) were seen on one of this user's devices. */
  readonly seenUpTo$: Observable<number>;
  /** Keeps a call this device had and tells this user's other devices (once per call id). */
  keep(entry: CallEntry): Promise<void>;
  /** The user saw the calls (opened the Calls view) up to `at`: kept, and told to the other devices. */
  markSeen(at: number): Promise<void>;
}

/** What {@link CallHistory} needs around it. */
export interface CallHistoryOptions {
  readonly history: HistoryStore;
  /** This account's user id: sync is accepted only from it. */
  readonly selfUserId: string;
  /** Sends sync content to this account's other devices (absent: nothing is told). */
  readonly tellOwnDevices?: (content: CallHistorySyncContent) => Promise<void>;
  /** Failures of telling the other devices, which nobody awaits. */
  readonly onFailure?: FailureSink;
}

/**
 * The calls this device had (the call app's `call.entry` events, which the chat hands over) and
 * those its sibling devices told it of, kept in the history store beside the messages so a reload
 * still shows them: each call once by call id (two views of one call merged, see
 * {@link mergeCallViews}), capped; with the "seen up to" mark of the missed-call badge.
 */
export class CallHistory implements CallHistoryApi {
  private readonly queue = new KeyedQueue();
  private readonly current = new BehaviorSubject<readonly CallEntry[] | null>(null);
  private readonly seen = new BehaviorSubject<number | null>(null);
  readonly entries$: Observable<readonly CallEntry[]>;
  readonly seenUpTo$: Observable<number>;

  constructor(private readonly options: CallHistoryOptions) {
    this.entries$ = new Observable<readonly CallEntry[]>((subscriber) => {
      if (this.current.getValue() === null) void this.entries();
      return this.current.subscribe((list) => list !== null && subscriber.next(list));
    });
    this.seenUpTo$ = new Observable<number>((subscriber) => {
      if (this.seen.getValue() === null) void this.loadSeen();
      return this.seen.subscribe((at) => at !== null && subscriber.next(at));
    });
  }

  /** Every kept call, oldest first. */
  async entries(): Promise<readonly CallEntry[]> {
    const list = await this.options.history.listCallEntries();
    if (this.current.getValue() === null) this.current.next(list);
    return list;
  }

  /** Keeps a call this device had; this user's other devices are told when it was news. */
  async keep(entry: CallEntry): Promise<void> {
    if (await this.merge([entry])) this.tell({ type: 'call-history', entries: [entry] });
  }

  async markSeen(at: number): Promise<void> {
    if (await this.raiseSeen(at)) this.tell({ type: 'call-history', entries: [], seenUpTo: at });
  }

  /**
   * Sync content from a device of `from.userId`: kept only from this account's own devices (a
   * contact cannot write this user's call history). True when it was accepted.
   */
  async receive(from: { readonly userId: string }, content: CallHistorySyncContent): Promise<boolean> {
    if (from.userId !== this.options.selfUserId) return false;
    await this.merge(content.entries.map(seenFromSibling));
    if (content.seenUpTo !== undefined) await this.raiseSeen(content.seenUpTo);
    return true;
  }

  /** Merges views of calls into the kept list; true when anything changed. */
  private merge(entries: readonly CallEntry[]): Promise<boolean> {
    // One list: two calls ending together must not both read the old one.
    return this.queue.run('calls', async () => {
      const known = await this.options.history.listCallEntries();
      const byId = new Map(known.map((entry) => [entry.callId, entry]));
      let changed = false;
      for (const entry of entries) {
        const before = byId.get(entry.callId);
        const after = before === undefined ? entry : mergeCallViews(before, entry);
        if (after !== before) {
          byId.set(entry.callId, after);
          changed = true;
        }
      }
      if (!changed) {
        if (this.current.getValue() === null) this.current.next(known);
        return false;
      }
      const next = capCallEntries([...byId.values()]);
      await this.options.history.putCallEntries(next);
      this.current.next(next);
      return true;
    });
  }

  private raiseSeen(at: number): Promise<boolean> {
    return this.queue.run('seen', async () => {
      const known = await this.options.history.getCallsSeenUpTo();
      if (at <= known) {
        if (this.seen.getValue() === null) this.seen.next(known);
        return false;
      }
      await this.options.history.putCallsSeenUpTo(at);
      this.seen.next(at);
      return true;
    });
  }

  private async loadSeen(): Promise<void> {
    const at = await this.queue.run('seen', () => this.options.history.getCallsSeenUpTo());
    if (this.seen.getValue() === null) this.seen.next(at);
  }

  private tell(content: CallHistorySyncContent): void {
    const { tellOwnDevices, onFailure } = this.options;
    if (tellOwnDevices) inBackground(tellOwnDevices(content), onFailure ?? (() => undefined));
  }
}
