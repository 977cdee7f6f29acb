import { presentReadiness, presentShuttingDown, readinessChecks } from './health-presenter';

describe('health presenter', () => {
  const now = new Date('2026-11-21T23:00:00.000Z');

  it('maps a Terminus result to the standardized body with the flat dependencies map', () => {
    const checks = readinessChecks({
      status: 'error',
      details: {
        db: { status: 'up', detail: 'connected', latency_ms: 2 },
        redis: { status: 'down', detail: 'unreachable', latency_ms: 1001, error: 'timed out after 1000 ms' },
        migrations: { status: 'up', detail: 'head', latency_ms: 3, current: 'Init1732300000000', pending: 0 },
      },
    });
    expect(presentReadiness(checks, '0.1.0', now)).toEqual({
      status: 'fail',
      checks: {
        db: { ok: true, detail: 'connected', latency_ms: 2 },
        redis: { ok: false, detail: 'unreachable', latency_ms: 1001, error: 'timed out after 1000 ms' },
        migrations: { ok: true, detail: 'head', latency_ms: 3, current: 'Init1732300000000', pending: 0 },
      },
      dependencies: { database: 'connected', redis: 'unreachable', migrations: 'head' },
      version: '0.1.0',
      time: '2026-11-21T23:00:00.000Z',
    });
  });

  it('a check that did not report counts as failing', () => {
    const checks = readinessChecks({ status: 'ok', details: {} });
    expect(checks.db).toMatchObject({ ok: false, detail: 'unreachable' });
  });

  it('while draining every check reads shutting_down', () => {
    const body = presentShuttingDown('0.1.0', now);
    expect(body.status).toBe('fail');
    expect(body.detail).toBe('shutting_down');
    expect(body.dependencies).toEqual({ database: 'shutting_down', redis: 'shutting_down', migrations: 'shutting_down' });
  });
});
