import type { WallClock } from '@parley/clock';
import type { TextContent } from '@parley/contracts';
import type { ConversationChanges } from './conversation-changes.js';
import { visibleMessages } from './conversation-list.js';
import { withMemberReceipt } from './group-receipts.js';
import type { HistoryStore } from './history-store.js';
import { KeyedQueue } from './keyed-queue.js';
import type { DeliveryState, HistoryMessage, MemberDeliveryState } from './messenger-api.js';
import type { MessengerSelf } from './signal-sessions.js';

const DELIVERY_RANK: Record<DeliveryState, number> = { failed: 0, sending: 0, sent: 1, delivered: 2, read: 3 };

/** The later of two delivery states (ticks never go back; `failed` only replaces `sending`). */
export function laterDelivery(current: DeliveryState | undefined, next: DeliveryState): DeliveryState {
  if (current === undefined) return next;
  if (next === 'failed') return current === 'sending' ? 'failed' : current;
  return DELIVERY_RANK[next] > DELIVERY_RANK[current] || current === 'failed' ? next : current;
}

/** Each member at `sent`: what an outgoing group message starts from. */
function sentToEach(members: readonly string[]): Record<string, MemberDeliveryState> {
  return Object.fromEntries(members.map((userId) => [userId, 'sent' as const]));
}

/**
 * A group message's ticks from its members' (Signal's and WhatsApp's rule): two ticks once every
 * member has it, blue once every member read it; `sent` until then.
 */
export function leastMemberDelivery(members: Readonly<Record<string, MemberDeliveryState>>): MemberDeliveryState | undefined {
  const states = Object.values(members);
  if (states.length === 0) return undefined;
  return states.reduce((least, state) => (DELIVERY_RANK[state] < DELIVERY_RANK[least] ? state : least));
}

/** A text that arrived (or a copy of one this account sent from another device), ready to keep. */
export interface ArrivedText {
  readonly messageId: string;
  readonly conversationId: string;
  readonly from: { readonly userId: string; readonly deviceId: number };
  readonly content: TextContent;
  /** A copy of this account's own group message: the members it went to (their receipts count). */
  readonly sentTo?: readonly string[];
}

/**
 * The texts of every conversation (1:1 and group) in the {@link HistoryStore}: what is written, in
 * which order, and which conversation then changed. Edits of one message never interleave.
 */
export class ConversationLog {
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly history: HistoryStore,
    private readonly self: MessengerSelf,
    private readonly changes: ConversationChanges,
    private readonly clock: WallClock,
  ) {}

  /** Keeps a text this device is about to send, as `sending`; `sentTo`: a group message's other members. */
  async addOutgoing(messageId: string, content: TextContent, sentTo?: readonly string[]): Promise<HistoryMessage> {
    const message: HistoryMessage = {
      messageId,
      conversationId: content.conversationId,
      direction: 'out',
      from: { userId: this.self.userId, deviceId: this.self.deviceId },
      body: content.body,
      sentAt: content.sentAt,
      storedAt: this.clock.now(),
      ...(content.attachments ? { attachments: content.attachments } : {}),
      ...(content.quote ? { quote: content.quote } : {}),
      delivery: 'sending',
      ...(sentTo ? { memberDelivery: sentToEach(sentTo) } : {}),
    };
    await this.history.putMessage(message);
    this.changes.changed(message.conversationId);
    return message;
  }

  /** Keeps an arrived text: unread when someone else sent it, `sent` when it is this account's own. */
  async addArrived(text: ArrivedText): Promise<void> {
    const isSelf = text.from.userId === this.self.userId;
    await this.history.putMessage({
      messageId: text.messageId,
      conversationId: text.conversationId,
      direction: isSelf ? 'out' : 'in',
      from: { userId: text.from.userId, deviceId: text.from.deviceId },
      body: text.content.body,
      sentAt: text.content.sentAt,
      storedAt: this.clock.now(),
      ...(text.content.attachments ? { attachments: text.content.attachments } : {}),
      ...(text.content.quote ? { quote: text.content.quote } : {}),
      ...(isSelf ? { delivery: 'sent' as const, ...(text.sentTo ? { memberDelivery: sentToEach(text.sentTo) } : {}) } : { read: false }),
    });
    this.changes.changed(text.conversationId);
  }

  /** A conversation's messages, oldest first (those deleted for me left out). */
  messages(conversationId: string): Promise<readonly HistoryMessage[]> {
    return visibleMessages(this.history, conversationId);
  }

  /** Whether the message (sender, message id) is kept already. */
  async has(senderUserId: string, messageId: string): Promise<boolean> {
    return (await this.get(senderUserId, messageId)) !== undefined;
  }

  /** The message (sender, message id), as kept. */
  get(senderUserId: string, messageId: string): Promise<HistoryMessage | undefined> {
    return this.history.getMessage(senderUserId, messageId);
  }

  /** Rewrites one message with `edit` (returning it unchanged writes nothing). */
  async update(
    senderUserId: string,
    messageId: string,
    edit: (message: HistoryMessage) => HistoryMessage,
  ): Promise<{ message: HistoryMessage | undefined; changed: boolean }> {
    return this.queue.run(`${senderUserId}\n${messageId}`, async () => {
      const message = await this.history.getMessage(senderUserId, messageId);
      if (message === undefined) return { message, changed: false };
      const next = edit(message);
      if (next === message) return { message, changed: false };
      await this.history.putMessage(next);
      return { message: next, changed: true };
    });
  }

  /** Marks an incoming message read here; true when it was unread. */
  async markRead(senderUserId: string, messageId: string): Promise<boolean> {
    const { changed } = await this.update(senderUserId, messageId, (m) => (m.direction === 'in' && m.read !== true ? { ...m, read: true } : m));
    return changed;
  }

  /** Moves an outgoing message's ticks forward (never back). */
  async setDelivery(messageId: string, state: DeliveryState): Promise<HistoryMessage | undefined> {
    const { message, changed } = await this.update(this.self.userId, messageId, (m) => {
      const delivery = laterDelivery(m.delivery, state);
      return delivery === m.delivery ? m : { ...m, delivery };
    });
    if (changed && message !== undefined) this.changes.changed(message.conversationId);
    return message;
  }

  /**
   * A member's receipt for this account's group message: that member's state moves forward, and the
   * message's ticks become the least of its members'. Someone the message did not go to changes nothing.
   */
  async setMemberDelivery(messageId: string, memberUserId: string, state: 'delivered' | 'read', at?: number): Promise<void> {
    const { message, changed } = await this.update(this.self.userId, messageId, (m) => {
      const next = withMemberReceipt(m, memberUserId, state, at);
      const least = next === m || next.memberDelivery === undefined ? undefined : leastMemberDelivery(next.memberDelivery);
      return least === undefined ? next : { ...next, delivery: laterDelivery(m.delivery, least) };
    });
    if (changed && message !== undefined) this.changes.changed(message.conversationId);
  }
}
