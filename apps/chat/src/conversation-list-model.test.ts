import type { CallEntry } from '@parley/contracts';
import type { ConversationSummary, HistoryMessage } from '@parley/messenger';
import { describe, expect, it } from 'vitest';
import { byLatest, filterConversations, isMissedCall, latestEvent, listedConversations } from './conversation-list-model.js';

function message(sentAt: number, body = 'hi'): HistoryMessage {
  return { messageId: `m${sentAt}`, conversationId: 'c', from: { userId: 'u', deviceId: 1 }, direction: 'in', body, sentAt, read: true } as unknown as HistoryMessage;
}

function conversation(id: string, options: { name?: string; handle?: string; lastAt?: number; unread?: number; group?: boolean } = {}): ConversationSummary {
  return {
    conversationId: id,
    peer: { userId: id, displayName: options.name ?? id, handle: options.handle ?? id },
    lastMessage: options.lastAt === undefined ? null : message(options.lastAt),
    unread: options.unread ?? 0,
    ...(options.group ? { kind: 'group' as const } : {}),
  };
}

function call(conversationId: string, startedAt: number, outcome: CallEntry['outcome'], direction: CallEntry['direction'] = 'incoming'): CallEntry {
  return { callId: `call-${startedAt}`, conversationId, peer: { userId: conversationId, displayName: conversationId }, media: 'audio', direction, outcome, startedAt, durationMs: null };
}

const none = { openId: null, withCalls: new Set<string>(), withSchedules: new Set<string>() };

describe('the conversation list', () => {
  it('lists a 1:1 chat once something happened in it, not because its contact was looked up', () => {
    const list = [conversation('talked', { lastAt: 5 }), conversation('looked-up'), conversation('unread', { unread: 1 }), conversation('group', { group: true })];
    expect(listedConversations(list, none).map((c) => c.conversationId)).toEqual(['talked', 'unread', 'group']);
    expect(listedConversations(list, { ...none, withCalls: new Set(['looked-up']) }).map((c) => c.conversationId)).toContain('looked-up');
    expect(listedConversations(list, { ...none, withSchedules: new Set(['looked-up']) }).map((c) => c.conversationId)).toContain('looked-up');
  });

  it('keeps the open conversation, even an empty one, and never lists call-link guests', () => {
    const list = [conversation('new'), conversation('guest', { handle: 'guest.k3x9', lastAt: 9 }), conversation('anon', { handle: '', lastAt: 9 })];
    expect(listedConversations(list, { ...none, openId: 'new' }).map((c) => c.conversationId)).toEqual(['new']);
  });

  it('search keeps the chats whose name or handle contains the words, ignoring case and accents', () => {
    const list = [conversation('a', { name: 'Álice Liddell', handle: 'alice' }), conversation('b', { name: 'Bob Dylan', handle: 'bobby' }), conversation('c', { name: 'Маша', handle: 'masha' })];
    expect(filterConversations(list, 'ALI').map((c) => c.conversationId)).toEqual(['a']);
    expect(filterConversations(list, '@bobby').map((c) => c.conversationId)).toEqual(['b']);
    expect(filterConversations(list, 'маш').map((c) => c.conversationId)).toEqual(['c']);
    expect(filterConversations(list, '  ')).toBe(list);
    expect(filterConversations(list, 'zed')).toEqual([]);
  });

  it('shows the newest of the last message and the last call, and a missed call as missed', () => {
    const talked = conversation('x', { lastAt: 100 });
    expect(latestEvent(talked, undefined)).toMatchObject({ kind: 'message', at: 100 });
    expect(latestEvent(talked, call('x', 200, 'missed'))).toMatchObject({ kind: 'call', at: 200 });
    expect(latestEvent(talked, call('x', 50, 'missed'))).toMatchObject({ kind: 'message' });
    expect(latestEvent(conversation('y'), undefined)).toBeNull();
    expect(isMissedCall(call('x', 1, 'missed'))).toBe(true);
    expect(isMissedCall(call('x', 1, 'missed', 'outgoing'))).toBe(false);
    expect(isMissedCall(call('x', 1, 'hung-up'))).toBe(false);
  });

  it('orders by the latest message or call, most recent first', () => {
    const list = [conversation('old', { lastAt: 10 }), conversation('new', { lastAt: 30 }), conversation('called', { lastAt: 5 }), conversation('empty')];
    const calls = new Map([['called', call('called', 40, 'hung-up')]]);
    expect(byLatest(list, calls).map((c) => c.conversationId)).toEqual(['called', 'new', 'old', 'empty']);
  });
});
