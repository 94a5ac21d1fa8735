// @parley/messenger/page: what the chat and the shell's screens use from this library without the
// protocol — plain helpers and the store-only lists. Not a Module Federation shared module (only
// `@parley/messenger` itself is): each app bundles these few small modules, so importing them puts
// no Signal, zod or relay code on a screen's path (issue 20). The page's messenger itself comes from
// the shell (the chat's mount arguments; `messenger()` of `@parley/messenger` for older shells).
export type {
  AttachmentTransferApi,
  ContactNotice,
  ConversationSummary,
  DeliveryState,
  GroupInfo,
  GroupMember,
  HistoryMessage,
  MemberDeliveryState,
  Messenger,
} from './messenger-api.js';
export { byLatestActivity, conversationSummary, listConversations, visibleMessages } from './conversation-list.js';
export { canJoin, joinWindow, runAt, ScheduledCallReminders } from './scheduled-call.js';
export { groupMessageReceipts } from './group-receipts.js';
export { matchSpans, parseQuery } from './search/search-tokens.js';
