import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  arrayBufferBacked,
  concatBytes,
  constantTimeEqual,
  copyBytes,
  fromBase64,
  fromBase64Url,
  fromHex,
  fromUtf8,
  parseBase64,
  parseBase64Url,
  toBase64,
  toBase64Url,
  toHex,
  utf8,
} from './index.js';

// Node's Buffer is the oracle for every encoding: it implements RFC 4648 independently of btoa/atob.
const samples = [0, 1, 2, 3, 4, 31, 32, 33, 255, 0x8000 + 7, 200_000].map((length) => new Uint8Array(randomBytes(length)));

describe('base64 (RFC 4648 §4)', () => {
  it('encodes as Node does, and decodes its own output', () => {
    for (const bytes of samples) {
      const text = toBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(fromBase64(text)).toEqual(bytes);
    }
  });

  it('RFC 4648 §10 test vectors', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
    for (const [plain, encoded] of vectors) {
      expect(toBase64(utf8(plain))).toBe(encoded);
      expect(fromUtf8(fromBase64(encoded))).toBe(plain);
    }
  });

  it('refuses anything but the canonical encoding', () => {
    for (const bad of ['Zg', 'Zg=', 'Zh==', 'Zm9v\n', 'Zm9v ', '****', 'Zm9vYg==Zg==', 'Zm-v']) {
      expect(parseBase64(bad), bad).toBeNull();
      expect(() => fromBase64(bad), bad).toThrow(TypeError);
    }
  });
});

describe('base64url (RFC 4648 §5, unpadded)', () => {
  it('encodes as Node does, and decodes its own output', () => {
    for (const bytes of samples) {
      const text = toBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(fromBase64Url(text)).toEqual(bytes);
    }
  });

  it('refuses padding, the standard alphabet and non-canonical tails', () => {
    for (const bad of ['Zg==', 'Zm+v', 'Zm/v', 'Z', 'Zh', 'Zm9v.']) {
      expect(parseBase64Url(bad), bad).toBeNull();
      expect(() => fromBase64Url(bad), bad).toThrow(TypeError);
    }
  });
});

describe('UTF-8', () => {
  it('round-trips every plane, as Node encodes it', () => {
    const text = 'Parley — Привет — 通话 — \u{1F4DE}';
    expect(utf8(text)).toEqual(new Uint8Array(Buffer.from(text, 'utf8')));
    expect(fromUtf8(utf8(text))).toBe(text);
  });

  it('refuses invalid UTF-8 instead of inventing replacement characters', () => {
    expect(() => fromUtf8(new Uint8Array([0xc3, 0x28]))).toThrow(TypeError);
  });
});

describe('bytes', () => {
  it('concatenates into a fresh buffer', () => {
    const a = new Uint8Array([1, 2]);
    const joined = concatBytes(a, new Uint8Array([]), new Uint8Array([3]));
    expect(joined).toEqual(new Uint8Array([1, 2, 3]));
    a[0] = 9;
    expect(joined[0]).toBe(1);
  });

  it('compares equal lengths byte by byte and refuses other lengths', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([]), new Uint8Array([]))).toBe(true);
  });

  it('copies into an own ArrayBuffer', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(4)).fill(7);
    const copy = copyBytes(shared.subarray(1, 3));
    expect(copy.buffer).toBeInstanceOf(ArrayBuffer);
    expect(copy).toEqual(new Uint8Array([7, 7]));
  });

  it('keeps a view of an ordinary ArrayBuffer as it is, and copies one of shared memory', () => {
    const whole = new Uint8Array([1, 2, 3, 4]);
    const view = whole.subarray(1, 3);
    expect(arrayBufferBacked(view)).toBe(view);
    const shared = new Uint8Array(new SharedArrayBuffer(4)).fill(5);
    const backed = arrayBufferBacked(shared.subarray(0, 2));
    expect(backed.buffer).toBeInstanceOf(ArrayBuffer);
    expect(backed).toEqual(new Uint8Array([5, 5]));
  });

  it('hex as Node writes it, strict on input', () => {
    for (const bytes of samples.slice(0, 8)) {
      expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
      expect(fromHex(toHex(bytes).toUpperCase())).toEqual(bytes);
    }
    expect(() => fromHex('abc')).toThrow(TypeError);
    expect(() => fromHex('zz')).toThrow(TypeError);
  });
});
