import { describe, expect, it } from 'vitest';
import { blobLimitsFromEnv, configFromEnv } from '../config.js';
import { DEFAULT_BLOB_LIMITS } from './blob-limits.js';

describe('blob limits from the environment', () => {
  it('default to 1 GiB per account and 30 days unfetched', () => {
    expect(configFromEnv({}).blobLimits).toEqual(DEFAULT_BLOB_LIMITS);
    expect(DEFAULT_BLOB_LIMITS.quotaBytesPerAccount).toBe(1024 ** 3);
    expect(DEFAULT_BLOB_LIMITS.unfetchedTtlMs).toBe(30 * 24 * 60 * 60 * 1000);
  });

  it('take PARLEY_BLOB_QUOTA_BYTES, and refuse what is not a positive number of bytes', () => {
    expect(blobLimitsFromEnv({ PARLEY_BLOB_QUOTA_BYTES: '200000' }).quotaBytesPerAccount).toBe(200_000);
    for (const bad of ['0', '-5', '1.5', 'lots']) expect(() => blobLimitsFromEnv({ PARLEY_BLOB_QUOTA_BYTES: bad })).toThrow(/PARLEY_BLOB_QUOTA_BYTES/);
  });
});
