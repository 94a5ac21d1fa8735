import { ManualClock } from '@parley/clock/testing';
import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { conversationSummary } from './conversation-list.js';
import { ConversationChanges } from './conversation-changes.js';
import { ConversationLog, laterDelivery } from './conversation-log.js';
import { InMemoryHistoryStore } from './history-store.js';

const self = { userId: 'ada', deviceId: 1, handle: 'ada', displayName: 'Ada' };

function log() {
  const changes = new ConversationChanges();
  const clock = new ManualClock(1_000);
  const history = new InMemoryHistoryStore();
  return { log: new ConversationLog(history, self, changes, clock), changes, clock, history };
}

describe('delivery ticks', () => {
  it('only move forward, and failed replaces only sending', () => {
    expect(laterDelivery('sending', 'sent')).toBe('sent');
    expect(laterDelivery('delivered', 'sent')).toBe('delivered');
    expect(laterDelivery('read', 'delivered')).toBe('read');
    expect(laterDelivery('sending', 'failed')).toBe('failed');
    expect(laterDelivery('sent', 'failed')).toBe('sent');
    expect(laterDelivery('failed', 'sent')).toBe('sent');
  });
});

describe('the conversation log', () => {
  it('keeps an outgoing text as sending, then its ticks, and says which conversation changed each time', async () => {
    const { log: conversations, changes } = log();
    const seen = firstValueFrom(changes.of$('bob').pipe(take(4), toArray()));
    const message = await conversations.addOutgoing('m1', { type: 'text', conversationId: 'bob', body: 'hi', sentAt: 900 });
    expect(message).toMatchObject({ direction: 'out', delivery: 'sending', storedAt: 1_000, sentAt: 900 });
    await conversations.setDelivery('m1', 'delivered');
    // Nothing changes when a tick would go back: no reload either.
    expect(await conversations.setDelivery('m1', 'sent')).toMatchObject({ delivery: 'delivered' });
    await conversations.setDelivery('m1', 'read');
    expect(await seen).toEqual(['bob', 'bob', 'bob', 'bob']);
    expect((await conversations.messages('bob')).map((m) => m.delivery)).toEqual(['read']);
  });

  it("keeps a peer's text unread and a copy of this account's own as sent; read once, counted in the summary", async () => {
    const { log: conversations, clock, history } = log();
    await conversations.addArrived({ messageId: 'm1', conversationId: 'bob', from: { userId: 'bob', deviceId: 1 }, content: { type: 'text', conversationId: 'ada', body: 'hi', sentAt: 1 } });
    clock.advance(5);
    await conversations.addArrived({ messageId: 'm2', conversationId: 'bob', from: { userId: 'ada', deviceId: 2 }, content: { type: 'text', conversationId: 'bob', body: 'hello', sentAt: 2 } });
    expect((await conversations.messages('bob')).map((m) => [m.direction, m.read, m.delivery])).toEqual([
      ['in', false, undefined],
      ['out', undefined, 'sent'],
    ]);
    const peer = { userId: 'bob', displayName: 'Bob', handle: 'bob' };
    expect(await conversationSummary(history, 'bob', peer)).toMatchObject({ unread: 1, lastMessage: { body: 'hello', storedAt: 1_005 } });
    expect(await conversations.markRead('bob', 'm1')).toBe(true);
    expect(await conversations.markRead('bob', 'm1')).toBe(false);
    expect(await conversations.has('bob', 'm1')).toBe(true);
    expect(await conversationSummary(history, 'bob', peer)).toMatchObject({ unread: 0 });
  });
});
