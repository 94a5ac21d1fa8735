/**
 * Verify-only entry point (`@parley/signal-protocol/verify`) for the server: public keys,
 * signature verification and prekey-bundle checks. It imports no private-key code path; a test
 * walks this module's import graph to keep it that way.
 */
export {
  type PreKeyBundle,
  type SerializedPreKeyBundle,
  parsePreKeyBundle,
  serializePreKeyBundle,
  verifyPreKeyBundle,
  verifySignedPublicPreKey,
  verifyUploadedPreKeySignature,
} from './bundle.js';
export { SignalProtocolError, type SignalErrorCode, isSignalProtocolError } from './errors.js';
export {
  EC_KEY_TYPE,
  EcPublicKey,
  KemPublicKey,
  KYBER1024_KEY_TYPE,
} from './public-keys.js';
export { SIGNATURE_LENGTH, verifySignature, verifySignatureAsync } from './xeddsa-verify.js';
