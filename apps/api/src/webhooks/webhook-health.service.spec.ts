import { healthState } from './webhook-health.service';

describe('healthState', () => {
  const base = { is_active: true, consecutive_failures: 0, window_attempts: 0, window_failures: 0 };
  it('is degraded after 4 consecutive failures', () => {
    expect(healthState({ ...base, consecutive_failures: 3, window_attempts: 3, window_failures: 3 })).toBe('healthy');
    expect(healthState({ ...base, consecutive_failures: 4, window_attempts: 4, window_failures: 4 })).toBe('degraded');
  });
  it('is degraded at >= 70% failures over >= 10 attempts', () => {
    expect(healthState({ ...base, window_attempts: 9, window_failures: 9, consecutive_failures: 0 })).toBe('healthy');
    expect(healthState({ ...base, window_attempts: 10, window_failures: 7 })).toBe('degraded');
    expect(healthState({ ...base, window_attempts: 10, window_failures: 6 })).toBe('healthy');
  });
  it('is disabled when inactive', () => expect(healthState({ ...base, is_active: false })).toBe('disabled'));
});
