/**
 * The messenger's public surface: the one seam between the shell (which creates and owns the
 * messenger, its Signal store and its history store) and the chat app (which only reads history,
 * sends, and watches). Agreed before either side was written; change it only additively. What
 * is not messaging gets its own small service instead of another optional method here (TURN
 * credentials and call links: call-services.ts).
 */
import type { AttachmentPointer, CallEntry, Content, MessengerFailureCode, Peer, Quote, TextContent } from '@parley/contracts';
import type { AttachmentTransfer } from './attachment-transfer.js';
import type { Observable } from 'rxjs';
import type { CallHistoryApi } from './call-history.js';
import type { MessageActionApi } from './message-actions.js';
import type { MemberReceiptTimes } from './group-receipts.js';
import type { ScheduledCallApi } from './scheduled-calls.js';

/** Delivery state of an outgoing message, as the ticks show it. */
export type DeliveryState = 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

/** One message in a conversation's history. */
export interface HistoryMessage {
  /** The sender's client message id (unique per sender). */
  readonly messageId: string;
  readonly conversationId: string;
  readonly direction: 'in' | 'out';
  readonly from: { readonly userId: string; readonly deviceId: number };
  readonly body: string;
  /** Sender's clock, ms. */
  readonly sentAt: number;
  /** This device's clock when stored, ms. */
  readonly storedAt: number;
  /** Outgoing only. For a group message: the least advanced of {@link memberDelivery}. */
  readonly delivery?: DeliveryState;
  /**
   * Outgoing group messages only: how far the message got with each member it went to (user id to
   * state, from their receipts). Absent for messages kept before group receipts existed.
   */
  readonly memberDelivery?: Readonly<Record<string, MemberDeliveryState>>;
  /** Outgoing group messages only: when each member's receipts came (their clock), for "Message info". */
  readonly memberReceipts?: Readonly<Record<string, MemberReceiptTimes>>;
  /** Incoming only: this user has seen it (a read receipt went out). */
  readonly read?: boolean;
  /** Files, photos and voice messages the message carries (issue 18); `body` is then their caption. */
  readonly attachments?: readonly AttachmentPointer[];
  /** A reply: the message it answers, as the replier quoted it (added with message actions). */
  readonly quote?: Quote;
  /** Reactions by user id, one per person (added with message actions). */
  readonly reactions?: Readonly<Record<string, MessageReaction>>;
  /** The author's clock when they last edited it, ms; the body is the edited text. */
  readonly editedAt?: number;
  /** Deleted for everyone by its author (their clock, ms): body, quote and reactions are gone. */
  readonly deletedAt?: number;
  /** Deleted for me (on every device of this account): not shown, kept so late actions find nothing to show. */
  readonly hidden?: boolean;
}

/** One person's reaction to a message. */
export interface MessageReaction {
  readonly emoji: string;
  /** The reacting person's clock, ms: a later reaction of theirs replaces this one. */
  readonly at: number;
}

/** What a text may carry besides its body. */
export interface SendTextOptions {
  /** Pointers to blobs already uploaded with {@link Messenger.attachments}. */
  readonly attachments?: readonly AttachmentPointer[];
  /** A reply: the message it quotes (see {@link Messenger.messageActions}). */
  readonly quote?: Quote;
}

/** How far a group message got with one member: sent to them, on one of their devices, or read there. */
export type MemberDeliveryState = 'sent' | 'delivered' | 'read';

/** A conversation as the list shows it. For 1:1 chats the id is the peer's user id. */
export interface ConversationSummary {
  readonly conversationId: string;
  /** For a group: the group itself (its id, its name as display name, no handle). */
  readonly peer: Peer & { readonly handle: string };
  readonly lastMessage: HistoryMessage | null;
  readonly unread: number;
  /** `'group'` for a group chat; absent (or `'direct'`) for a 1:1 chat. Added with group chats. */
  readonly kind?: 'direct' | 'group';
  /** Group chats only. */
  readonly group?: GroupInfo;
}

/** A member of a group chat. */
export interface GroupMember {
  readonly userId: string;
  readonly handle: string;
  readonly displayName: string;
}

/** A group chat as this device knows it (Signal's design: groups live on the clients, not the server). */
export interface GroupInfo {
  readonly groupId: string;
  readonly name: string;
  /** Every member, this user included while a member. */
  readonly members: readonly GroupMember[];
  /** False once this user was removed: the history stays, nothing more arrives. */
  readonly active: boolean;
}

/** Something the user must see about a contact's keys. */
export type ContactNotice =
  | { readonly kind: 'identity-changed'; readonly userId: string; readonly at: number }
  | { readonly kind: 'new-device'; readonly userId: string; readonly deviceId: number; readonly at: number }
  /** Messages held during an identity change were over the bound: `count` of the oldest are gone. */
  | { readonly kind: 'held-messages-dropped'; readonly userId: string; readonly count: number; readonly at: number };

