// @parley/messenger: accounts, device linking, Signal-encrypted 1:1 and group messaging, history,
// receipts and contact notices over the one relay connection, scheduled calls, and the call
// services (TURN, call links). The shell assembles the session; chat and call reach it through
// `messenger()` and `callServices()`.
// Everything of the protocol-free entry (@parley/messenger/page: the chat's types and helpers, the
// store-only lists), and the rest of the library below.
export * from './page.js';
export type { MessageReaction, MessengerFailure, SendTextOptions } from './messenger-api.js';
export { type AttachmentDescription, AttachmentTransfer, type AttachmentTransferOptions, type TransferProgress } from './attachment-transfer.js';
export {
  type AccountSetup,
  createAccount,
  type CreateSignalStore,
  DEFAULT_PREKEY_COUNTS,
  type DeviceKeyMaterial,
  deviceKeysForUpload,
  generateDeviceKeys,
  generateRegistrationId,
  KYBER_ONE_TIME_PREKEY_COUNT,
  ONE_TIME_PREKEY_COUNT,
  type PreKeyCounts,
  replenishPreKeys,
  type SessionCredentials,
  storeDeviceKeys,
} from './account-setup.js';
export {
  type CompleteLinkRequest,
  type DeviceList,
  type FetchFunction,
  type LinkCodeIssued,
  type LinkPoll,
  type LinkProvisioned,
  ParleyApiClient,
  type ParleyApiClientOptions,
  type PreKeyCount,
} from './api-client.js';
// Kept for the call app and the bots until they import @parley/bytes themselves.
export { fromBase64, toBase64 } from '@parley/bytes';
export {
  DeviceLinker,
  DeviceLinkError,
  LINK_SECRET_BITS,
  type LinkFailureCode,
  linkDevice,
  type LinkRequestOutcome,
  linkRequestMac,
  openLinkEnvelope,
  type ProvisionedAccount,
  parseLinkCode,
  sealLinkEnvelope,
} from './device-link.js';
export { isApiError, MessengerError, ParleyApiError } from './errors.js';
export { type ContactRecord, type HistoryStore, InMemoryHistoryStore } from './history-store.js';
export { MessengerClient, type MessengerClientOptions } from './messenger-client.js';
export { type MessengerSelf, SENDER_KEY_MESSAGE_TYPE, selfOf } from './signal-sessions.js';
export { OWN_DEVICES_TTL_MS } from './contact-directory.js';
export { MAX_DEVICE_ROUNDS } from './device-fan-out.js';
export { type CallHistoryApi, mergeCallViews, seenFromSibling } from './call-history.js';
export { type EarlyContent, SELF_COPY_SUFFIX } from './message-receiver.js';
export { MAX_QUARANTINED, MAX_QUARANTINED_PER_CONTACT } from './identity-quarantine.js';
export {
  type CallLinkApi,
  type CallLinkService,
  callLinkService,
  type CallServices,
  callServices,
  provideCallServices,
  withLegacyCallServiceMethods,
  type TurnCredentialService,
  turnCredentialService,
} from './call-services.js';
export { messenger, provideMessenger } from './singleton.js';
export { GROUP_FRAME_SEPARATOR, MAX_GROUP_UPDATE_AHEAD_MS, MAX_HELD_GROUP_MESSAGES } from './group-chats.js';
export { groupMemberIds, type GroupRecord, type GroupStore, InMemoryGroupStore } from './group-store.js';
export {
  byStart,
  JOIN_EARLY_MS,
  MAX_TIMER_MS,
  type ScheduledCall,
  type ScheduledCallDraft,
  type ScheduledCallReminder,
  supersedes,
} from './scheduled-call.js';
export {
  InMemoryScheduledCallStore,
  type ScheduledCallApi,
  ScheduledCalls,
  type ScheduledCallsOptions,
  type ScheduledCallStore,
} from './scheduled-calls.js';
export { type MessageActionApi, MessageActions } from './message-actions.js';
export { type GroupMessageReceipts, type MemberReceipt, type MemberReceiptTimes, withMemberReceipt } from './group-receipts.js';
export { DEFAULT_SEARCH_LIMIT, MessageSearch, type MessageSearchSources } from './search/message-search.js';
export { InvertedIndex } from './search/inverted-index.js';
export { isEmptyQuery, normalizeWord, type SearchQuery, tokenize, type WordSpan, wordSpans } from './search/search-tokens.js';
