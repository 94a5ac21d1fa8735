const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** Text of UTF-8 bytes; throws a TypeError on invalid UTF-8 (never a replacement character). */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
