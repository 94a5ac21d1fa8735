import type { WallClock } from '@parley/clock';
import {
  ContentSchema,
  deleteForEveryoneOpen,
  type DeliverFrame,
  type MessageActionContent,
  type MessageRef,
  type Quote,
  quoteExcerpt,
} from '@parley/contracts';
import type { ConversationChanges } from './conversation-changes.js';
import type { ConversationLog } from './conversation-log.js';
import { type FailureSink, inBackground, MessengerError } from './errors.js';
import type { GroupStore } from './group-store.js';
import { type ActionContext, applyAction, refusalOf } from './message-action-rules.js';
import type { HistoryMessage } from './messenger-api.js';
import type { MessengerSelf } from './signal-sessions.js';

/** Replies, reactions, edits and deletions, as the chat uses them (`Messenger.messageActions`). */
export interface MessageActionApi {
  /** Sends `body` as a reply quoting `to` (a message of `conversationId`). */
  reply(conversationId: string, body: string, to: HistoryMessage): Promise<HistoryMessage>;
  /** Sets this user's reaction to a message (one per person); an empty `emoji` takes it back. */
  react(conversationId: string, target: MessageRef, emoji: string): Promise<void>;
  /** Replaces the text of one of this user's messages, everywhere it went. */
  edit(conversationId: string, messageId: string, body: string): Promise<void>;
  /** Replaces one of this user's messages with a tombstone everywhere, within the time limit. */
  deleteForEveryone(conversationId: string, messageId: string): Promise<void>;
  /** Hides a message on every device of this account; the others keep theirs. */
  deleteForMe(conversationId: string, target: MessageRef): Promise<void>;
  /** Whether "Delete for everyone" is still offered for `message` (this user's, within the limit). */
  canDeleteForEveryone(message: HistoryMessage): boolean;
}

/** What message actions are built from. */
export interface MessageActionsOptions {
  readonly self: MessengerSelf;
  readonly log: ConversationLog;
  readonly groups: GroupStore;
  readonly changes: ConversationChanges;
  /** Sends content over the pairwise sessions to every device of a user (this account: its other devices). */
  readonly sendContent: (toUserId: string, content: MessageActionContent) => Promise<void>;
  /** Sends a text (1:1 or group) carrying a quote. */
  readonly sendText: (conversationId: string, body: string, quote: Quote) => Promise<HistoryMessage>;
  readonly clock: WallClock;
  readonly onFailure: FailureSink;
}

/**
 * Message actions end to end: applied here first, then sent over the pairwise sessions to the other
 * side (each member of a group: actions are rare and small, and pairwise they need no sender key)
 * and to this account's other devices; received ones are checked (who may do what, where) and
 * applied to the stored history, so a reload shows them. Anything refused is dropped silently, as
 * Signal does: a forged edit must not even leave a trace the forger could observe.
 */
export class MessageActions implements MessageActionApi {
  constructor(private readonly options: MessageActionsOptions) {}

  async reply(conversationId: string, body: string, to: HistoryMessage): Promise<HistoryMessage> {
    if (to.conversationId !== conversationId || to.deletedAt !== undefined || to.hidden === true) throw new MessengerError('invalid', 'that message cannot be quoted');
    return this.options.sendText(conversationId, body, { authorUserId: to.from.userId, messageId: to.messageId, excerpt: quoteExcerpt(to.body) });
  }

  async react(conversationId: string, target: MessageRef, emoji: string): Promise<void> {
    await this.act({ type: 'reaction', conversationId, target, sentAt: this.options.clock.now(), emoji });
  }

  async edit(conversationId: string, messageId: string, body: string): Promise<void> {
    const trimmed = body.trim();
    await this.act({ type: 'edit', conversationId, target: this.own(messageId), sentAt: this.options.clock.now(), body: trimmed });
  }

