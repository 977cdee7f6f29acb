import type Redis from 'ioredis';
import { SendRateLimiter } from './send-rate-limiter';
import { spyOnLoggerEachTest } from '@app/redis/logger-spies.spec-helper';

function fakeRedis(reply: () => Promise<number[]>) {
  const r = {
    status: 'ready',
    calls: 0,
    defineCommand: jest.fn(),
    signalgateSendRate: jest.fn(() => {
      r.calls += 1;
      return reply();
    }),
  };
  return r;
}

const settings = { rateFallbackProcesses: 2, redisTimeoutMs: 50 };

describe('SendRateLimiter', () => {
  const spies = spyOnLoggerEachTest();

  it('takes the slot Redis gives (µs on the wire, ms here)', async () => {
    const redis = fakeRedis(() => Promise.resolve([1, 1_700_000_000_250_000, 250_000]));
    const limiter = new SendRateLimiter(settings, redis as unknown as Redis);
    await expect(limiter.reserve('w', 5, 1000)).resolves.toEqual({ admitted: true, slotMs: 1_700_000_000_250, waitMs: 250 });
    expect(redis.signalgateSendRate).toHaveBeenCalledWith('signalgate:send-rate:w', 200_000, 1_000_000);
    redis.signalgateSendRate.mockImplementationOnce(() => Promise.resolve([0, 150_500]));
    await expect(limiter.reserve('w', 5, 1000)).resolves.toEqual({ admitted: false, retryInMs: 151 });
  });

  it('falls back to rate / DELIVERY_RATE_FALLBACK_PROCESSES per process when Redis fails, and returns (breaker: libs/redis)', async () => {
    let mode: 'down' | 'up' = 'down';
    const redis = fakeRedis(() => (mode === 'down' ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve([1, 1, 0])));
    const limiter = new SendRateLimiter(settings, redis as unknown as Redis);
    const t0 = Date.now();
    // Rate 5 shared by 2 processes: this one gets a slot every 400 ms; with a 1 s wait it holds 3 (0, 0.4, 0.8 s).
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push(await limiter.reserve('w', 5, 1000));
    expect(decisions.map((d) => d.admitted)).toEqual([true, true, true, false]);
    const slots = decisions.flatMap((d) => (d.admitted ? [d.slotMs] : []));
    expect(slots[1] - slots[0]).toBe(400);
    expect(slots[2] - slots[1]).toBe(400);
    expect(slots[0]).toBeGreaterThanOrEqual(t0);
    expect(limiter.degraded).toBe(true);
    expect(spies.warn).toHaveBeenCalledTimes(1);
    expect(String(spies.warn.mock.calls[0][0])).toMatch(/Redis unavailable for webhook send rates .*rate \/ 2/);

    mode = 'up';
    jest.spyOn(Date, 'now').mockReturnValue(t0 + 10_000);
    await limiter.reserve('w', 5, 1000);
    expect(limiter.degraded).toBe(false);
    expect(spies.log.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringMatching(/shared across processes again/));
  });

  it('goes per process at once while the client is not connected, and without Redis at all', async () => {
    const redis = fakeRedis(() => Promise.resolve([1, 1, 0]));
    redis.status = 'reconnecting';
    const limiter = new SendRateLimiter(settings, redis as unknown as Redis);
    expect((await limiter.reserve('w', 1, 0)).admitted).toBe(true);
    expect((await limiter.reserve('w', 1, 0)).admitted).toBe(false);
    const none = new SendRateLimiter(settings, null);
    expect((await none.reserve('w', 1, 0)).admitted).toBe(true);
    expect(spies.log.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringMatching(/REDIS_URL is not set/));
  });
});
