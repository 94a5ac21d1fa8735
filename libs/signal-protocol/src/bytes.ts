/** Byte helpers shared by every module. Nothing here logs or keeps what it is given. */

/** Concatenates byte strings. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Compares in time that depends only on the lengths, never on where the inputs differ: use it for
 * MACs, keys and anything an attacker could probe byte by byte.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

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

/** Lower-case hex, for tests and identifiers (never for logging secrets). */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Parses lower- or upper-case hex. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError('invalid hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Overwrites a buffer that held secret material (best effort: JS cannot promise erasure). */
export function wipe(bytes: Uint8Array): void {
  bytes.fill(0);
}

/** A copy that owns its own ArrayBuffer (WebCrypto and storage want exact buffers). */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
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
