// Tests build their fakes from the library's real search; the app itself imports it only lazily (remote-app.tsx, older shells).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { type HistoryMessage, MessageSearch } from '@parley/messenger';
import { BehaviorSubject, distinctUntilChanged, EMPTY, firstValueFrom, map, type Observable } from 'rxjs';
import { FakeMessenger } from './fake-messenger.js';

/**
 * The chat's FakeMessenger with typing indicators (records the drafts the chat reported, and lets a
 * test say who types where) and message search (the messenger's real search over the fake's history).
 */
export class FeatureFakeMessenger extends FakeMessenger {
  /** `conversationId: draft` for every draft change the chat reported. */
  readonly drafts: string[] = [];
  private readonly typists = new BehaviorSubject<ReadonlyMap<string, readonly string[]>>(new Map());

  typingChanged(conversationId: string, draft: string): void {
    this.drafts.push(`${conversationId}: ${draft}`);
  }

  typing$(conversationId: string): Observable<readonly string[]> {
    return this.typists.pipe(
      map((all) => all.get(conversationId) ?? []),
      distinctUntilChanged((a, b) => a.join() === b.join()),
    );
  }

  /** These users now type in `conversationId` (none: nobody). */
  setTyping(conversationId: string, userIds: readonly string[]): void {
    this.typists.next(new Map([...this.typists.value, [conversationId, userIds]]));
  }

  /** The queries the chat searched for. */
  readonly searches: string[] = [];

  async searchMessages(query: string, limit?: number): Promise<readonly HistoryMessage[]> {
    this.searches.push(query);
    const search = new MessageSearch({
      history: { listMessages: (conversationId) => firstValueFrom(this.history$(conversationId)) },
      conversationIds: async () => (await firstValueFrom(this.conversations$)).map((c) => c.conversationId),
      changes$: EMPTY,
    });
    return search.search(query, limit);
  }

  /** Keeps a message as it is (a test builds an outgoing group message with its receipts). */
  keep(message: HistoryMessage): void {
    this.put(message);
  }
}
