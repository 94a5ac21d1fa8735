import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InMemoryHistoryStore } from '../history-store.js';
import type { HistoryMessage } from '../messenger-api.js';
import { MessageSearch } from './message-search.js';

let clock = 1_000;
function message(conversationId: string, body: string, from = conversationId, messageId = `m${++clock}`): HistoryMessage {
  return { messageId, conversationId, direction: from === 'me' ? 'out' : 'in', from: { userId: from, deviceId: 1 }, body, sentAt: ++clock, storedAt: clock };
}

async function setUp(messages: HistoryMessage[]) {
  const history = new InMemoryHistoryStore();
  for (const m of messages) await history.putMessage(m);
  const conversations = new Set(messages.map((m) => m.conversationId));
  const changes = new Subject<string | null>();
  const reads: string[] = [];
  /** Message ids taken out of the history (a "delete for me"). */
  const deleted = new Set<string>();
  const search = new MessageSearch({
    history: {
      listMessages: async (id) => {
        reads.push(id);
        return (await history.listMessages(id)).filter((m) => !deleted.has(m.messageId));
      },
    },
    conversationIds: async () => [...conversations],
    changes$: changes,
  });
  const bodies = async (query: string) => (await search.search(query)).map((m) => m.body);
  return { history, conversations, changes, search, bodies, reads, deleted };
}

describe('MessageSearch', () => {
  it('finds words across every conversation, most recent first', async () => {
    const { bodies } = await setUp([message('ada', 'Lunch at the café?'), message('g1', 'climbing after lunch', 'bob'), message('ada', 'no lunch today', 'me')]);
    expect(await bodies('lunch')).toEqual(['no lunch today', 'climbing after lunch', 'Lunch at the café?']);
    expect(await bodies('cafe')).toEqual(['Lunch at the café?']);
    expect(await bodies('lunch clim')).toEqual(['climbing after lunch']);
  });

  it('builds once, then reads again only the conversations that changed', async () => {
    const { history, changes, bodies, reads } = await setUp([message('ada', 'first'), message('bob', 'second')]);
    await bodies('first');
    expect(reads.sort()).toEqual(['ada', 'bob']);
    await history.putMessage(message('ada', 'arrived while searching'));
    changes.next('ada');
    expect(await bodies('arrived')).toEqual(['arrived while searching']);
    expect(reads.sort()).toEqual(['ada', 'ada', 'bob']);
    await bodies('second');
    expect(reads).toHaveLength(3);
  });

  it('finds a new conversation, an edited text by its new words, and forgets a deleted message', async () => {
    const first = message('ada', 'meet at noon');
    const { history, conversations, changes, bodies, deleted } = await setUp([first, message('ada', 'keep me')]);
    expect(await bodies('noon')).toEqual(['meet at noon']);
    await history.putMessage({ ...first, body: 'meet at five' });
    changes.next('ada');
    expect(await bodies('noon')).toEqual([]);
    expect(await bodies('five')).toEqual(['meet at five']);
    conversations.add('cat');
    await history.putMessage(message('cat', 'a new friend'));
    changes.next(null);
    expect(await bodies('friend')).toEqual(['a new friend']);
    // Deleted from the store (a "delete for me"): gone from the results after the change.
    deleted.add(first.messageId);
    changes.next('ada');
    expect(await bodies('meet')).toEqual([]);
    expect(await bodies('keep')).toEqual(['keep me']);
  });

  it('returns at most the limit asked for', async () => {
    const { search } = await setUp(Array.from({ length: 30 }, (_, i) => message('ada', `note ${i}`)));
    expect(await search.search('note', 5)).toHaveLength(5);
    expect(await search.search('')).toEqual([]);
  });
});
