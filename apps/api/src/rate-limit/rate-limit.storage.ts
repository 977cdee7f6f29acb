import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { RedisBreaker } from '@app/redis';

/** What one check returns; the shape @nestjs/throttler's storage interface asks for (times in seconds). */
export interface RateLimitRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
  /** When the window ends (ms since the epoch), for X-RateLimit-Reset. */
  resetAtMs: number;
}

/**
 * Fixed window in one round trip: INCR, and PEXPIRE when the key is new (or lost its TTL), then PTTL. Atomic, so
 * replicas sharing the Redis share the count, and a key can never outlive its window.
 */
const INCREMENT_LUA = `
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if hits == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { hits, ttl }
`;

type IncrementingRedis = Redis & { signalgateRateLimitIncr(key: string, ttlMs: number): Promise<[number, number]> };

/** Bound on the in-process fallback's counters (one per subject/IP and limit); the least recently used go first. */
export const MEMORY_COUNTERS_MAX = 50_000;
const KEY_PREFIX = 'signalgate:rl:';

/**
 * The throttler's storage: shared counters in Redis on the service's existing ioredis client, with an in-process
 * fallback behind the shared RedisBreaker (@app/redis). Chosen over `@nest-lab/throttler-storage-redis` because that
 * package lets a Redis error escape the guard, and the stock throttler then answers 500 to every request while Redis
 * is down; here a Redis error, a
 * disconnected client or a check slower than `RATE_LIMIT_REDIS_TIMEOUT_MS` sends the request to the in-process
 * counter instead (fail open to per-process limits, never a 5xx), logged once per outage, and shared limits resume
 * when Redis answers again. Without REDIS_URL (development) the limits are per process from the start.
 */
export class RateLimitStorage implements ThrottlerStorage {
  private readonly memory = new LRUCache<string, { hits: number; expiresAt: number }>({ max: MEMORY_COUNTERS_MAX });
  private readonly breaker: RedisBreaker<IncrementingRedis>;

  constructor(redis: Redis | null, redisTimeoutMs: number) {
    if (redis && typeof (redis as unknown as Record<string, unknown>).signalgateRateLimitIncr !== 'function') {
      redis.defineCommand('signalgateRateLimitIncr', { numberOfKeys: 1, lua: INCREMENT_LUA });
    }
    this.breaker = new RedisBreaker(redis as IncrementingRedis | null, {
      context: 'RateLimit',
      timeoutMs: redisTimeoutMs,
      what: 'rate-limit check',
      downMessage: (why) => `Redis unavailable for rate limits (${why}): limiting per process until it answers again`,
      upMessage: 'Redis answers again: rate limits are shared across replicas again',
      absentMessage: 'rate limits are per process: REDIS_URL is not set',
    });
  }

  /** True while checks go to the in-process counter because Redis failed. */
  get degraded(): boolean {
    return this.breaker.degraded;
  }

  increment(key: string, ttlMs: number, limit: number): Promise<RateLimitRecord> {
    return this.breaker.run(
      async (redis) => {
        const [hits, pttl] = await redis.signalgateRateLimitIncr(KEY_PREFIX + key, ttlMs);
        return record(Number(hits), Number(pttl), limit);
      },
      () => this.incrementInMemory(key, ttlMs, limit),
    );
  }

  private incrementInMemory(key: string, ttlMs: number, limit: number): RateLimitRecord {
    const now = Date.now();
    let entry = this.memory.get(key);
    if (!entry || entry.expiresAt <= now) {
      entry = { hits: 0, expiresAt: now + ttlMs };
      this.memory.set(key, entry);
    }
    entry.hits += 1;
    return record(entry.hits, entry.expiresAt - now, limit);
  }
}

/**
 * A fixed window: the request that goes over the limit and every one after it in the window is refused, until the
 * window ends (the block
 * lasts the rest of the window: `blockDuration` is the window, the throttler's default, and is not read).
 */
function record(hits: number, pttlMs: number, limit: number): RateLimitRecord {
  const timeToExpire = Math.max(1, Math.ceil(pttlMs / 1000));
  const isBlocked = hits > limit;
  return { totalHits: hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0, resetAtMs: Date.now() + Math.max(0, pttlMs) };
}
