/**
 * Manifest signing, for the server and the release CLI only: a separate entry (`@parley/rollout/sign`)
 * so shell bundles, which only verify, never carry private-key code.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { EvaluatedManifest, ManifestSignature, SignedManifest } from '@parley/contracts';
import { parseBase64, toBase64, utf8 } from '@parley/bytes';
import { MANIFEST_SIGNATURE_ALG, type PinnedManifestKey } from './signature.js';

/** Length in bytes of an Ed25519 private key (the RFC 8032 seed). */
export const ED25519_PRIVATE_KEY_LENGTH = 32;

/** A manifest signing key: the private half stays on the server, the public half is pinned in shells. */
export interface ManifestSigningKey extends PinnedManifestKey {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Thrown for a private key that is not 32 bytes: a configuration error, not a runtime condition. */
export class ManifestSigningKeyError extends Error {
  readonly code = 'invalid-private-key';
  override readonly name = 'ManifestSigningKeyError';
}

function privateKeyBytes(privateKey: Uint8Array | string): Uint8Array {
  const bytes = typeof privateKey === 'string' ? parseBase64(privateKey) : privateKey;
  if (!(bytes instanceof Uint8Array) || bytes.length !== ED25519_PRIVATE_KEY_LENGTH) {
    throw new ManifestSigningKeyError(`a manifest signing key is ${ED25519_PRIVATE_KEY_LENGTH} bytes (raw or standard base64)`);
  }
  return bytes;
}

/**
 * Signs the exact UTF-8 bytes of `manifestJson` with Ed25519; the signature value is standard base64.
 * Send `manifestJson` unchanged next to it: the shell verifies those bytes, not a re-serialization.
 */
export function signManifest(manifestJson: string, privateKey: Uint8Array | string, keyId: string): ManifestSignature {
  const signature = ed25519.sign(utf8(manifestJson), privateKeyBytes(privateKey));
  return { alg: MANIFEST_SIGNATURE_ALG, keyId, value: toBase64(signature) };
}

/** Serializes an evaluated manifest and signs those bytes: the envelope `GET /api/manifest` returns. */
export function createSignedManifest(manifest: EvaluatedManifest, privateKey: Uint8Array | string, keyId: string): SignedManifest {
  const manifestJson = JSON.stringify(manifest);
  return { manifest: manifestJson, signature: signManifest(manifestJson, privateKey, keyId) };
}

/** The public key to pin for a private key. */
export function manifestPublicKey(privateKey: Uint8Array | string): Uint8Array {
  return ed25519.getPublicKey(privateKeyBytes(privateKey));
}

/** A fresh random signing key (from the platform CSPRNG) named `keyId`. */
export function generateManifestSigningKey(keyId: string): ManifestSigningKey {
  const { secretKey, publicKey } = ed25519.keygen();
  return { keyId, privateKey: secretKey, publicKey };
}
