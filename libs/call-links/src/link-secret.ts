/**
 * A call link's root secret and what is derived from it (libs/contracts call-links.ts): the URL
 * fragment carries the secret, browsers never send a fragment to a server, and the server gets
 * only the room id and the verifier. WebCrypto only, so it runs in browsers, workers and Node.
 */
import { concatBytes, fromBase64Url, fromUtf8, parseBase64, parseBase64Url, toBase64, toBase64Url, utf8 } from '@parley/bytes';
import { CALL_LINK_LABELS, CALL_LINK_SECRET_BYTES } from '@parley/contracts';

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
/** AES-GCM IV length for the call name. */
const NAME_IV_BYTES = 12;
/** Longest call name, in characters. */
export const MAX_CALL_NAME_LENGTH = 128;

/** Why a link could not be read: the text after `#` is not a link secret. */
export class CallLinkFormatError extends Error {
  readonly code = 'invalid-link';
}

/** What the holder of a link can compute. */
export interface CallLinkKeys {
  /** The root secret, as it appears in the fragment. */
  readonly secret: string;
  readonly roomId: string;
  readonly verifier: string;
  /** AES-128-GCM key of the call name. */
  readonly nameKey: CryptoKey;
}

/** A fresh root secret (128 bits), base64url as it goes into the fragment. */
export function newCallLinkSecret(): string {
  return toBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(CALL_LINK_SECRET_BYTES)));
}

/** The secret in a link (`…/call#<secret>`, or the bare fragment); throws CallLinkFormatError. */
export function secretFromLink(link: string): string {
  const fragment = link.includes('#') ? link.slice(link.indexOf('#') + 1) : link;
  if (!/^[A-Za-z0-9_-]{22}$/.test(fragment) || parseBase64Url(fragment)?.length !== CALL_LINK_SECRET_BYTES) {
    throw new CallLinkFormatError('This is not a Parley call link: the part after # should be 22 letters, digits, - or _.');
  }
  return fragment;
}

/** The link to share: the shell's call page with the secret in the fragment. */
export function callLinkUrl(shellOrigin: string, secret: string): string {
  return `${shellOrigin.replace(/\/+$/, '')}/call#${secret}`;
}

async function expand(secret: Uint8Array<ArrayBuffer>, label: string, bytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const key = await subtle().importKey('raw', secret, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: utf8(label) }, key, bytes * 8));
}

/** Derives room id, verifier and name key from a link secret (HKDF-SHA256, no salt, CALL_LINK_LABELS). */
export async function deriveCallLinkKeys(secret: string): Promise<CallLinkKeys> {
  const root = fromBase64Url(secretFromLink(secret));
  const [roomId, verifier, nameKeyBytes] = await Promise.all([
    expand(root, CALL_LINK_LABELS.roomId, 16),
    expand(root, CALL_LINK_LABELS.verifier, 32),
    expand(root, CALL_LINK_LABELS.nameKey, 16),
  ]);
  const nameKey = await subtle().importKey('raw', nameKeyBytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { secret, roomId: toBase64Url(roomId), verifier: toBase64Url(verifier), nameKey };
}

/** The call name encrypted for the server: base64 of IV ‖ AES-GCM ciphertext ‖ tag. */
export async function encryptCallName(keys: CallLinkKeys, name: string): Promise<string> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_CALL_NAME_LENGTH) throw new RangeError(`a call name has 1 to ${MAX_CALL_NAME_LENGTH} characters`);
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(NAME_IV_BYTES));
  const sealed = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv }, keys.nameKey, utf8(trimmed)));
  return toBase64(concatBytes(iv, sealed));
}

/** The call name, or null when it does not decrypt with this link's key (tampered, or another link's). */
export async function decryptCallName(keys: CallLinkKeys, encrypted: string): Promise<string | null> {
  try {
    const bytes = parseBase64(encrypted);
    if (!bytes) return null;
    const plain = await subtle().decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, NAME_IV_BYTES) }, keys.nameKey, bytes.subarray(NAME_IV_BYTES));
    return fromUtf8(new Uint8Array(plain));
  } catch {
    return null;
  }
}

/** What the server is told of a new link (or a link moved to a new secret): never the secret or the name in clear. */
export async function callLinkRegistration(keys: CallLinkKeys, name: string): Promise<{ roomId: string; verifier: string; encryptedName?: string }> {
  return { roomId: keys.roomId, verifier: keys.verifier, ...(name.trim() ? { encryptedName: await encryptCallName(keys, name) } : {}) };
}
