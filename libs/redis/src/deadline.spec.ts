import { DeadlineExceededError, withDeadline } from './deadline';

describe('withDeadline', () => {
  afterEach(() => jest.useRealTimers());

  it('passes the value or the error of work that settles in time, and leaves no timer behind', async () => {
    jest.useFakeTimers();
    await expect(withDeadline(Promise.resolve(7), 1_000, 'the sum')).resolves.toBe(7);
    expect(jest.getTimerCount()).toBe(0);
    const own = new Error('connection reset');
    await expect(withDeadline(Promise.reject(own), 1_000, 'the sum')).rejects.toBe(own);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with DeadlineExceededError naming the work once the time is up, and clears its timer', async () => {
    jest.useFakeTimers();
    const outcome = withDeadline(new Promise(() => undefined), 250, 'redis PING');
    const caught = outcome.catch((e: unknown) => e);
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(249);
    let settled = false;
    void caught.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const e = await caught;
    expect(e).toBeInstanceOf(DeadlineExceededError);
    expect(e).toMatchObject({ what: 'redis PING', ms: 250, message: 'redis PING timed out after 250 ms', reason: 'timed out after 250 ms' });
    expect(jest.getTimerCount()).toBe(0);
  });
});
