import { DELETE_FOR_EVERYONE_LIMIT_MS, type MessageActionContent } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { type ActionContext, applyAction, refusalOf } from './message-action-rules.js';
import type { HistoryMessage } from './messenger-api.js';

const sentAt = 1_700_000_000_000;
/** Ada's message in Bob's 1:1 conversation with her, as Bob keeps it. */
const message: HistoryMessage = {
  messageId: 'm-1',
  conversationId: 'ada',
  direction: 'in',
  from: { userId: 'ada', deviceId: 1 },
  body: 'coffee at 10?',
  sentAt,
  storedAt: sentAt,
  read: false,
};
const target = { authorUserId: 'ada', messageId: 'm-1' };
const fromAda: ActionContext = { senderUserId: 'ada', selfUserId: 'bob', conversationId: 'ada', receivedAt: sentAt + 1000 };
const edit = (body: string, at = sentAt + 1000): MessageActionContent => ({ type: 'edit', conversationId: 'bob', target, sentAt: at, body });
const react = (emoji: string, at = sentAt + 1000): MessageActionContent => ({ type: 'reaction', conversationId: 'bob', target, sentAt: at, emoji });
const deleteFor = (scope: 'everyone' | 'me'): MessageActionContent => ({ type: 'delete', conversationId: 'bob', target, sentAt: sentAt + 1000, for: scope });

describe('who may do what', () => {
  it('lets the author edit and delete for everyone, and anyone in the conversation react', () => {
    expect(refusalOf(edit('coffee at 11?'), message, fromAda)).toBeNull();
    expect(refusalOf(deleteFor('everyone'), message, fromAda)).toBeNull();
    expect(refusalOf(react('👍'), message, { ...fromAda, senderUserId: 'bob' })).toBeNull();
  });

  it('refuses an edit or a deletion by someone else, even in the conversation', () => {
    const fromBob = { ...fromAda, senderUserId: 'bob' };
    expect(refusalOf(edit('forged'), message, fromBob)).toBe('only the author edits a message');
    expect(refusalOf(deleteFor('everyone'), message, fromBob)).toBe('only the author deletes a message for everyone');
  });

  it('refuses anything from outside the conversation, or about a message of another one', () => {
    expect(refusalOf(react('💩'), message, { ...fromAda, senderUserId: 'cat', conversationId: null })).toBe('the sender is not part of this conversation');
    expect(refusalOf(react('💩'), message, { ...fromAda, senderUserId: 'cat', conversationId: 'cat' })).toBe('no such message in this conversation');
    expect(refusalOf(react('👍'), undefined, fromAda)).toBe('no such message in this conversation');
  });

  it('accepts delete for me only from this account’s own devices', () => {
    expect(refusalOf(deleteFor('me'), message, fromAda)).toBe('only this account deletes for itself');
    expect(refusalOf(deleteFor('me'), message, { ...fromAda, senderUserId: 'bob' })).toBeNull();
  });

  it('refuses a delete for everyone the server took after the limit (with a few minutes for clocks)', () => {
    expect(refusalOf(deleteFor('everyone'), message, { ...fromAda, receivedAt: sentAt + DELETE_FOR_EVERYONE_LIMIT_MS + 60_000 })).toBeNull();
    expect(refusalOf(deleteFor('everyone'), message, { ...fromAda, receivedAt: sentAt + DELETE_FOR_EVERYONE_LIMIT_MS + 3_600_000 })).toBe('too late to delete for everyone');
  });
});

describe('applying an action', () => {
  it('an edit replaces the text and says when; an older edit than the one shown changes nothing', () => {
    const edited = applyAction(message, edit('coffee at 11?', sentAt + 2000), 'ada');
    expect(edited).toMatchObject({ body: 'coffee at 11?', editedAt: sentAt + 2000 });
    expect(applyAction(edited, edit('coffee at 10:30?', sentAt + 1500), 'ada')).toBe(edited);
  });

  it('keeps one reaction per person: the later replaces, an empty one removes', () => {
    const thumbs = applyAction(message, react('👍'), 'bob');
    const both = applyAction(thumbs, react('😂'), 'cat');
    expect(both.reactions).toEqual({ bob: { emoji: '👍', at: sentAt + 1000 }, cat: { emoji: '😂', at: sentAt + 1000 } });
    const replaced = applyAction(both, react('❤️', sentAt + 3000), 'bob');
    expect(replaced.reactions?.['bob']?.emoji).toBe('❤️');
    expect(applyAction(replaced, react('👎', sentAt + 2000), 'bob')).toBe(replaced);
    const removed = applyAction(applyAction(replaced, react('', sentAt + 4000), 'bob'), react('', sentAt + 4000), 'cat');
    expect(removed.reactions).toBeUndefined();
  });

  it('a delete for everyone leaves a tombstone without the text, quote or reactions, and nothing changes it after', () => {
    const rich = applyAction({ ...message, quote: { authorUserId: 'bob', messageId: 'm-0', excerpt: 'tea?' } }, react('👍'), 'bob');
    const tombstone = applyAction(rich, deleteFor('everyone'), 'ada');
    expect(tombstone).toMatchObject({ body: '', deletedAt: sentAt + 1000 });
    expect(tombstone.quote).toBeUndefined();
    expect(tombstone.reactions).toBeUndefined();
    expect(applyAction(tombstone, edit('back'), 'ada')).toBe(tombstone);
    expect(applyAction(tombstone, react('👍'), 'bob')).toBe(tombstone);
  });

  it('a delete for me hides the message and no longer counts it unread', () => {
    expect(applyAction(message, deleteFor('me'), 'bob')).toMatchObject({ body: '', hidden: true, read: true });
  });
});
