import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '@parley/bytes';
import { MAX_UINT64 } from './bytes.js';
import { isSFrameError } from './errors.js';
import { MAX_HEADER_LENGTH, decodeHeader, encodeHeader } from './header.js';
import { headerVectors } from './testing/vectors.js';

describe('SFrame header (RFC 9605 §4.3)', () => {
  it('has all 289 header vectors', () => {
    expect(headerVectors).toHaveLength(289);
    expect(headerVectors.some((v) => v.kid === MAX_UINT64 && v.ctr === MAX_UINT64)).toBe(true);
  });

  it('encodes every vector byte for byte', () => {
    for (const { kid, ctr, encoded } of headerVectors) {
      expect(toHex(encodeHeader(kid, ctr)), `kid ${kid} ctr ${ctr}`).toBe(toHex(encoded));
    }
  });

  it('decodes every vector, reporting the header length, with payload bytes after it', () => {
    for (const { kid, ctr, encoded } of headerVectors) {
      const withPayload = new Uint8Array([...encoded, 0xde, 0xad]);
      expect(decodeHeader(withPayload)).toEqual({ ok: true, value: { kid, ctr, length: encoded.length } });
    }
  });

  it('puts values 0–7 in the config byte and never exceeds 17 bytes', () => {
    expect(toHex(encodeHeader(7n, 7n))).toBe('77');
    expect(encodeHeader(MAX_UINT64, MAX_UINT64)).toHaveLength(MAX_HEADER_LENGTH);
  });

  it('refuses KID or CTR outside [0, 2^64 − 1]', () => {
    for (const [kid, ctr] of [[-1n, 0n], [0n, -1n], [MAX_UINT64 + 1n, 0n], [0n, MAX_UINT64 + 1n]] as const) {
      expect(() => encodeHeader(kid, ctr)).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
    }
    try {
      encodeHeader(0n, 1n << 64n);
    } catch (error) {
      expect(isSFrameError(error, 'invalid-argument')).toBe(true);
    }
  });

  it('reports a truncated or empty header as malformed, without throwing', () => {
    expect(decodeHeader(new Uint8Array(0))).toMatchObject({ ok: false, failure: { code: 'malformed-header' } });
    const full = encodeHeader(0x1234n, 0x56789an);
    for (let cut = 1; cut < full.length; cut++) {
      expect(decodeHeader(full.subarray(0, cut)), `cut at ${cut}`).toMatchObject({ ok: false, failure: { code: 'malformed-header' } });
    }
  });

  it('rejects non-minimal encodings, which no conforming sender writes', () => {
    // KID 5 in one extension byte instead of the config byte; CTR 0x0100 padded to three bytes.
    expect(decodeHeader(fromHex('8005'))).toMatchObject({ ok: false, failure: { code: 'malformed-header' } });
    expect(decodeHeader(fromHex('0a000100'))).toMatchObject({ ok: false, failure: { code: 'malformed-header' } });
  });
});
