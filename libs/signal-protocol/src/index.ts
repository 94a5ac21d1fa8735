// @parley/signal-protocol: the Signal protocol (PQXDH, Double Ratchet, sender keys) in TypeScript
// for pages, workers and Node, in libsignal's wire formats. See README.md.

export * from './verify.js';
export { type ProtocolAddress, addressKey } from './address.js';
export {
  ATTACHMENT_KEY_LENGTH,
  AttachmentError,
  type AttachmentErrorCode,
  type AttachmentSecrets,
  attachmentCiphertextSize,
  attachmentDigest,
  decryptAttachment,
  type EncryptedAttachment,
  encryptAttachment,
  isAttachmentError,
  paddedAttachmentSize,
} from './attachments.js';
export { randomBytes } from './bytes.js';
export { compareScannableFingerprints, createFingerprint, type Fingerprint, FINGERPRINT_ITERATIONS, SCANNABLE_FINGERPRINT_VERSION } from './fingerprint.js';
export { InMemorySignalProtocolStore, type InMemoryStoreSnapshot } from './in-memory-store.js';
export { hkdfSha256, hmacSha256 } from './kdf.js';
export {
  KemKeyPair,
  KemSecretKey,
  kemDecapsulate,
  kemEncapsulate,
  type KemEncapsulation,
  KYBER1024_CIPHERTEXT_LENGTH,
  KYBER1024_SECRET_KEY_LENGTH,
} from './kem.js';
export { EcKeyPair, EcPrivateKey, IdentityKeyPair } from './keys.js';
export {
  createPreKeyBundle,
  generateKyberPreKey,
  generatePreKeys,
  generateSignedPreKey,
  KyberPreKeyRecord,
  PreKeyRecord,
  SignedPreKeyRecord,
} from './prekeys.js';
export { MAX_FORWARD_JUMPS, MAX_MESSAGE_KEYS, MAX_RECEIVER_CHAINS } from './ratchet.js';
export {
  createSenderKeyDistributionMessage,
  groupDecrypt,
  groupEncrypt,
  MAX_SENDER_KEY_STATES,
  processSenderKeyDistributionMessage,
  SenderKeyRecord,
} from './sender-keys.js';
export { type DecryptOptions, processPreKeyBundle, SessionCipher } from './session-cipher.js';
export { ARCHIVED_STATES_MAX_LENGTH, MAX_UNACKNOWLEDGED_SESSION_AGE_MS, SessionRecord } from './session-state.js';
export {
  type Direction,
  type IdentityStore,
  type KyberPreKeyStore,
  type PreKeyStore,
  RECORD_FORMAT_VERSION,
  type SenderKeyStore,
  type SessionStore,
  type SignalProtocolStore,
  type SignedPreKeyStore,
  type StoredRecord,
} from './store.js';
export {
  CiphertextMessageType,
  type CiphertextMessage,
  decodePreKeySignalMessage,
  decodeSenderKeyDistributionMessage,
  decodeSenderKeyMessage,
  decodeSignalMessage,
  type PreKeySignalMessage,
  type SenderKeyDistributionMessage,
  type SenderKeyMessage,
  type SignalMessage,
} from './wire.js';
export { calculateSignature } from './xeddsa.js';
