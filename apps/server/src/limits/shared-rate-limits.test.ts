import { ManualClock } from '@parley/clock/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScratchRedis, startScratchRedis } from '../testing/scratch-redis.js';
import { SharedRateLimits } from './shared-rate-limits.js';

describe('SharedRateLimits', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('gives two nodes one bucket per key, refilled by time, and falls back to each node\'s own while Redis is away', { timeout: 30_000 }, async () => {
    const redis: ScratchRedis = await startScratchRedis();
    cleanups.push(() => redis.stop());
    const clock = new ManualClock(1_700_000_000_000);
    const [nodeA, nodeB] = await Promise.all([0, 1].map(() => SharedRateLimits.start(redis.url, clock, () => {})));
    cleanups.push(() => nodeA!.stop(), () => nodeB!.stop());
    const limit = { burst: 2, perSecond: 1 };
    const onA = nodeA!.limiter('test', limit);
    const onB = nodeB!.limiter('test', limit);

    // The burst of 2 is spent across both nodes; the third take waits a second, on either.
    expect(await onA.take('alice')).toBe(0);
    expect(await onB.take('alice')).toBe(0);
    expect(await onA.take('alice')).toBe(1_000);
    expect(await onB.take('alice')).toBe(1_000);
    // Another key has its own bucket; a second later one token is back, for whichever node asks.
    expect(await onB.take('bob')).toBe(0);
    clock.advance(1_000);
    expect(await onB.take('alice')).toBe(0);
    expect(await onA.take('alice')).toBeGreaterThan(0);
    expect(onA.refusals + onB.refusals).toBe(3);

    // Redis gone: each node answers from its own buckets at once (a fresh burst here), not waiting.
    await redis.stop();
    cleanups.shift();
    await expect.poll(() => onA.take('alice'), { timeout: 10_000 }).toBe(0);
  });
});
