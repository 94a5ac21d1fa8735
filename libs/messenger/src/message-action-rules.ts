import { DELETE_FOR_EVERYONE_CLOCK_SKEW_MS, deleteForEveryoneOpen, type MessageActionContent } from '@parley/contracts';
import type { HistoryMessage, MessageReaction } from './messenger-api.js';

/** Who sent an action and where it belongs, as the receiver worked it out (see MessageActions). */
export interface ActionContext {
  /** The user whose device sent the action. */
  readonly senderUserId: string;
  readonly selfUserId: string;
  /** The conversation the action belongs to on this device (null: the sender is not part of it). */
  readonly conversationId: string | null;
  /** When the server took the action (else this device's clock), ms. */
  readonly receivedAt: number;
}

/**
 * Why an action is refused, or null when it may be applied to `message` (the target, as this
 * device keeps it). Signal's rules: anyone in the conversation reacts; only the author edits or
 * deletes for everyone, the latter within the time limit; only this account's own devices delete
 * for this account.
 */
export function refusalOf(action: MessageActionContent, message: HistoryMessage | undefined, context: ActionContext): string | null {
  if (context.conversationId === null) return 'the sender is not part of this conversation';
  if (message === undefined || message.conversationId !== context.conversationId) return 'no such message in this conversation';
  const byAuthor = context.senderUserId === message.from.userId;
  if (action.type === 'edit' && !byAuthor) return 'only the author edits a message';
  if (action.type === 'delete' && action.for === 'everyone') {
    if (!byAuthor) return 'only the author deletes a message for everyone';
    if (!deleteForEveryoneOpen(message.sentAt, context.receivedAt, DELETE_FOR_EVERYONE_CLOCK_SKEW_MS)) return 'too late to delete for everyone';
  }
  if (action.type === 'delete' && action.for === 'me' && context.senderUserId !== context.selfUserId) return 'only this account deletes for itself';
  return null;
}

/**
 * `message` with the (accepted) action applied, or `message` itself when nothing changes: an action
 * older than what the message already shows, or anything but a deletion on a deleted message.
 */
export function applyAction(message: HistoryMessage, action: MessageActionContent, senderUserId: string): HistoryMessage {
  if (message.hidden === true) return message;
  if (action.type === 'delete') return action.for === 'me' ? hiddenMessage(message) : deletedForEveryone(message, action.sentAt);
  if (message.deletedAt !== undefined) return message;
  if (action.type === 'edit') {
    if (message.editedAt !== undefined && message.editedAt >= action.sentAt) return message;
    if (message.body === action.body) return message;
    return { ...message, body: action.body, editedAt: action.sentAt };
  }
  return withReaction(message, senderUserId, { emoji: action.emoji, at: action.sentAt });
}

/** One person's reaction replaces theirs (when later); an empty one takes theirs back. */
function withReaction(message: HistoryMessage, userId: string, reaction: MessageReaction): HistoryMessage {
  const current = message.reactions?.[userId];
  if (current !== undefined && current.at >= reaction.at) return message;
  if (current === undefined && reaction.emoji === '') return message;
  const { [userId]: _previous, ...others } = message.reactions ?? {};
  const reactions = reaction.emoji === '' ? others : { ...others, [userId]: reaction };
  const { reactions: _old, ...rest } = message;
  return Object.keys(reactions).length === 0 ? rest : { ...rest, reactions };
}

/** The tombstone: what was said, attached, quoted and reacted is gone from this device, only the fact stays. */
function deletedForEveryone(message: HistoryMessage, at: number): HistoryMessage {
  if (message.deletedAt !== undefined) return message;
  const { quote: _quote, reactions: _reactions, editedAt: _editedAt, attachments: _attachments, ...rest } = message;
  return { ...rest, body: '', deletedAt: at };
}

/** Deleted for me: nothing of it stays but its key (an unread one no longer counts). */
function hiddenMessage(message: HistoryMessage): HistoryMessage {
  const { quote: _quote, reactions: _reactions, editedAt: _editedAt, deletedAt: _deletedAt, attachments: _attachments, ...rest } = message;
  return { ...rest, body: '', hidden: true, ...(message.direction === 'in' ? { read: true } : {}) };
}