/**
 * Typed failure of a messenger operation. `queue-full`: a device of the recipient (`userId`) has
 * too many undelivered messages on the server (it has not connected for long); nothing was sent.
 */
export interface MessengerFailure {
  readonly code: MessengerFailureCode;
  readonly message: string;
  /** With `queue-full`: whose device it is. Added with queue quotas. */
  readonly userId?: string;
}

/** What the chat uses of attachments: encrypt-and-upload, download-and-decrypt ({@link AttachmentTransfer} does it). */
export type AttachmentTransferApi = Pick<AttachmentTransfer, 'upload' | 'download'>;

/** What the chat app uses. The shell provides the page's one instance (see `provideMessenger`). */
export interface Messenger {
  /** The signed-in user. */
  readonly self: { readonly userId: string; readonly deviceId: number; readonly handle: string; readonly displayName: string };
  /** Looks a user up by handle and starts (or opens) the conversation with them. */
  findUser(handle: string): Promise<ConversationSummary>;
  /** Every conversation, most recent first; emits again on any change. */
  readonly conversations$: Observable<readonly ConversationSummary[]>;
  /** One conversation's history, oldest first; emits again on any change. */
  history$(conversationId: string): Observable<readonly HistoryMessage[]>;
  /** Encrypts and sends a text to every device of the peer and to this user's other devices. */
  sendText(conversationId: string, body: string, options?: SendTextOptions): Promise<HistoryMessage>;
  /** Marks incoming messages read (sends read receipts). */
  markRead(conversationId: string, messageIds: readonly string[]): Promise<void>;
  /** Safety number for a contact (60 digits, grouped by 5), the same on both sides. */
  safetyNumber(userId: string): Promise<string>;
  /** Accepts a contact's new identity key after the user saw the warning. */
  acceptIdentity(userId: string): Promise<void>;
  /** Notices to show (identity changed, new device), per contact. */
  readonly notices$: Observable<readonly ContactNotice[]>;
  /** Sends arbitrary content (call signaling, group keys) to every device of a user. */
  sendContent(toUserId: string, content: Exclude<Content, TextContent>): Promise<void>;
  /**
   * Group chats (optional: added after the 1:1 chat, fakes may leave them out). Creates a group
   * with this user and the users with these handles; its conversation shows in `conversations$`
   * with `kind: 'group'`, its texts in `history$(groupId)`.
   */
  createGroup?(name: string, handles: readonly string[]): Promise<ConversationSummary>;
  /** Adds users (by handle): they receive texts sent from now on, never earlier ones. */
  addMembers?(groupId: string, handles: readonly string[]): Promise<void>;
  /** Removes a member: every remaining member's next text uses a new sender key the removed one never gets. */
  removeMember?(groupId: string, userId: string): Promise<void>;
  /** Encrypts a text once with this device's sender key and sends the same ciphertext to every member device. */
  sendGroupText?(groupId: string, body: string): Promise<HistoryMessage>;
  /**
   * Calls planned ahead in a conversation (optional: added with scheduled calls, fakes may leave
   * it out): call links under the hood, sent as `scheduled-call` content, kept on this device.
   */
  scheduledCalls?(): ScheduledCallApi;
  /**
   * The calls this device had, oldest first, kept in its history so a reload still shows them
   * (optional: added after the call log; an older shell's messenger lacks it, the chat then keeps
   * them for the page's life only).
   */
  callEntries?(): Promise<readonly CallEntry[]>;
  /**
   * The user's draft in a conversation changed (optional: added with typing indicators): sends
   * "started" / "stopped" sparingly to whoever may see them (see TypingSender).
   */
  typingChanged?(conversationId: string, draft: string): void;
  /** Who is typing in a conversation now (user ids); emits on every change. */
  typing$?(conversationId: string): Observable<readonly string[]>;
  /**
   * Messages of every conversation that have every word of `query` (the last as a prefix), most
   * recent first, searched on this device (optional: added with message search).
   */
  searchMessages?(query: string, limit?: number): Promise<readonly HistoryMessage[]>;
  /** Keeps a finished call (a `call.entry` event) in this device's history, once per call, capped. */
  keepCallEntry?(entry: CallEntry): Promise<void>;
  /**
   * Encrypts, uploads and downloads attachments (optional: added with issue 18; without it the
   * chat offers no attachments). Send what `upload` returns with `sendText(…, { attachments })`.
   */
  attachments?(): AttachmentTransferApi;
  /**
   * The call history (optional: added with the Calls view): every call of this device and of this
   * user's other devices (synced over Signal), live, and the missed-call badge's "seen" mark.
   */
  callHistory?(): CallHistoryApi;
  /** Replies, reactions, edits and deletions (optional: added with message actions, fakes may leave it out). */
  messageActions?(): MessageActionApi;
}
