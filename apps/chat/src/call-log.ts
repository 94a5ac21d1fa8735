/**
 * The calls of each conversation, as the call app reports them on the bus (`call.entry`, one per
 * finished call on this device). Kept in memory for the page's life: the page's one log outlives a
 * remount of the chat, not a reload (call entries are not in the messenger's history store).
 */
import type { CallEntry } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import { BehaviorSubject, type Observable, distinctUntilChanged, map } from 'rxjs';

const NONE: readonly CallEntry[] = [];

/** Call entries per conversation, oldest first, each call once. */
export class CallLog {
  private readonly byConversation = new BehaviorSubject<ReadonlyMap<string, readonly CallEntry[]>>(new Map());

  /** Records `call.entry` events from `bus` until the returned function is called. */
  listen(bus: EventBus): () => void {
    const subscription = bus.on('call.entry').subscribe((entry) => this.add(entry));
    return () => subscription.unsubscribe();
  }

  add(entry: CallEntry): void {
    const current = this.byConversation.getValue();
    const list = current.get(entry.conversationId) ?? NONE;
    if (list.some((known) => known.callId === entry.callId)) return;
    const next = new Map(current);
    next.set(entry.conversationId, [...list, entry].sort((a, b) => a.startedAt - b.startedAt));
    this.byConversation.next(next);
  }

  /** The latest call of each conversation that had one; emits again when a call is added. */
  latest$(): Observable<ReadonlyMap<string, CallEntry>> {
    return this.byConversation.pipe(map((all) => new Map([...all].flatMap(([id, list]) => (list.length > 0 ? [[id, list[list.length - 1]!] as const] : [])))));
  }

  /** One conversation's calls; emits again when one is added. */
  entries$(conversationId: string): Observable<readonly CallEntry[]> {
    return this.byConversation.pipe(
      map((all) => all.get(conversationId) ?? NONE),
      distinctUntilChanged(),
    );
  }
}

/** The page's log: the chat remote records into it while mounted. */
export const pageCallLog = new CallLog();
