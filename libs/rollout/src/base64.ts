/**
 * Standard base64 (RFC 4648 §4, padded) over bytes, with `atob`/`btoa`, which pages, workers and Node
 * all provide. Decoding is strict: only the canonical encoding of some byte string is accepted, so a
 * signature has exactly one textual form.
 */

/** Bytes → padded standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Padded standard base64 → bytes; null for anything but a canonical encoding. */
export function decodeBase64(text: string): Uint8Array | null {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  // atob ignores non-zero padding bits; re-encoding catches them.
  return encodeBase64(bytes) === text ? bytes : null;
}
