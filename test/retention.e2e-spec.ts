import { Client } from 'pg';
import type { RawEnv } from '@app/config';
import { createScratchDatabase, strictRawEnv } from './support/e2e-env';
import { apiClient } from './support/domain';
import { Fleet, type NodeProcess, runCli } from './support/processes';
import { freePort } from './support/services';
import { waitFor } from './support/wait-for';

const RETENTION_LOCK_KEY = 72_616_013;

/**
 * Retention on seeded old rows (built targets; npm run build first), in a scratch database of its own so every count
 * is exact: only what is due goes, a batch at a time, pending/in-flight/firing rows and the attempts webhook health
 * reads stay, health is unchanged, the metric counts what went, `cli prune --dry-run` counts without deleting, and
 * a process that finds the advisory lock taken prunes nothing.
 */
describe('retention (e2e, built targets)', () => {
  const fleet = new Fleet();
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: Client;
  let raw: RawEnv;
  let busy: string;
  let quiet: string;

  const count = async (sql: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0].n;
  const snapshot = async () => ({
    deliveries: await count('deliveries'),
    attempts: await count('delivery_attempts'),
    alerts: await count('alerts'),
  });
  /** The tags (payload / alert title) of what is left, sorted. */
  const left = async () => ({
    deliveries: (await db.query<{ t: string }>(`SELECT DISTINCT payload AS t FROM deliveries ORDER BY 1`)).rows.map((r) => r.t),
    alerts: (await db.query<{ t: string }>(`SELECT DISTINCT title AS t FROM alerts ORDER BY 1`)).rows.map((r) => r.t),
  });

  /** `n` deliveries of `webhook` tagged `tag`, completed `days` ago (null: not finished), each with `attempts` attempts. */
  const seedDeliveries = async (
    webhook: string,
    tag: string,
    n: number,
    status: string,
    days: number | null,
    attempts: number,
    alertId: string | null = null,
  ) => {
    await db.query(
      `WITH d AS (
         INSERT INTO deliveries (webhook_id, alert_id, event_type, payload, status, attempts, created_at, updated_at, completed_at, next_attempt_at,
                                 lease_token, lease_expires_at)
         SELECT $1::uuid, $2::uuid, 'alert.created', $3::text, $4::varchar, $6::int, now() - interval '200 days', now(),
                CASE WHEN $5::int IS NULL THEN NULL ELSE now() - $5::int * interval '1 day' - g * interval '1 second' END,
                now() - interval '200 days',
                CASE WHEN $4::varchar = 'in_flight' THEN gen_random_uuid() END, CASE WHEN $4::varchar = 'in_flight' THEN now() + interval '1 day' END
         FROM generate_series(1, $7::int) g RETURNING id, completed_at
       )
       INSERT INTO delivery_attempts (delivery_id, webhook_id, attempt, success, status_code, duration_ms, started_at)
       SELECT d.id, $1::uuid, k, $4::varchar = 'succeeded' AND k = $6::int, CASE WHEN $4::varchar = 'succeeded' AND k = $6::int THEN 200 ELSE 500 END, 10 + k,
              coalesce(d.completed_at, now() - interval '200 days') - ($6::int - k) * interval '1 minute'
       FROM d CROSS JOIN generate_series(1, $6::int) k ORDER BY d.completed_at NULLS FIRST, k`,
      [webhook, alertId, tag, status, days, attempts, n],
    );
  };

  const seedAlert = async (title: string, status: 'firing' | 'resolved', days: number): Promise<string> => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO alerts (fingerprint, title, severity, status, starts_at, created_at, resolved_at)
       VALUES (md5($1), $1, 'info', $2::varchar, now() - interval '200 days', now() - interval '200 days',
               CASE WHEN $2::varchar = 'resolved' THEN now() - $3::int * interval '1 day' END) RETURNING id`,
      [title, status, days],
    );
    return rows[0].id;
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    raw = strictRawEnv({ DATABASE_URL: scratch.url, LOG_LEVEL: 'info' });
    const migrated = await runCli(['migrate', 'up'], raw);
    expect(migrated.code).toBe(0);
    db = new Client({ connectionString: scratch.url });
    await db.connect();

    // Inactive webhooks: the worker claims nothing of theirs, so only the retention job changes these tables.
    const hook = async (name: string) =>
      (
        await db.query<{ id: string }>(
          `INSERT INTO webhooks (name, url, secret, is_active, enabled_at) VALUES ($1, 'http://127.0.0.1:9/x', 'whsec_x', false, now() - interval '300 days') RETURNING id`,
          [name],
        )
      ).rows[0].id;
    busy = await hook('busy');
    quiet = await hook('quiet');

    const resolvedWithDueDelivery = await seedAlert('go: resolved 91 d, its only delivery due', 'resolved', 91);
    const resolvedWithKeptDelivery = await seedAlert('keep: resolved 91 d, a delivery kept', 'resolved', 91);
    for (let i = 0; i < 4; i++) await seedAlert(`go: resolved 91 d #${i}`, 'resolved', 91);
    await seedAlert('keep: resolved 89 d', 'resolved', 89);
    await seedAlert('keep: firing 200 d', 'firing', 200);

    // Oldest first, so attempt ids grow with time as they do in production.
    await seedDeliveries(quiet, 'keep: quiet webhook, succeeded 40 d (health reads them)', 3, 'succeeded', 40, 1);
    await seedDeliveries(busy, 'keep: pending 200 d', 2, 'pending', null, 1);
    await seedDeliveries(busy, 'keep: in_flight 200 d', 1, 'in_flight', null, 1);
    await seedDeliveries(busy, 'go: failed 91 d', 5, 'failed', 91, 3);
    await seedDeliveries(busy, 'keep: failed 89 d', 2, 'failed', 89, 3, resolvedWithKeptDelivery);
    await seedDeliveries(busy, 'go: succeeded 31 d', 6, 'succeeded', 31, 2);
    await seedDeliveries(busy, 'go: succeeded 31 d', 1, 'succeeded', 31, 2, resolvedWithDueDelivery);
    await seedDeliveries(busy, 'keep: succeeded 29 d', 2, 'succeeded', 29, 2);
    // Recent traffic: the busy webhook's latest 100 attempts are all recent, so its old ones may go.
    await seedDeliveries(busy, 'keep: succeeded 1 d', 120, 'succeeded', 1, 1);
  });

  afterAll(async () => {
    await fleet.stopAll();
    await db?.end();
    await scratch?.drop();
  });

  const DUE = { succeeded: 7, failed: 5, attempts: 7 * 2 + 5 * 3, alerts: 5 };

  it('prunes only what is due, in batches, one process at a time; health unchanged; metric and dry run agree', async () => {
    const api = await fleet.api({ ...raw, LOG_LEVEL: 'warn', DELIVERY_CONCURRENCY: '0', RETENTION_INTERVAL_MS: '0', CACHE_ENABLED: '0' }, await freePort());
    const client = apiClient(api.baseUrl);
    const health = async () => {
      const r = await client<Array<Record<string, unknown>>>('GET', '/api/v1/webhooks/health');
      expect(r.status).toBe(200);
      return r.body.filter((h) => h.webhook_id === busy || h.webhook_id === quiet).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    };
    const healthBefore = await health();
    expect(healthBefore).toHaveLength(2);
    expect(healthBefore[0]).toMatchObject({ name: 'busy', attempts: 100, failures: 0 });
    expect(healthBefore[1]).toMatchObject({ name: 'quiet', attempts: 3 });
    const before = await snapshot();
    const leftBefore = await left();

    // Dry run: the counts, the cutoffs, nothing deleted.
    const dry = await runCli(['prune', '--dry-run'], raw);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      `would delete: deliveries_succeeded=${DUE.succeeded} deliveries_failed=${DUE.failed} delivery_attempts=${DUE.attempts} alerts=${DUE.alerts}`,
    );
    expect(dry.stdout).toMatch(/succeeded deliveries completed before \d{4}-\d\d-\d\dT.*\(30 d\)/);
    expect(dry.stdout).toMatch(/resolved alerts resolved before .*\(90 d\)/);
    expect(await snapshot()).toEqual(before);

    // Another process holds the retention lock: neither `cli prune` nor the worker's job deletes anything.
    const holder = new Client({ connectionString: scratch.url });
    await holder.connect();
    let worker: NodeProcess | undefined;
    const metricsPort = await freePort();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [RETENTION_LOCK_KEY]);
      const blocked = await runCli(['prune'], raw);
      expect(blocked.code).toBe(0);
      expect(blocked.stdout).toContain('skipped: another process holds the retention lock');
      worker = await fleet.cli(
        ['worker'],
        // DELIVERY_PAUSED_EXPIRE_HOURS=0: the seeded pending rows of inactive webhooks are paused ones the reaper would
        // otherwise fail at once (test/delivery-paused.e2e-spec.ts proves that); here only the retention job changes rows.
        {
          ...raw,
          RETENTION_INTERVAL_MS: '1000',
          RETENTION_BATCH_SIZE: '3',
          WORKER_METRICS_PORT: String(metricsPort),
          HOST: '127.0.0.1',
          DELIVERY_PAUSED_EXPIRE_HOURS: '0',
        },
        /retention run skipped: another process holds the retention lock/,
        { timeoutMs: 30_000 },
      );
      expect(await snapshot()).toEqual(before);
    } finally {
      await holder.end();
    }
    const w = worker as NodeProcess;

    // Lock released: the worker's next run prunes, 3 rows a statement. Succeeded: 10 candidates by age (the quiet
    // webhook's 3, kept for health, then the 7 due) = 4 batches; failed 5 = 2; alerts 5 = 2.
    await w.waitForOutput(/retention run: deleted \d+ succeeded/, 30_000);
    const line = w.output.split('\n').find((l) => l.includes('retention run: deleted')) ?? '';
    expect(line).toContain(`deleted ${DUE.succeeded} succeeded + ${DUE.failed} failed deliveries, ${DUE.attempts} attempts, ${DUE.alerts} alerts in 8 batches`);
    expect(line).not.toContain('whsec_');

    expect(await snapshot()).toEqual({
      deliveries: before.deliveries - DUE.succeeded - DUE.failed,
      attempts: before.attempts - DUE.attempts,
      alerts: before.alerts - DUE.alerts,
    });
    const after = await left();
    expect(after.deliveries).toEqual(leftBefore.deliveries.filter((t) => t.startsWith('keep:')));
    expect(after.alerts).toEqual(leftBefore.alerts.filter((t) => t.startsWith('keep:')));
    expect(after.alerts).toHaveLength(3);
    expect(await count(`deliveries WHERE status IN ('pending', 'in_flight')`)).toBe(3);

    // Health reads the same figures after the prune.
    expect(await health()).toEqual(healthBefore);

    // The metric counts the rows that went, by table.
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    expect(metrics).toContain(`signalgate_retention_pruned_rows_total{table="deliveries"} ${DUE.succeeded + DUE.failed}`);
    expect(metrics).toContain(`signalgate_retention_pruned_rows_total{table="delivery_attempts"} ${DUE.attempts}`);
    expect(metrics).toContain(`signalgate_retention_pruned_rows_total{table="alerts"} ${DUE.alerts}`);

    // The next runs find nothing due; a dry run agrees.
    await waitFor(() => (w.output.match(/retention run: deleted/g) ?? []).length >= 2, 30_000, 'a second retention run');
    expect(w.output).toContain('retention run: deleted 0 succeeded + 0 failed deliveries, 0 attempts, 0 alerts');
    const dryAfter = await runCli(['prune', '--dry-run'], raw);
    expect(dryAfter.stdout).toContain('would delete: deliveries_succeeded=0 deliveries_failed=0 delivery_attempts=0 alerts=0');
    expect((await w.stop('SIGTERM')).code).toBe(0);
    await api.stop();
  });
});
