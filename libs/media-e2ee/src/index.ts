export { type KeyUsage } from './aead.js';
export { CipherSuite, type CipherSuiteId, type CipherSuiteParams, DEFAULT_CIPHER_SUITE, cipherSuiteParams, isCipherSuiteId } from './cipher-suite.js';
export {
  SFrameError,
  type SFrameErrorCode,
  type SFrameFailure,
  type SFrameFailureCode,
  type SFrameResult,
  isSFrameError,
} from './errors.js';
export {
  type DecryptedMediaFrame,
  type MediaCodec,
  VP8_DELTA_FRAME_CLEAR_BYTES,
  VP8_KEY_FRAME_CLEAR_BYTES,
  clearPrefixLength,
  decryptFrame,
  encryptFrame,
  isVp8KeyFrame,
} from './frame-transform.js';
export {
  type GroupKeyMessage,
  type GroupKeyReason,
  LocalSenderKey,
  type LocalSenderKeyOptions,
  type PendingSenderSecret,
  ROTATION_DELAY_MS,
  type SenderSecret,
  type SenderSecretListener,
} from './group-sender-keys.js';
export {
  type GroupFrameSource,
  GroupReceiveKeys,
  type GroupReceiveKeysOptions,
  MAX_RATCHET_AHEAD,
  RECEIVE_GENERATION_WINDOW,
  type SenderFrameStats,
  type SenderSecretOrigin,
  decryptGroupFrame,
} from './group-receive-keys.js';
export { type DecodedHeader, MAX_HEADER_LENGTH, type SFrameHeader, decodeHeader, encodeHeader } from './header.js';
export {
  MAX_KEY_GENERATION,
  MAX_SENDER_INDEX,
  MAX_TRACK_SLOT,
  type MediaKeyId,
  SENDER_SECRET_LENGTH,
  TrackSlot,
  composeKeyId,
  deriveTrackBaseKey,
  deriveTrackKey,
  generateSenderSecret,
  parseKeyId,
} from './key-id.js';
export { SFrameKeyRing, type SFrameKeyRingOptions } from './key-ring.js';
export { type SFrameKey, importSFrameKey } from './key-schedule.js';
export { DEFAULT_REPLAY_WINDOW, ReplayWindow, type ReplayVerdict } from './replay-window.js';
export { SENDER_RATCHET_LABEL, ratchetSenderSecret } from './sender-secret-ratchet.js';
export { SFrameSender, type SFrameSenderOptions } from './sender.js';
export { type DecryptedSFrame, sframeDecrypt, sframeEncrypt, sframeNonce } from './sframe.js';
