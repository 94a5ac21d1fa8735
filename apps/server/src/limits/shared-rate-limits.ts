/**
 * Rate limits shared by every node (issue 22): the HTTP API's token buckets (per device, per
 * address, key uploads, prekey-bundle fetches, blob downloads per address) kept in Redis, so a caller spreading its requests
 * over several nodes gets what it would get from one. Each bucket is read, refilled and taken from
 * in one Lua script (atomic in Redis). Redis is no source of truth here either: while it is away a
 * node falls back to its own buckets (each node then limits alone, as without Redis), so the API
 * never waits on it.
 *
 * The relay's limits (sends, frames, SFU requests) stay per node: they count per device, and a
 * device has one relay connection, held by one node (a newer one on another node displaces it).
 */
import { createClient } from 'redis';
import type { WallClock } from '@parley/clock';
import type { RateLimit } from '../config.js';
import { RateLimiter } from './rate-limiter.js';
import { closeRedisClient, redisClientOptions } from '../relay/cluster-bus.js';

/** What the HTTP routes take tokens from: this node's buckets, or the shared ones. */
export interface RequestLimiter {
  /** Takes one token for `key`: 0 when allowed, otherwise how many ms until one is available. */
  take(key: string): number | Promise<number>;
  /** Takes refused since start (the metrics report it). */
  readonly refusals: number;
}

/**
 * Refills by the time elapsed and takes one token; returns 0 or the ms to wait. The time comes from
 * the calling node's clock (ARGV[3]); a node whose clock is behind never refills backwards.
 */
const TAKE_TOKEN = `
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
if now > at then
  tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
  at = now
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait
`;

/** The part of a node-redis client the buckets use. */
interface BucketStore {
  readonly isReady: boolean;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
}

/** One Redis connection for every shared bucket of this node. */
export class SharedRateLimits {
  private constructor(
    private readonly client: BucketStore,
    private readonly clock: WallClock,
  ) {}

  /** Connects to Redis at `url` (`redis://…` or `unix:/path`); errors while it is away go to `onError`. */
  static async start(url: string, clock: WallClock, onError: (error: Error) => void): Promise<SharedRateLimits> {
    const client = createClient(redisClientOptions(url));
    client.on('error', (error: Error) => onError(error));
    await client.connect();
    return new SharedRateLimits(client, clock);
  }

  /** A limiter named `name` (its buckets' key prefix), `limit` shared by every node; null: unlimited. */
  limiter(name: string, limit: RateLimit | null): RequestLimiter {
    const local = new RateLimiter(limit, this.clock);
    if (!limit) return local;
    const { client, clock } = this;
    let refusals = 0;
    return {
      get refusals() {
        return refusals + local.refusals;
      },
      async take(key) {
        // Redis away: this node's own bucket, rather than waiting on a reconnect.
        if (!client.isReady) return local.take(key);
        let wait: number;
        try {
          wait = Number(await client.eval(TAKE_TOKEN, { keys: [`parley:limit:${name}:${key}`], arguments: [String(limit.burst), String(limit.perSecond), String(clock.now())] }));
        } catch {
          return local.take(key);
        }
        if (wait > 0) refusals += 1;
        return wait;
      },
    };
  }

  async stop(): Promise<void> {
    await closeRedisClient(this.client);
  }
}
