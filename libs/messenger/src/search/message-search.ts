import type { Observable, Subscription } from 'rxjs';
import type { HistoryStore } from '../history-store.js';
import type { HistoryMessage } from '../messenger-api.js';
import { InvertedIndex } from './inverted-index.js';
import { isEmptyQuery, parseQuery, tokenize } from './search-tokens.js';

/** How many results a search returns unless asked for another number. */
export const DEFAULT_SEARCH_LIMIT = 50;

/** What the search reads: the history, which conversations exist, and which of them changed. */
export interface MessageSearchSources {
  readonly history: Pick<HistoryStore, 'listMessages'>;
  /** Every conversation id (1:1 peers and groups). */
  readonly conversationIds: () => Promise<readonly string[]>;
  /** A conversation id whose history changed; null when the list of conversations did. */
  readonly changes$: Observable<string | null>;
}

interface IndexedMessage {
  readonly message: HistoryMessage;
  readonly key: string;
}

const newerFirst = (a: HistoryMessage, b: HistoryMessage) => b.sentAt - a.sentAt || b.storedAt - a.storedAt;

/**
 * The `limit` most recent of `docs`, newest first, without sorting them all: a common word matches
 * tens of thousands of messages, of which the list shows fifty.
 */
function mostRecent(docs: Iterable<number>, messageOf: (doc: number) => HistoryMessage, limit: number): HistoryMessage[] {
  const top: HistoryMessage[] = [];
  if (limit <= 0) return top;
  for (const doc of docs) {
    const message = messageOf(doc);
    if (top.length === limit && newerFirst(message, top[limit - 1]!) >= 0) continue;
    let at = top.length;
    while (at > 0 && newerFirst(message, top[at - 1]!) < 0) at--;
    top.splice(at, 0, message);
    if (top.length > limit) top.pop();
  }
  return top;
}

const keyOf = (message: HistoryMessage) => `${message.from.userId}\n${message.messageId}`;

/**
 * Message search on this device (the server holds only ciphertext): an in-memory inverted index
 * built from the history store on the first search and kept current from then on — a conversation
 * whose history changed is read again before the next search, so whatever arrived (also what the
 * server queued while the tab was closed, delivered at the next start) is found. Nothing of the
 * index is written anywhere: it is derived from the history, which stays the one source of truth.
 */
export class MessageSearch {
  private readonly index = new InvertedIndex();
  private readonly docs: (IndexedMessage | undefined)[] = [];
  private readonly docOf = new Map<string, number>();
  private readonly docsIn = new Map<string, Set<number>>();
  private readonly freeDocs: number[] = [];
  private readonly stale = new Set<string>();
  private listStale = false;
  private built = false;
  private running: Promise<unknown> = Promise.resolve();
  private readonly subscription: Subscription;

  constructor(private readonly sources: MessageSearchSources) {
    this.subscription = sources.changes$.subscribe((conversationId) => {
      if (conversationId === null) this.listStale = true;
      else this.stale.add(conversationId);
    });
  }

  /** Messages in indexed conversations. */
  get size(): number {
    return this.index.size;
  }

  /**
   * The messages that have every word of `text` (the last one as a prefix while it is typed), most
   * recent first, at most `limit`.
   */
  search(text: string, limit = DEFAULT_SEARCH_LIMIT): Promise<readonly HistoryMessage[]> {
    const run = this.running.then(async () => {
      await this.catchUp();
      const query = parseQuery(text);
      if (isEmptyQuery(query)) return [];
      return mostRecent(this.index.match(query), (doc) => this.docs[doc]!.message, limit);
    });
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Reads every conversation into the index now (otherwise the first search does). */
  warmUp(): Promise<void> {
    const run = this.running.then(() => this.catchUp());
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Stops following changes (sign-out). */
  close(): void {
    this.subscription.unsubscribe();
  }

  private async catchUp(): Promise<void> {
    if (!this.built || this.listStale) {
      this.listStale = false;
      this.stale.clear();
      const ids = await this.sources.conversationIds();
      for (const conversationId of ids) if (!this.built || !this.docsIn.has(conversationId)) await this.reindex(conversationId);
      this.built = true;
    }
    const stale = [...this.stale];
    this.stale.clear();
    for (const conversationId of stale) await this.reindex(conversationId);
  }

  /** Brings one conversation's messages in the index up to date with the history store. */
  private async reindex(conversationId: string): Promise<void> {
    const messages = await this.sources.history.listMessages(conversationId);
    const before = this.docsIn.get(conversationId) ?? new Set<number>();
    const now = new Set<number>();
    for (const message of messages) now.add(this.put(message));
    for (const doc of before) if (!now.has(doc)) this.remove(doc);
    this.docsIn.set(conversationId, now);
  }

  /** Indexes a message (again only when its text changed); its document number. */
  private put(message: HistoryMessage): number {
    const key = keyOf(message);
    const existing = this.docOf.get(key);
    if (existing !== undefined) {
      const previous = this.docs[existing]!;
      this.docs[existing] = { message, key };
      if (previous.message.body !== message.body) this.index.set(existing, tokenize(message.body));
      return existing;
    }
    const doc = this.freeDocs.pop() ?? this.docs.length;
    this.docs[doc] = { message, key };
    this.docOf.set(key, doc);
    this.index.set(doc, tokenize(message.body));
    return doc;
  }

  private remove(doc: number): void {
    const indexed = this.docs[doc];
    if (indexed === undefined) return;
    this.index.delete(doc);
    this.docOf.delete(indexed.key);
    this.docs[doc] = undefined;
    this.freeDocs.push(doc);
  }
}
