/**
 * Randomness, fixed-width integers and redaction for the protocol. General byte helpers (concat,
 * constant-time compare, hex, base64, UTF-8) come from @parley/bytes.
 */

/** Cryptographically secure random bytes from the platform (WebCrypto in pages, workers and Node). */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let offset = 0; offset < length; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
}

/** A uniformly random unsigned 32-bit integer from the platform RNG. */
export function randomUint32(): number {
  const b = randomBytes(4);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** Big-endian encoding of an unsigned 32-bit integer. */
export function uint32BE(value: number): Uint8Array {
  return new Uint8Array([(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}

/** Overwrites a buffer that held secret material (best effort: JS cannot promise erasure). */
export function wipe(bytes: Uint8Array): void {
  bytes.fill(0);
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Makes instances of a class print as `[label]` in String(), JSON.stringify and Node's inspect, so
 * an object holding keys can be logged by mistake without leaking them.
 */
export function redactWhenPrinted(target: { prototype: object }, label: string): void {
  const text = `[${label}]`;
  for (const key of ['toString', 'toJSON', INSPECT] as const) {
    Object.defineProperty(target.prototype, key, { value: () => text, enumerable: false, configurable: true, writable: true });
  }
}
