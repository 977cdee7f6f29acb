import type Redis from 'ioredis';
import { MEMORY_COUNTERS_MAX, RateLimitStorage } from './rate-limit.storage';
import { spyOnLoggerEachTest } from '@app/redis/logger-spies.spec-helper';

/** A stand-in for the ioredis client: its state and the script's answer are set by each test. */
function fakeRedis() {
  const fake = {
    status: 'ready',
    answer: (): Promise<[number, number]> => Promise.resolve([1, 60_000]),
    calls: 0,
    defineCommand: jest.fn(),
    signalgateRateLimitIncr(): Promise<[number, number]> {
      fake.calls += 1;
      return fake.answer();
    },
  };
  return fake;
}

describe('RateLimitStorage', () => {
  const spies = spyOnLoggerEachTest();

  it('counts in Redis while it answers: hits, seconds left, blocked over the limit', async () => {
    const redis = fakeRedis();
    const storage = new RateLimitStorage(redis as unknown as Redis, 250);
    redis.answer = () => Promise.resolve([3, 42_100]);
    await expect(storage.increment('k', 60_000, 3)).resolves.toMatchObject({ totalHits: 3, timeToExpire: 43, isBlocked: false, timeToBlockExpire: 0 });
    redis.answer = () => Promise.resolve([4, 42_000]);
    await expect(storage.increment('k', 60_000, 3)).resolves.toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 42 });
    expect(redis.calls).toBe(2);
  });

  // When to go to memory and back, the cool-down, the deadline and logging once are RedisBreaker's (libs/redis).
  it('a Redis error fails open to the in-process counter, said in rate-limit words; shared again when Redis answers', async () => {
    const redis = fakeRedis();
    const storage = new RateLimitStorage(redis as unknown as Redis, 250);
    redis.answer = () => Promise.reject(new Error('connection reset'));
    const now = jest.spyOn(Date, 'now');
    let t = 1_000_000;
    now.mockImplementation(() => t);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await storage.increment('k', 60_000, 2));
    expect(results.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [4, true],
    ]);
    expect(storage.degraded).toBe(true);
    expect(spies.warn).toHaveBeenCalledTimes(1);
    expect(String(spies.warn.mock.calls[0][0])).toMatch(/Redis unavailable for rate limits \(connection reset\)/);

    t += 1_500;
    redis.answer = () => Promise.resolve([1, 60_000]);
    await expect(storage.increment('k', 60_000, 2)).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
    expect(storage.degraded).toBe(false);
    expect(spies.log).toHaveBeenCalledWith(expect.stringMatching(/shared across replicas again/));
  });

  it('without Redis: per-process windows that end', async () => {
    const storage = new RateLimitStorage(null, 250);
    expect(spies.log).toHaveBeenCalledWith('rate limits are per process: REDIS_URL is not set');
    const now = jest.spyOn(Date, 'now');
    let t = 5_000_000;
    now.mockImplementation(() => t);
    await storage.increment('k', 1_000, 1);
    await expect(storage.increment('k', 1_000, 1)).resolves.toMatchObject({ totalHits: 2, isBlocked: true });
    t += 1_001;
    await expect(storage.increment('k', 1_000, 1)).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
    expect(MEMORY_COUNTERS_MAX).toBeGreaterThan(0);
  });
});