  async deleteForEveryone(conversationId: string, messageId: string): Promise<void> {
    const message = await this.options.log.get(this.options.self.userId, messageId);
    if (message === undefined || !this.canDeleteForEveryone(message)) throw new MessengerError('invalid', 'too late to delete this message for everyone');
    await this.act({ type: 'delete', conversationId, target: this.own(messageId), sentAt: this.options.clock.now(), for: 'everyone' });
  }

  async deleteForMe(conversationId: string, target: MessageRef): Promise<void> {
    await this.act({ type: 'delete', conversationId, target, sentAt: this.options.clock.now(), for: 'me' });
  }

  canDeleteForEveryone(message: HistoryMessage): boolean {
    return message.from.userId === this.options.self.userId && message.deletedAt === undefined && deleteForEveryoneOpen(message.sentAt, this.options.clock.now());
  }

  /**
   * A delivered action (reaction, edit, deletion): applied to the history when its sender may do
   * it; resolves the content for the bus when it changed something, else null.
   */
  readonly receive = async <C extends MessageActionContent>(frame: DeliverFrame, content: C): Promise<C | null> => {
    const senderUserId = frame.from.userId;
    const conversationId = await this.conversationOf(senderUserId, content);
    const receivedAt = frame.serverTimestamp ?? this.options.clock.now();
    const changed = await this.apply(content, { senderUserId, conversationId, receivedAt });
    return changed ? content : null;
  };

  /** Applies this user's own action here, then sends it to whom it concerns. */
  private async act(content: MessageActionContent): Promise<void> {
    const { self, clock } = this.options;
    if (!ContentSchema.safeParse(content).success) throw new MessengerError('invalid', `the ${content.type} fails its schema`);
    // Deleting for me concerns this account only.
    const others = content.type === 'delete' && content.for === 'me' ? [] : await this.othersIn(content.conversationId);
    const conversationId = await this.conversationOf(self.userId, content);
    const changed = await this.apply(content, { senderUserId: self.userId, conversationId, receivedAt: clock.now() });
    if (!changed) return;
    await Promise.all(others.map((userId) => this.options.sendContent(userId, content)));
    inBackground(this.options.sendContent(self.userId, content), this.options.onFailure);
  }

  /** Checks and applies an action to its target; true when the history changed. */
  private async apply(content: MessageActionContent, context: Omit<ActionContext, 'selfUserId'>): Promise<boolean> {
    const { log, changes, self } = this.options;
    const { authorUserId, messageId } = content.target;
    const { changed, message } = await log.update(authorUserId, messageId, (current) =>
      refusalOf(content, current, { ...context, selfUserId: self.userId }) === null ? applyAction(current, content, context.senderUserId) : current,
    );
    if (changed && message !== undefined) changes.changed(message.conversationId);
    return changed;
  }

  /**
   * Where an action from `senderUserId` belongs here, or null when the sender is not part of the
   * conversation it names: a group it is a member of, this account's own 1:1 conversation (from
   * another of its devices), or the 1:1 conversation with the sender when it is addressed to us.
   */
  private async conversationOf(senderUserId: string, content: MessageActionContent): Promise<string | null> {
    const { self, groups } = this.options;
    const group = await groups.getGroup(content.conversationId);
    if (group !== undefined) return senderUserId === self.userId || group.members.some((m) => m.userId === senderUserId) ? group.groupId : null;
    if (senderUserId === self.userId) return content.conversationId;
    return content.conversationId === self.userId ? senderUserId : null;
  }

  /** Whom an action in `conversationId` goes to besides this account: the peer, or the group's other members. */
  private async othersIn(conversationId: string): Promise<string[]> {
    const { self, groups } = this.options;
    const group = await groups.getGroup(conversationId);
    if (group === undefined) return [conversationId];
    if (!group.active) throw new MessengerError('invalid', 'this user is no longer a member of the group');
    return group.members.map((m) => m.userId).filter((id) => id !== self.userId);
  }

  private own(messageId: string): MessageRef {
    return { authorUserId: this.options.self.userId, messageId };
  }
}
