/**
 * The Ed25519 keys that sign cohort manifests. Generated on first start into the data folder (mode
 * 0600): a current key that signs and a next key that shells already pin, so the server can rotate to
 * it without a shell release. The public halves are written next to them
 * (`manifest-public-keys.json`) for the shell build to pin (see the README, "Releasing the call app").
 * The server signs with the current key only: the next key's private half may be kept offline, the
 * key file holding its public half (`next: { keyId, publicKey }`) until rotation brings it in.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBase64, toBase64 } from '@parley/bytes';
import type { PinnedManifestKey } from '@parley/rollout';
import { createFileWhole, replaceFileWhole } from '../files/whole-file.js';
import { type ManifestSigningKey, generateManifestSigningKey, manifestPublicKey } from '@parley/rollout/sign';
import { z } from 'zod';

/** Default name of the private key file in the data folder. */
export const MANIFEST_KEY_FILE_NAME = 'manifest-signing-keys.json';
/** Name of the public key set written next to it, for the shell build. */
export const MANIFEST_PUBLIC_KEYS_FILE_NAME = 'manifest-public-keys.json';

const StoredKey = z.object({ keyId: z.string().min(1).max(64), privateKey: z.string().min(1) });
/** The next key with its private half kept offline: enough to pin, not to sign. */
const StoredPublicKey = z.object({ keyId: z.string().min(1).max(64), publicKey: z.string().min(1) }).strict();
const KeyFileSchema = z.object({ current: StoredKey, next: z.union([StoredKey, StoredPublicKey]).nullable() });
type KeyFile = z.infer<typeof KeyFileSchema>;

/** The signing key and the public keys a shell should pin (current first, then next). */
export interface ManifestKeys {
  readonly signing: ManifestSigningKey;
  readonly pinned: readonly PinnedManifestKey[];
}

/** A key id derived from the public key, so two keys never share one by accident. */
function keyIdFor(publicKey: Uint8Array): string {
  return `ed25519-${createHash('sha256').update(publicKey).digest('hex').slice(0, 12)}`;
}

function freshKey(): z.infer<typeof StoredKey> {
  const generated = generateManifestSigningKey('pending');
  return { keyId: keyIdFor(generated.publicKey), privateKey: toBase64(generated.privateKey) };
}

function toKeys(file: KeyFile): ManifestKeys {
  const load = (stored: z.infer<typeof StoredKey>): ManifestSigningKey => {
    const privateKey = parseBase64(stored.privateKey);
    if (!privateKey || privateKey.length !== 32) throw new Error(`manifest key "${stored.keyId}" is not 32 bytes of base64`);
    return { keyId: stored.keyId, privateKey, publicKey: manifestPublicKey(privateKey) };
  };
  const loadPublic = (stored: z.infer<typeof StoredPublicKey>): PinnedManifestKey => {
    const publicKey = parseBase64(stored.publicKey);
    if (!publicKey || publicKey.length !== 32) throw new Error(`manifest key "${stored.keyId}" has no 32-byte base64 public key`);
    return { keyId: stored.keyId, publicKey: toBase64(publicKey) };
  };
  const pin = ({ keyId, publicKey }: ManifestSigningKey): PinnedManifestKey => ({ keyId, publicKey: toBase64(publicKey) });
  const current = load(file.current);
  const next = file.next === null ? null : 'privateKey' in file.next ? pin(load(file.next)) : loadPublic(file.next);
  const pinned = [pin(current), ...(next ? [next] : [])];
  return { signing: current, pinned };
}

/** Writes the key file whole (0600); with `replace: false`, only if none exists (returns whether it wrote). */
function writePrivate(file: string, content: KeyFile, { replace = true } = {}): boolean {
  const text = `${JSON.stringify(content, null, 2)}\n`;
  if (!replace) return createFileWhole(file, text, 0o600);
  replaceFileWhole(file, text, 0o600);
  return true;
}

function readKeyFile(file: string): KeyFile {
  const parsed = KeyFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a manifest key file ({ current: {keyId, privateKey}, next: {keyId, privateKey} or {keyId, publicKey} })`);
  return parsed.data;
}

/** Writes the public key set a shell build pins (no secret in it). */
export function writePublicKeys(dataDir: string, keys: ManifestKeys): string {
  const file = join(dataDir, MANIFEST_PUBLIC_KEYS_FILE_NAME);
  // Whole: every node starting on a shared folder writes it, while others may read it.
  replaceFileWhole(file, `${JSON.stringify(keys.pinned, null, 2)}\n`);
  return file;
}

/**
 * Loads the manifest keys from `file`, generating a current and a next key (mode 0600) when it does
 * not exist yet. `created` says whether this call made them.
 */
export function loadOrCreateManifestKeys(file: string): ManifestKeys & { created: boolean } {
  if (existsSync(file)) return { ...toKeys(readKeyFile(file)), created: false };
  const content: KeyFile = { current: freshKey(), next: freshKey() };
  // Linked into place, never renamed over: of nodes starting together on one shared folder, the
  // first to create the file wins and the others load it, so they all sign with the same keys.
  if (!writePrivate(file, content, { replace: false })) return { ...toKeys(readKeyFile(file)), created: false };
  return { ...toKeys(content), created: true };
}

/**
 * Rotation: the next key (already pinned by shells) becomes the signing key and a fresh next key is
 * generated. Shells built before have both old keys pinned, so they keep verifying; build and deploy
 * a shell that pins the new pair before rotating again.
 */
export function rotateManifestKeys(file: string): ManifestKeys {
  const content = readKeyFile(file);
  if (!content.next) throw new Error(`${file} has no next key to rotate to`);
  if (!('privateKey' in content.next)) {
    throw new Error(`${file} holds only the public half of the next key "${content.next.keyId}": put its private half (next.privateKey, kept offline) in the file to rotate`);
  }
  const rotated: KeyFile = { current: content.next, next: freshKey() };
  writePrivate(file, rotated);
  return toKeys(rotated);
}
