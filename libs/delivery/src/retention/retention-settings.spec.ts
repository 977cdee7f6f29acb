import { retentionCutoffs, retentionSettings } from './retention-settings';

describe('retentionSettings / retentionCutoffs', () => {
  const env = {
    RETENTION_INTERVAL_MS: 3_600_000,
    RETENTION_BATCH_SIZE: 500,
    RETENTION_STATEMENT_TIMEOUT_MS: 5000,
    DELIVERY_RETENTION_DAYS: 30,
    DELIVERY_FAILED_RETENTION_DAYS: 90,
    ALERT_RETENTION_DAYS: 90,
  };

  it('maps the configuration', () => {
    expect(retentionSettings(env)).toEqual({
      intervalMs: 3_600_000,
      batchSize: 500,
      statementTimeoutMs: 5000,
      succeededDays: 30,
      failedDays: 90,
      alertDays: 90,
    });
  });

  it('puts each cutoff that many whole days before now', () => {
    const now = new Date('2026-12-01T12:00:00.000Z');
    const c = retentionCutoffs({ succeededDays: 30, failedDays: 90, alertDays: 7 }, now);
    expect(c.succeeded.toISOString()).toBe('2026-11-01T12:00:00.000Z');
    expect(c.failed.toISOString()).toBe('2026-09-02T12:00:00.000Z');
    expect(c.alerts.toISOString()).toBe('2026-11-24T12:00:00.000Z');
  });
});
