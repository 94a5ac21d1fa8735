export {
  CallLinkFormatError,
  type CallLinkKeys,
  callLinkRegistration,
  MAX_CALL_NAME_LENGTH,
  callLinkUrl,
  decryptCallName,
  deriveCallLinkKeys,
  encryptCallName,
  newCallLinkSecret,
  secretFromLink,
} from './link-secret.js';
