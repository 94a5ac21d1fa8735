/**
 * Base64 (RFC 4648 §4, padded) and base64url (§5, unpadded) on the platform's btoa/atob, so the same
 * code runs in pages, workers and Node without Buffer. Decoders are strict: only the canonical
 * encoding of some byte string is accepted, so a key or signature has exactly one textual form.
 */

// Declared here rather than taken from a DOM or WebWorker `lib`: pages, workers and Node all have
// them, and so every runtime:std package can use this one whatever its `lib` setting.
const platform = globalThis as unknown as { btoa(binary: string): string; atob(text: string): string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function binaryOf(bytes: Uint8Array): string {
  let binary = '';
  // Chunked: String.fromCharCode with 200 KB of arguments would overflow the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return binary;
}

/** Bytes → padded standard base64. */
export function toBase64(bytes: Uint8Array): string {
  return platform.btoa(binaryOf(bytes));
}

/** Padded standard base64 → bytes; null for anything but a canonical encoding. */
export function parseBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64.test(text)) return null;
  let binary: string;
  try {
    binary = platform.atob(text);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // atob ignores non-zero padding bits; re-encoding catches them.
  return toBase64(bytes) === text ? bytes : null;
}

/** Padded standard base64 → bytes; throws a TypeError on anything but a canonical encoding. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const bytes = parseBase64(text);
  if (!bytes) throw new TypeError('invalid base64');
  return bytes;
}

/** Bytes → unpadded base64url (URL fragments, ids in paths). */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Unpadded base64url → bytes; null for anything but a canonical encoding. */
export function parseBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (typeof text !== 'string' || text.length % 4 === 1 || !BASE64URL.test(text)) return null;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return parseBase64(padded);
}

/** Unpadded base64url → bytes; throws a TypeError on anything but a canonical encoding. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const bytes = parseBase64Url(text);
  if (!bytes) throw new TypeError('invalid base64url');
  return bytes;
}
