import { parseRetrySchedule } from '@app/config';
import { RetryPolicy } from './retry-policy';

describe('RetryPolicy', () => {
  it('follows the default schedule with +/-20% jitter, then gives up', () => {
    const schedule = parseRetrySchedule('0,5s,5m,30m,2h,5h,10h,10h')!;
    expect(schedule).toEqual([0, 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000]);
    const low = new RetryPolicy(schedule, 0.2, () => 0);
    const high = new RetryPolicy(schedule, 0.2, () => 0.999999);
    expect(low.nextDelayMs(1)).toBe(4000);
    expect(high.nextDelayMs(1)).toBe(6000);
    expect(low.nextDelayMs(7)).toBe(28_800_000);
    expect(low.nextDelayMs(8)).toBeNull();
  });

  it('rejects malformed schedules', () => {
    expect(parseRetrySchedule('0,5x')).toBeUndefined();
    expect(parseRetrySchedule('')).toBeUndefined();
    expect(parseRetrySchedule('10,20ms,1.5s')).toEqual([10, 20, 1500]);
  });
});
