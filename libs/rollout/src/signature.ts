/**
 * Verification of the signed cohort manifest: a detached Ed25519 signature over the exact UTF-8 bytes
 * of the manifest string. The bytes are verified before they are parsed, against a pinned key set that
 * holds the current key and the next one, so the server can rotate keys without a shell release.
 */
import {
  EvaluatedManifestSchema,
  ManifestSignatureSchema,
  SignedManifestSchema,
  type EvaluatedManifest,
  type SignedManifest,
} from '@parley/contracts';
import { parseBase64, utf8 } from '@parley/bytes';
import { verifyEd25519 } from './ed25519-verify.js';

/** The only signature algorithm manifests use. */
export const MANIFEST_SIGNATURE_ALG = 'Ed25519';
/** Length in bytes of an Ed25519 public key and of a signature. */
export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

/** A public key the shell trusts for manifests, named by the `keyId` signatures carry. */
export interface PinnedManifestKey {
  readonly keyId: string;
  /** 32-byte Ed25519 public key, raw or as standard base64. */
  readonly publicKey: Uint8Array | string;
}

/** Why a signed manifest was refused. */
export type ManifestRejectionCode =
  /** There is no signature. */
  | 'unsigned'
  /** The signature names a key that is not pinned (or whose pinned value is unusable). */
  | 'unknown-key'
  /** The signature does not verify over the manifest bytes with the named key. */
  | 'bad-signature'
  /** The envelope or the signed manifest is not well formed (checked after the signature). */
  | 'invalid';

/** A verified, parsed manifest, or a code and message saying why it was refused. */
export type ManifestVerification =
  | { readonly ok: true; readonly manifest: EvaluatedManifest; readonly keyId: string }
  | { readonly ok: false; readonly code: ManifestRejectionCode; readonly message: string };

const reject = (code: ManifestRejectionCode, message: string): ManifestVerification => ({ ok: false, code, message });

function publicKeyBytes(key: PinnedManifestKey): Uint8Array | null {
  const bytes = typeof key.publicKey === 'string' ? parseBase64(key.publicKey) : key.publicKey;
  return bytes instanceof Uint8Array && bytes.length === ED25519_PUBLIC_KEY_LENGTH ? bytes : null;
}

/**
 * Verifies a signed manifest (as received: `unknown` is fine) against the pinned keys and, only once
 * the bytes are authentic, parses them as an `EvaluatedManifest`. Expiry, replay and the user id are
 * the caller's to check on the result. Never rejects.
 */
export async function verifySignedManifest(signed: SignedManifest | unknown, pinnedKeys: readonly PinnedManifestKey[]): Promise<ManifestVerification> {
  try {
    return await verify(signed, pinnedKeys);
  } catch (error) {
    return reject('invalid', `unreadable signed manifest: ${String(error)}`);
  }
}

async function verify(signed: unknown, pinnedKeys: readonly PinnedManifestKey[]): Promise<ManifestVerification> {
  if (typeof signed !== 'object' || signed === null || Array.isArray(signed)) return reject('invalid', 'expected { manifest, signature }');
  const { manifest: bytes, signature } = signed as { manifest?: unknown; signature?: unknown };
  if (typeof bytes !== 'string') return reject('invalid', 'the manifest is not a string');
  if (signature === null || signature === undefined) return reject('unsigned', 'the manifest carries no signature');
  if (!ManifestSignatureSchema.safeParse(signature).success) {
    return reject('invalid', 'the signature is not { alg: "Ed25519", keyId, value }');
  }
  const envelope = SignedManifestSchema.safeParse(signed);
  if (!envelope.success) return reject('invalid', 'the manifest is not a string of 2..65536 characters');
  const { manifest } = envelope.data;
  if (envelope.data.signature === null) return reject('unsigned', 'the manifest carries no signature');
  const { keyId, value } = envelope.data.signature;

  const candidates = pinnedKeys.filter((key) => key.keyId === keyId).map(publicKeyBytes).filter((key) => key !== null);
  if (candidates.length === 0) return reject('unknown-key', `no pinned key "${keyId}"`);

  const signatureBytes = parseBase64(value);
  if (!signatureBytes || signatureBytes.length !== ED25519_SIGNATURE_LENGTH) {
    return reject('bad-signature', 'the signature is not 64 bytes of standard base64');
  }
  const message = utf8(manifest);
  let authentic = false;
  for (const publicKey of candidates) authentic ||= await verifyEd25519(signatureBytes, message, publicKey);
  if (!authentic) return reject('bad-signature', `the signature does not verify with key "${keyId}"`);

  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest);
  } catch {
    return reject('invalid', 'the signed manifest is not JSON');
  }
  const result = EvaluatedManifestSchema.safeParse(parsed);
  if (!result.success) return reject('invalid', `the signed manifest does not match the schema: ${result.problem}`);
  return { ok: true, manifest: result.data, keyId };
}
