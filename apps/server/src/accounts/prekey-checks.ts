/**
 * Checks uploaded prekeys before they are stored: key types and lengths, and every signature
 * against the account's identity key, with the verify-only entry point of the protocol library
 * (the server never imports private-key code). Signatures must be canonical (s < ℓ): stricter than
 * libsignal, so that a crafted body cannot make each of its ~100 checks take the slow JS path.
 */
import { parseBase64 } from '@parley/bytes';
import type { UploadKeysRequest } from '@parley/contracts';
import { EcPublicKey, KemPublicKey, isSignalProtocolError, verifyUploadedPreKeySignature } from '@parley/signal-protocol/verify';
import { SignatureLane, SignatureLaneBusy } from './signature-lane.js';
import type { DeviceKeysUpdate, StoredSignedPreKey } from '../storage/storage.js';

/** Why an upload was refused: `invalid_key` (type or length), `invalid_signature`, or `busy` (retry later). */
export class PreKeyRejected extends Error {
  constructor(
    readonly code: 'invalid_key' | 'invalid_signature' | 'busy',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The bytes of a key or signature field (the schema checked its alphabet and length); a
 * non-canonical encoding is refused like a malformed key, so each key has one textual form.
 */
function keyBytes(name: string, text: string): Uint8Array<ArrayBuffer> {
  const bytes = parseBase64(text);
  if (!bytes) throw new PreKeyRejected('invalid_key', `${name}: not canonical base64`);
  return bytes;
}

/** The identity key's bytes if they are a serialized EC public key; throws PreKeyRejected otherwise. */
export function parseIdentityKey(base64: string): { key: EcPublicKey; bytes: Uint8Array } {
  const bytes = keyBytes('identityKey', base64);
  return { key: parse('identityKey', () => EcPublicKey.deserialize(bytes)), bytes };
}

/** Every upload of this process checks its signatures through one lane (see signature-lane.ts). */
const lane = new SignatureLane();

/**
 * Checks every key of an upload and returns them as bytes for the store; rejects with
 * PreKeyRejected naming the first key that fails.
 */
export async function checkDeviceKeys(identityKey: EcPublicKey, keys: UploadKeysRequest): Promise<DeviceKeysUpdate> {
  const update: DeviceKeysUpdate = {};
  const checks: Array<{ name: string; verify: () => Promise<boolean> }> = [];
  const signed = (name: string, key: { keyId: number; publicKey: string; signature: string }, kind: 'ec' | 'kyber'): StoredSignedPreKey => {
    const publicKey = keyBytes(`${name}.publicKey`, key.publicKey);
    parse(name, () => (kind === 'ec' ? EcPublicKey.deserialize(publicKey) : KemPublicKey.deserialize(publicKey)));
    const signature = keyBytes(`${name}.signature`, key.signature);
    checks.push({ name, verify: () => verifyUploadedPreKeySignature(identityKey, publicKey, signature) });
    return { keyId: key.keyId, publicKey, signature };
  };
  if (keys.signedPreKey) update.signedPreKey = signed('signedPreKey', keys.signedPreKey, 'ec');
  if (keys.kyberLastResortPreKey) update.kyberLastResortPreKey = signed('kyberLastResortPreKey', keys.kyberLastResortPreKey, 'kyber');
  if (keys.oneTimePreKeys) {
    update.oneTimePreKeys = keys.oneTimePreKeys.map((key, index) => {
      const publicKey = keyBytes(`oneTimePreKeys.${index}.publicKey`, key.publicKey);
      parse(`oneTimePreKeys.${index}`, () => EcPublicKey.deserialize(publicKey));
      return { keyId: key.keyId, publicKey };
    });
  }
  if (keys.kyberOneTimePreKeys) {
    update.kyberOneTimePreKeys = keys.kyberOneTimePreKeys.map((key, index) => signed(`kyberOneTimePreKeys.${index}`, key, 'kyber'));
  }
  let results: boolean[];
  try {
    results = await lane.checkAll(checks.map((check) => check.verify));
  } catch (error) {
    if (error instanceof SignatureLaneBusy) throw new PreKeyRejected('busy', 'The server is checking many uploads; try again in a few seconds.');
    throw error;
  }
  const failed = results.findIndex((ok) => !ok);
  if (failed >= 0) throw new PreKeyRejected('invalid_signature', `${checks[failed]!.name}: the signature does not verify with the identity key`);
  return update;
}

function parse<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (isSignalProtocolError(error)) throw new PreKeyRejected('invalid_key', `${name}: ${error.message}`);
    throw error;
  }
}
