/**
 * The calls of each conversation, as the call app reports them on the bus (`call.entry`, one per
 * finished call on this device). The page's one log outlives a remount of the chat; the messenger
 * keeps each call in the device's history too, so a reload reads them back (an older shell's
 * messenger cannot: then they last for the page's life).
 */
import type { CallEntry } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import type { Messenger } from '@parley/messenger';
import { BehaviorSubject, type Observable, distinctUntilChanged, map } from 'rxjs';

const NONE: readonly CallEntry[] = [];

/** Where call entries are kept across reloads: the messenger's optional call history. */
export type CallEntryKeeper = Pick<Messenger, 'callEntries' | 'keepCallEntry'>;

/** Call entries per conversation, oldest first, each call once. */
export class CallLog {
  private readonly byConversation = new BehaviorSubject<ReadonlyMap<string, readonly CallEntry[]>>(new Map());

  /**
   * Records `call.entry` events from `bus` until the returned function is called, and keeps them
   * with `keeper` (whose earlier calls it reads back first).
   */
  listen(bus: EventBus, keeper?: CallEntryKeeper): () => void {
    let listening = true;
    keeper?.callEntries?.().then(
      (kept) => {
        if (listening) for (const entry of kept) this.add(entry);
      },
      // The device's history could not be read: this page's calls still show.
      () => undefined,
    );
    const subscription = bus.on('call.entry').subscribe((entry) => {
      // A call not kept (a full or failing store) still shows for the page's life.
      if (this.add(entry)) keeper?.keepCallEntry?.(entry).catch(() => undefined);
    });
    return () => {
      listening = false;
      subscription.unsubscribe();
    };
  }

  /** Adds a call; false when it is there already. */
  add(entry: CallEntry): boolean {
    const current = this.byConversation.getValue();
    const list = current.get(entry.conversationId) ?? NONE;
    if (list.some((known) => known.callId === entry.callId)) return false;
    const next = new Map(current);
    next.set(entry.conversationId, [...list, entry].sort((a, b) => a.startedAt - b.startedAt));
    this.byConversation.next(next);
    return true;
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
