// The conversation list and a conversation's messages as this device keeps them, read from the
// stores alone: no protocol, no network. The messenger builds its lists with these, and the shell
// shows them from them while the protocol code is still downloading (issue 20: a returning user's
// list is usable before Signal, zod and the messenger have loaded).
import type { GroupRecord, GroupStore } from './group-store.js';
import type { ContactRecord, HistoryStore } from './history-store.js';
import type { ConversationSummary, GroupInfo, HistoryMessage } from './messenger-api.js';

/** A conversation's messages, oldest first (those deleted for me left out). */
export async function visibleMessages(history: Pick<HistoryStore, 'listMessages'>, conversationId: string): Promise<readonly HistoryMessage[]> {
  return (await history.listMessages(conversationId)).filter((message) => message.hidden !== true);
}

/** A conversation as the list shows it: its last message and how many are unread. */
export async function conversationSummary(
  history: Pick<HistoryStore, 'listMessages'>,
  conversationId: string,
  peer: ConversationSummary['peer'],
  kind?: Pick<ConversationSummary, 'kind' | 'group'>,
): Promise<ConversationSummary> {
  const messages = await visibleMessages(history, conversationId);
  return {
    conversationId,
    peer,
    lastMessage: messages.at(-1) ?? null,
    unread: messages.filter((message) => message.direction === 'in' && message.read !== true).length,
    ...kind,
  };
}

/** Most recent first, by this device's clock (a sender's clock may be off; the list shows activity here). */
export function byLatestActivity(a: ConversationSummary, b: ConversationSummary): number {
  const latest = (summary: ConversationSummary) => summary.lastMessage?.storedAt ?? -1;
  return latest(b) - latest(a);
}

/** A group as the chat shows it (what the device keeps about it, less its sender-key bookkeeping). */
export function groupInfoOf(group: GroupRecord): GroupInfo {
  return { groupId: group.groupId, name: group.name, members: group.members, active: group.active };
}

/** A 1:1 conversation's summary: the contact is the peer. */
export function contactSummary(history: Pick<HistoryStore, 'listMessages'>, contact: ContactRecord): Promise<ConversationSummary> {
  return conversationSummary(history, contact.userId, { userId: contact.userId, displayName: contact.displayName, handle: contact.handle });
}

/** A group conversation's summary: the group is the peer (its id, its name, no handle). */
export function groupSummary(history: Pick<HistoryStore, 'listMessages'>, group: GroupRecord): Promise<ConversationSummary> {
  return conversationSummary(history, group.groupId, { userId: group.groupId, displayName: group.name, handle: '' }, { kind: 'group', group: groupInfoOf(group) });
}

/**
 * Every conversation this device keeps, most recent first: one per contact (this account's own
 * record is not a conversation) and one per group.
 */
export async function listConversations(
  history: Pick<HistoryStore, 'listMessages' | 'listContacts'>,
  groups: Pick<GroupStore, 'listGroups'>,
  selfUserId: string,
): Promise<readonly ConversationSummary[]> {
  const contacts = (await history.listContacts()).filter((contact) => contact.userId !== selfUserId);
  const direct = Promise.all(contacts.map((contact) => contactSummary(history, contact)));
  const grouped = Promise.all((await groups.listGroups()).map((group) => groupSummary(history, group)));
  return [...(await direct), ...(await grouped)].sort(byLatestActivity);
}
