import { DeliveryMetrics } from '../delivery-metrics';
import type { DeliveryPool } from '../delivery-pool';
import { RetentionJob } from './retention-job';
import type { RetentionSettings } from './retention-settings';
import { MetricsService } from '@app/observability';

const settings: RetentionSettings = { intervalMs: 60_000, batchSize: 2, statementTimeoutMs: 1000, succeededDays: 30, failedDays: 90, alertDays: 90 };

/** A pooled connection answering the retention statements from a script: `locked`, and what unlock does. */
function fakeClient(opts: { locked: boolean; unlockFails?: boolean; deliveries?: number }) {
  const statements: string[] = [];
  const client = {
    statements,
    release: jest.fn(),
    query: jest.fn(async (sql: string) => {
      statements.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
      if (sql.includes('pg_try_advisory_lock')) return { rows: [{ locked: opts.locked }] };
      if (sql.includes('pg_advisory_unlock')) {
        if (opts.unlockFails) throw new Error('Connection terminated unexpectedly');
        return { rows: [{}] };
      }
      if (sql.includes('FROM deliveries') && sql.includes('last AS')) {
        const n = opts.deliveries ?? 0;
        opts.deliveries = 0;
        return { rows: [{ scanned: n, deliveries: n, attempts: 2 * n, last_at: null, last_id: null }] };
      }
      if (sql.includes('FROM alerts')) return { rows: [{ scanned: 0, deleted: 0 }] };
      return { rows: [] };
    }),
  };
  return client;
}

function job(client: ReturnType<typeof fakeClient>, s: RetentionSettings = settings) {
  const metrics = new DeliveryMetrics(new MetricsService());
  const pool = { client: jest.fn(async () => client) } as unknown as DeliveryPool;
  const j = new RetentionJob({ retention: s }, pool, metrics);
  (j as unknown as { running: boolean }).running = true;
  return { j, metrics, pool };
}

const pruned = async (m: DeliveryMetrics) => Object.fromEntries((await m.retentionPruned.get()).values.map((v) => [v.labels.table, v.value]));

describe('RetentionJob', () => {
  it('counts what a pass deleted by table and returns the connection to the pool', async () => {
    const client = fakeClient({ locked: true, deliveries: 1 });
    const { j, metrics } = job(client);
    const o = await j.runOnce();
    expect(o).toMatchObject({ ran: true, succeeded: 1, failed: 0, attempts: 2, alerts: 0 });
    expect(await pruned(metrics)).toEqual({ deliveries: 1, delivery_attempts: 2, alerts: 0 });
    expect(client.release).toHaveBeenCalledWith(undefined);
    // Each batch in its own transaction with its statement timeout.
    expect(client.statements.filter((s) => s === 'BEGIN').length).toBe(3);
    expect(client.statements.filter((s) => s.startsWith('SELECT set_config(')).length).toBe(3);
  });

  it('skips when another process holds the lock: nothing deleted, nothing counted', async () => {
    const client = fakeClient({ locked: false });
    const { j, metrics } = job(client);
    expect(await j.runOnce()).toEqual({ ran: false, reason: 'locked' });
    expect(client.statements.some((s) => s === 'BEGIN')).toBe(false);
    expect(await pruned(metrics)).toEqual({ deliveries: 0, delivery_attempts: 0, alerts: 0 });
  });

  it('destroys the connection when unlocking failed: it never goes back to the pool holding the lock', async () => {
    const client = fakeClient({ locked: true, unlockFails: true });
    const { j } = job(client);
    expect(await j.runOnce()).toBeUndefined();
    expect(client.release).toHaveBeenCalledWith(expect.any(Error));
  });

  it('RETENTION_INTERVAL_MS=0: start() schedules nothing', async () => {
    const client = fakeClient({ locked: true });
    const { j, pool } = job(client, { ...settings, intervalMs: 0 });
    (j as unknown as { running: boolean }).running = false;
    jest.useFakeTimers();
    try {
      j.start();
      jest.advanceTimersByTime(10 * 86_400_000);
    } finally {
      jest.useRealTimers();
    }
    expect(pool.client).not.toHaveBeenCalled();
    await j.stop();
  });
});
