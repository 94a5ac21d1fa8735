/**
 * Which conversations the list shows, in what order, and what each says about its latest event:
 * plain functions of the messenger's summaries and the call log, tested without a DOM.
 */
import { type CallEntry, isGuestHandle } from '@parley/contracts';
import type { ConversationSummary, HistoryMessage } from '@parley/messenger';

/** Whether a summary is a 1:1 chat (older messengers leave `kind` out). */
const isDirect = (conversation: ConversationSummary): boolean => conversation.kind !== 'group';

/** A guest of a call link: a temporary account, gone once they leave (no handle, or a `guest.` one). */
export function isGuestConversation(conversation: ConversationSummary): boolean {
  return isDirect(conversation) && (conversation.peer.handle === '' || isGuestHandle(conversation.peer.handle));
}

/**
 * The conversations worth a line in the list: a 1:1 chat appears once something happened in it
 * (a message, a call, a scheduled call), not merely because its contact was looked up (creating
 * a group looks every member up); call-link guests never, their accounts are temporary. The open
 * conversation always stays.
 */
export function listedConversations(
  conversations: readonly ConversationSummary[],
  context: { readonly openId: string | null; readonly withCalls: ReadonlySet<string>; readonly withSchedules: ReadonlySet<string> },
): ConversationSummary[] {
  return conversations.filter((conversation) => {
    const id = conversation.conversationId;
    if (id === context.openId) return true;
    if (!isDirect(conversation)) return true;
    if (isGuestConversation(conversation)) return false;
    return conversation.lastMessage !== null || conversation.unread > 0 || context.withCalls.has(id) || context.withSchedules.has(id);
  });
}

/** Folds case and accents away, so "alice", "Alice" and "Álice" all find Alice. */
function folded(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

/** The conversations whose name or handle contains `query` (all of them for an empty query). */
export function filterConversations(conversations: readonly ConversationSummary[], query: string): readonly ConversationSummary[] {
  const wanted = folded(query.trim().replace(/^@/, ''));
  if (wanted === '') return conversations;
  return conversations.filter((conversation) => folded(conversation.peer.displayName).includes(wanted) || folded(conversation.peer.handle).includes(wanted));
}

/** The latest thing in a conversation for its list line: a message or a call, whichever is newer. */
export type LatestEvent = { readonly kind: 'message'; readonly at: number; readonly message: HistoryMessage } | { readonly kind: 'call'; readonly at: number; readonly call: CallEntry };

export function latestEvent(conversation: ConversationSummary, lastCall: CallEntry | undefined): LatestEvent | null {
  const message = conversation.lastMessage;
  if (lastCall && (!message || lastCall.startedAt >= message.sentAt)) return { kind: 'call', at: lastCall.startedAt, call: lastCall };
  return message ? { kind: 'message', at: message.sentAt, message } : null;
}

/** Whether this device missed the call (it rang here and nobody answered it anywhere). */
export function isMissedCall(call: CallEntry): boolean {
  return call.direction === 'incoming' && (call.outcome === 'missed' || call.outcome === 'busy');
}

/** Most recent first, by the latest message or call; conversations with neither keep their order at the end. */
export function byLatest(conversations: readonly ConversationSummary[], lastCalls: ReadonlyMap<string, CallEntry>): ConversationSummary[] {
  const at = (conversation: ConversationSummary) => latestEvent(conversation, lastCalls.get(conversation.conversationId))?.at ?? -Infinity;
  return conversations
    .map((conversation, index) => ({ conversation, index, at: at(conversation) }))
    .sort((a, b) => (b.at === a.at ? a.index - b.index : b.at - a.at))
    .map(({ conversation }) => conversation);
}
