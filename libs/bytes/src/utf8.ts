// Declared here rather than taken from a DOM or WebWorker `lib` (see base64.ts).
const platform = globalThis as unknown as {
  TextEncoder: new () => { encode(text: string): Uint8Array<ArrayBuffer> };
  TextDecoder: new (label: 'utf-8', options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };
};
const encoder = new platform.TextEncoder();
const decoder = new platform.TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** Text of UTF-8 bytes; throws a TypeError on invalid UTF-8 (never a replacement character). */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
