/**
 * The calls the chat shows (the Calls view, the conversation list's previews and badges, the
 * conversations' call lines), as the call app reports them on the bus (`call.entry`, one per
 * finished call on this device) and as the messenger's call history keeps them: this device's
 * calls and its sibling devices' (synced over Signal), across reloads. The page's one log outlives
 * a remount of the chat. An older shell's messenger without the call history keeps only this
 * device's calls (`callEntries`/`keepCallEntry`); one older still keeps none: then the calls last
 * for the page's life.
 */
import type { CallEntry } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import type { CallHistoryApi, Messenger } from '@parley/messenger';
import { BehaviorSubject, type Observable, combineLatest, distinctUntilChanged, map } from 'rxjs';
import { isMissedCall } from './conversation-list-model.js';

const NONE: readonly CallEntry[] = [];

/** Where call entries are kept across reloads: the messenger's optional call history. */
export type CallEntryKeeper = Pick<Messenger, 'callEntries' | 'keepCallEntry' | 'callHistory'>;

/** Missed calls not seen yet: in all, and per conversation. */
export interface UnseenMissedCalls {
  readonly total: number;
  readonly byConversation: ReadonlyMap<string, number>;
}

/** Missed calls that started after `seenUpTo` (the Calls view was last opened then). */
export function unseenMissedCalls(calls: Iterable<CallEntry>, seenUpTo: number): UnseenMissedCalls {
  const byConversation = new Map<string, number>();
  let total = 0;
  for (const call of calls) {
    if (!isMissedCall(call) || call.startedAt <= seenUpTo) continue;
    total++;
    byConversation.set(call.conversationId, (byConversation.get(call.conversationId) ?? 0) + 1);
  }
  return { total, byConversation };
}

/** Every call this page knows, each once by call id. */
export class CallLog {
  private readonly calls = new BehaviorSubject<ReadonlyMap<string, CallEntry>>(new Map());
  private readonly seenUpTo = new BehaviorSubject<number>(0);
  private history: CallHistoryApi | null = null;

  /**
   * Records `call.entry` events from `bus` until the returned function is called, and keeps them
   * with `keeper` (whose calls, and with a call history every later change, it reads).
   */
  listen(bus: EventBus, keeper?: CallEntryKeeper): () => void {
    let listening = true;
    const history = keeper?.callHistory?.() ?? null;
    this.history = history;
    const kept = history
      ? [
          history.entries$.subscribe((list) => this.replaceKept(list)),
          history.seenUpTo$.subscribe((at) => this.seenUpTo.next(Math.max(at, this.seenUpTo.getValue()))),
        ]
      : [];
    if (!history) {
      keeper?.callEntries?.().then(
        (list) => {
          if (listening) for (const entry of list) this.add(entry);
        },
        // The device's history could not be read: this page's calls still show.
        () => undefined,
      );
    }
    const subscription = bus.on('call.entry').subscribe((entry) => {
      // A call not kept (a full or failing store) still shows for the page's life.
      const added = this.add(entry);
      // The history always hears this device's view: another device may have told it of the call
      // first (this device took the call its sibling reported as answered elsewhere), and it
      // merges the two; what it keeps then comes back through `entries$`.
      if (history) history.keep(entry).catch(() => undefined);
      else if (added) keeper?.keepCallEntry?.(entry).catch(() => undefined);
    });
    return () => {
      listening = false;
      if (this.history === history) this.history = null;
      for (const s of [subscription, ...kept]) s.unsubscribe();
    };
  }

  /** Adds a call; false when it is there already. */
  add(entry: CallEntry): boolean {
    const current = this.calls.getValue();
    if (current.has(entry.callId)) return false;
    this.calls.next(new Map(current).set(entry.callId, entry));
    return true;
  }

  /** The user saw the missed calls up to `at` (opened the Calls view): the badges clear, on every device. */
  markSeen(at: number): void {
    if (at <= this.seenUpTo.getValue()) return;
    this.seenUpTo.next(at);
    this.history?.markSeen(at).catch(() => undefined);
  }

  /** Every call, newest first; emits again on any change. */
  all$(): Observable<readonly CallEntry[]> {
    return this.calls.pipe(map((all) => [...all.values()].sort((a, b) => b.startedAt - a.startedAt)));
  }

  /** The latest call of each conversation that had one; emits again when a call is added. */
  latest$(): Observable<ReadonlyMap<string, CallEntry>> {
    return this.calls.pipe(
      map((all) => {
        const latest = new Map<string, CallEntry>();
        for (const call of all.values()) {
          const known = latest.get(call.conversationId);
          if (!known || known.startedAt <= call.startedAt) latest.set(call.conversationId, call);
        }
        return latest;
      }),
    );
  }

  /** One conversation's calls, oldest first; emits again when they change. */
  entries$(conversationId: string): Observable<readonly CallEntry[]> {
    return this.calls.pipe(
      map((all) => [...all.values()].filter((call) => call.conversationId === conversationId).sort((a, b) => a.startedAt - b.startedAt)),
      distinctUntilChanged((a, b) => a.length === b.length && a.every((call, i) => call === b[i])),
      map((list) => (list.length === 0 ? NONE : list)),
    );
  }

  /** Missed calls not seen yet (the Calls view not opened since they came), in all and per conversation. */
  unseenMissed$(): Observable<UnseenMissedCalls> {
    return combineLatest([this.calls, this.seenUpTo]).pipe(map(([all, seenUpTo]) => unseenMissedCalls(all.values(), seenUpTo)));
  }

  /** The kept list is the truth for what it holds (another device may have said more of a call). */
  private replaceKept(list: readonly CallEntry[]): void {
    const next = new Map(this.calls.getValue());
    let changed = false;
    for (const entry of list) {
      if (next.get(entry.callId) === entry) continue;
      next.set(entry.callId, entry);
      changed = true;
    }
    if (changed) this.calls.next(next);
  }
}

/** The page's log: the chat remote records into it while mounted. */
export const pageCallLog = new CallLog();
