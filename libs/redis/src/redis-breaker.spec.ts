import { RedisBreaker, REDIS_BREAKER_COOL_DOWN_MS, type RedisBreakerOptions } from './redis-breaker';
import { spyOnLoggerEachTest } from './logger-spies.spec-helper';

const options: RedisBreakerOptions = {
  context: 'Test',
  timeoutMs: 30,
  what: 'test call',
  downMessage: (why) => `Redis unavailable for tests (${why}): counting in memory`,
  upMessage: 'Redis answers again: shared again',
  absentMessage: 'in memory: REDIS_URL is not set',
};

function client() {
  return { status: 'ready', calls: 0 };
}

describe('RedisBreaker', () => {
  const spies = spyOnLoggerEachTest();
  let t: number;
  beforeEach(() => {
    t = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => t);
  });

  it('sends calls to Redis while it answers', async () => {
    const c = client();
    const breaker = new RedisBreaker(c, options);
    await expect(
      breaker.run(
        () => Promise.resolve('redis'),
        () => 'memory',
      ),
    ).resolves.toBe('redis');
    expect(breaker.state).toBe('up');
    expect(breaker.degraded).toBe(false);
    expect(spies.warn).not.toHaveBeenCalled();
  });

  it('an error opens it: the fallback answers, Redis is left alone for the cool-down, the outage logged once (masked); a probe after it closes it, logged once', async () => {
    const c = client();
    const breaker = new RedisBreaker(c, options);
    const work = jest.fn(() => Promise.reject(new Error('connect ECONNREFUSED redis://:hunter2@10.0.0.1:6379')));
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await breaker.run(work, () => 'memory'));
    expect(answers).toEqual(['memory', 'memory', 'memory', 'memory']);
    expect(work).toHaveBeenCalledTimes(1); // not retried within the cool-down
    expect(breaker.state).toBe('down');
    expect(breaker.degraded).toBe(true);
    expect(spies.warn).toHaveBeenCalledTimes(1);
    expect(String(spies.warn.mock.calls[0][0])).toMatch(/^Redis unavailable for tests \(connect ECONNREFUSED/);
    expect(String(spies.warn.mock.calls[0][0])).not.toContain('hunter2');

    t += REDIS_BREAKER_COOL_DOWN_MS - 1;
    await breaker.run(work, () => 'memory');
    expect(work).toHaveBeenCalledTimes(1);

    // The probe fails: still one warning, and another cool-down.
    t += 1;
    await breaker.run(work, () => 'memory');
    expect(work).toHaveBeenCalledTimes(2);
    expect(spies.warn).toHaveBeenCalledTimes(1);

    t += REDIS_BREAKER_COOL_DOWN_MS;
    await expect(
      breaker.run(
        () => Promise.resolve('redis'),
        () => 'memory',
      ),
    ).resolves.toBe('redis');
    expect(breaker.state).toBe('up');
    expect(spies.log.mock.calls.map((x) => String(x[0]))).toEqual(['Redis answers again: shared again']);
  });

  it('a hung Redis is cut off at the deadline and counts as a failure', async () => {
    jest.mocked(Date.now).mockRestore();
    const breaker = new RedisBreaker(client(), options);
    const started = performance.now();
    await expect(
      breaker.run(
        () => new Promise<string>(() => undefined),
        () => 'memory',
      ),
    ).resolves.toBe('memory');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(breaker.degraded).toBe(true);
    expect(String(spies.warn.mock.calls[0][0])).toMatch(/test call timed out after 30 ms/);
  });

  it('a client that is not connected is not called at all: the fallback answers and the outage is logged once', async () => {
    const c = client();
    c.status = 'reconnecting';
    const breaker = new RedisBreaker(c, options);
    const work = jest.fn(() => Promise.resolve('redis'));
    await expect(breaker.run(work, () => 'memory')).resolves.toBe('memory');
    await expect(breaker.run(work, () => 'memory')).resolves.toBe('memory');
    expect(work).not.toHaveBeenCalled();
    expect(breaker.state).toBe('down');
    expect(spies.warn).toHaveBeenCalledTimes(1);
    expect(String(spies.warn.mock.calls[0][0])).toMatch(/client not connected \(state: reconnecting\)/);
  });

  it('without a client: always the fallback, state absent, said once at construction', async () => {
    const breaker = new RedisBreaker<{ status: string }>(null, options);
    await expect(
      breaker.run(
        () => Promise.resolve('redis'),
        () => 'memory',
      ),
    ).resolves.toBe('memory');
    expect(breaker.state).toBe('absent');
    expect(breaker.degraded).toBe(false);
    expect(spies.log.mock.calls.map((x) => String(x[0]))).toEqual(['in memory: REDIS_URL is not set']);
    expect(spies.warn).not.toHaveBeenCalled();
  });
});
