/**
 * Token buckets keyed by caller (a device, or an address before sign-in). Reads an injectable
 * clock, so tests drain and refill a bucket without waiting.
 */
import type { WallClock } from '@parley/clock';
import type { RateLimit } from '../config.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** Above this many buckets, full ones (idle callers) are forgotten. */
const SWEEP_THRESHOLD = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Takes refused since this limiter was made (the metrics report it). */
  refusals = 0;

  constructor(
    private readonly limit: RateLimit | null,
    private readonly clock: WallClock,
  ) {}

  /**
   * Takes one token for `key`: 0 when allowed, otherwise how many ms until one is available.
   * A limiter made with no limit always allows.
   */
  take(key: string): number {
    if (!this.limit) return 0;
    const { burst, perSecond } = this.limit;
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= SWEEP_THRESHOLD) this.sweep(now);
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    this.refusals += 1;
    return Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
  }

  private sweep(now: number): void {
    if (!this.limit) return;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond >= this.limit.burst) this.buckets.delete(key);
    }
  }
}
