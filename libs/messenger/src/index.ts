// @parley/messenger: accounts, device linking, Signal-encrypted 1:1 messaging, history, receipts
// and contact notices over the one relay connection. The shell owns the instance; chat and call
// reach it through `messenger()`.
export type {
  CallLinkApi,
  ContactNotice,
  ConversationSummary,
  DeliveryState,
  GroupInfo,
  GroupMember,
  HistoryMessage,
  Messenger,
  MessengerFailure,
} from './messenger-api.js';
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
export { fromBase64, toBase64 } from './base64.js';
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
export {
  type EarlyContent,
  MAX_DEVICE_ROUNDS,
  MAX_QUARANTINED,
  MAX_QUARANTINED_PER_CONTACT,
  MessengerClient,
  type MessengerClientOptions,
  type MessengerSelf,
  OWN_DEVICES_TTL_MS,
  SELF_COPY_SUFFIX,
} from './messenger-client.js';
export { messenger, provideMessenger } from './singleton.js';
export {
  GROUP_FRAME_SEPARATOR,
  GroupMessenger,
  type GroupMessengerOptions,
  MAX_GROUP_UPDATE_AHEAD_MS,
  MAX_HELD_GROUP_MESSAGES,
  SENDER_KEY_MESSAGE_TYPE,
} from './group-messenger.js';
export { type GroupRecord, type GroupStore, InMemoryGroupStore } from './group-store.js';
export {
  byStart,
  canJoin,
  JOIN_EARLY_MS,
  joinWindow,
  MAX_TIMER_MS,
  runAt,
  type ScheduleClock,
  type ScheduledCall,
  type ScheduledCallDraft,
  type ScheduledCallReminder,
  ScheduledCallReminders,
  supersedes,
  systemScheduleClock,
} from './scheduled-call.js';
export {
  InMemoryScheduledCallStore,
  type ScheduledCallApi,
  ScheduledCalls,
  type ScheduledCallsOptions,
  type ScheduledCallStore,
} from './scheduled-calls.js';
