import { describe, expect, it } from 'vitest';
import { acceptedEncodings } from './content-encoding.js';

describe('acceptedEncodings', () => {
  it.each([
    ['gzip, deflate, br, zstd', ['br', 'gzip']],
    ['gzip, deflate', ['gzip']],
    ['br;q=0, gzip', ['gzip']],
    ['gzip;q=1.0, br;q=0.5', ['gzip', 'br']],
    ['*', ['br', 'gzip']],
    ['*;q=0.1, gzip;q=0', ['br']],
    ['identity', []],
    ['x-gzip', ['gzip']],
    ['', []],
  ])('Accept-Encoding "%s" takes %j', (header, expected) => {
    expect(acceptedEncodings(header, ['br', 'gzip'])).toEqual(expected);
  });

  it('takes nothing when the request has no Accept-Encoding', () => {
    expect(acceptedEncodings(undefined, ['br', 'gzip'])).toEqual([]);
  });
});
