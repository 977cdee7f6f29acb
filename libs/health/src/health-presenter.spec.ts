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
      components: [
        { name: 'database', status: 'ok', message: 'connected (2 ms)' },
        { name: 'redis', status: 'fail', message: 'unreachable: timed out after 1000 ms' },
        { name: 'migrations', status: 'ok', message: 'at head (Init1732300000000)' },
      ],
      version: '0.1.0',
      time: '2026-11-21T23:00:00.000Z',
    });
  });

  it('components say what each check found: disabled Redis, pending migrations', () => {
    const checks = readinessChecks({
      status: 'error',
      details: {
        db: { status: 'up', detail: 'connected', latency_ms: 1 },
        redis: { status: 'up', detail: 'disabled', latency_ms: 0 },
        migrations: { status: 'down', detail: 'pending', latency_ms: 3, current: null, pending: 2 },
      },
    });
    expect(presentReadiness(checks, '0.1.0', now).components).toEqual([
      { name: 'database', status: 'ok', message: 'connected (1 ms)' },
      { name: 'redis', status: 'ok', message: 'disabled: not configured (REDIS_URL unset outside strict mode)' },
      { name: 'migrations', status: 'fail', message: '2 migration(s) pending: run `cli migrate up`' },
    ]);
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
    expect(body.components.map((c) => [c.name, c.status, c.message])).toEqual([
      ['database', 'fail', 'shutting down: not taking traffic'],
      ['redis', 'fail', 'shutting down: not taking traffic'],
      ['migrations', 'fail', 'shutting down: not taking traffic'],
    ]);
  });
});
