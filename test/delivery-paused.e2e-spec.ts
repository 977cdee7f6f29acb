import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { DeliveryQueue, DeliveryQueueSampler, PAUSED_EXPIRED_ERROR } from '@app/delivery';
import { DashboardSnapshotService } from '../apps/api/src/dashboard/dashboard-snapshot.service';
import { apiClient, bootApi, eventually, migrateTestDatabase, Receiver } from './support/domain';
import { createScratchDatabase } from './support/e2e-env';

type Api = ReturnType<typeof apiClient>;
interface DeliveryBody {
  id: string;
  status: string;
  next_attempt_at: string | null;
  last_error: string | null;
  completed_at: string | null;
  attempts: unknown[];
}

/**
 * Paused webhooks (issue 24): a pending delivery of a webhook with is_active=false is `paused` in the delivery lists,
 * the dashboard snapshot and /metrics alike; re-activation delivers it, and DELIVERY_PAUSED_EXPIRE_HOURS fails it.
 * A scratch database of its own, so the queue figures are exact. The app runs in process on real PostgreSQL.
 */
describe('paused webhooks (e2e)', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  const receivers: Receiver[] = [];
  const apps: NestFastifyApplication[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await migrateTestDatabase(scratch.url);
  });

  afterAll(async () => {
    for (const a of apps) await a.close();
    for (const r of receivers) await r.close();
    await scratch?.drop();
  });

  const boot = async (overrides: Record<string, string>) => {
    // Attempts wait up to 5 s, so the test decides when a held request answers.
    const booted = await bootApi({ WEBHOOK_TIMEOUT_MS: '5000', WEBHOOK_RETRY_SCHEDULE: '0,50ms,100ms', ...overrides }, scratch.url);
    apps.push(booted.app);
    return { app: booted.app, url: booted.url, api: apiClient(booted.url) };
  };

  /**
   * `count` deliveries sent to a receiver that holds every request; then the webhook is paused, the held requests
   * answer 503 and the deliveries go back to the queue (retry due in 50 ms) behind a paused webhook. Returns the ids.
   */
  const pausedDeliveries = async (api: Api, count: number) => {
    let release!: () => void;
    const held = new Promise<void>((ok) => (release = ok));
    const receiver = await Receiver.start(() => held.then(() => ({ status: 503 })));
    receivers.push(receiver);
    const w = await api('POST', '/api/v1/webhooks', { name: `paused${receivers.length}`, url: receiver.url, event_types: ['webhook.test'] });
    expect(w.status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const ping = await api('POST', `/api/v1/webhooks/${w.body.id}/test`);
      expect(ping.status).toBe(202);
      ids.push(ping.body.delivery_id);
    }
    await eventually(async () => receiver.received.length === count || undefined, 10_000, `${count} requests in flight`);
    const paused = await api('PATCH', `/api/v1/webhooks/${w.body.id}`, { is_active: false });
    expect(paused.body).toMatchObject({ is_active: false });
    receiver.behaviour = () => ({ status: 200 });
    release();
    await eventually(
      async () => {
        const page = await api('GET', `/api/v1/deliveries?webhook_id=${w.body.id}&status=paused`);
        return page.body.items.length === count || undefined;
      },
      10_000,
      'the deliveries to be paused',
    );
    return { webhook: paused.body as { id: string; disabled_at: string }, receiver, ids };
  };

  it('paused deliveries are paused in the lists, the dashboard and /metrics, not due; re-activation delivers them', async () => {
    const { app, url, api } = await boot({});
    const { webhook, receiver, ids } = await pausedDeliveries(api, 3);

    // The lists: the webhook's delivery log, GET /api/v1/deliveries (and its filters) and the detail all say paused.
    const log = await api('GET', `/api/v1/webhooks/${webhook.id}/deliveries`);
    expect(log.body.items.map((d: DeliveryBody) => [d.status, d.next_attempt_at])).toEqual(ids.map(() => ['paused', null]));
    expect((await api('GET', `/api/v1/deliveries?webhook_id=${webhook.id}&status=pending`)).body.items).toEqual([]);
    const all = await api('GET', '/api/v1/deliveries?status=paused');
    expect(all.body.items.map((d: DeliveryBody) => d.id).sort()).toEqual([...ids].sort());
    const detail = await api('GET', `/api/v1/deliveries/${ids[0]}`);
    expect(detail.body).toMatchObject({ status: 'paused', next_attempt_at: null });
    expect(detail.body.attempts).toHaveLength(1);
    expect((await api('GET', '/api/v1/deliveries?status=held')).status).toBe(400);
    // Neither a manual retry nor a recovery runs for a paused webhook: both say so (409).
    const retry = await api('POST', `/api/v1/deliveries/${ids[0]}/retry`);
    expect(retry.status).toBe(409);
    expect(retry.text).toContain('delivery is paused');
    const since = new Date(Date.now() - 3_600_000).toISOString();
    expect((await api('POST', `/api/v1/webhooks/${webhook.id}/recover`, { since })).status).toBe(409);

    // The dashboard: paused beside the queue figures, which leave them out (they are past their retry time).
    const snapshot = await app.get(DashboardSnapshotService).snapshot();
    expect(snapshot.queue).toEqual({ depth: 0, due: 0, in_flight: 0, oldest_due_age_ms: null, paused: 3 });

    // /metrics: the queue sampler's depth by state.
    await app.get(DeliveryQueueSampler).sample();
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('signalgate_delivery_queue_depth{state="paused"} 3');
    expect(metrics).toContain('signalgate_delivery_queue_depth{state="pending"} 0');
    expect(metrics).toContain('signalgate_delivery_oldest_due_age_seconds 0');

    // Re-activation: they are due at once and delivered.
    expect((await api('PATCH', `/api/v1/webhooks/${webhook.id}`, { is_active: true })).body).toMatchObject({ is_active: true });
    for (const id of ids) {
      const d = await eventually(
        async () => {
          const r = await api('GET', `/api/v1/deliveries/${id}`);
          return r.body.status === 'succeeded' ? (r.body as DeliveryBody) : undefined;
        },
        10_000,
        `delivery ${id} to succeed`,
      );
      expect(d.attempts).toHaveLength(2);
    }
    expect(receiver.received).toHaveLength(6);
    expect((await app.get(DashboardSnapshotService).queue()).paused).toBe(0);
  });

  it('past DELIVERY_PAUSED_EXPIRE_HOURS they fail with the expiry error and no attempt; a recovery sends them later', async () => {
    await apps.shift()?.close();
    // 0.0005 h = 1.8 s.
    const { url, api } = await boot({ DELIVERY_PAUSED_EXPIRE_HOURS: '0.0005', DELIVERY_REAPER_INTERVAL_MS: '200' });
    const { webhook, receiver, ids } = await pausedDeliveries(api, 2);
    const pausedAt = new Date(webhook.disabled_at).getTime();

    const failed = await eventually(
      async () => {
        const page = await api('GET', `/api/v1/webhooks/${webhook.id}/deliveries`);
        const items = page.body.items as DeliveryBody[];
        return items.every((d) => d.status === 'failed') ? items : undefined;
      },
      15_000,
      'the paused deliveries to expire',
    );
    for (const d of failed) {
      expect(d.last_error).toBe(PAUSED_EXPIRED_ERROR);
      // Not before the configured age (database clock on both sides).
      expect(new Date(d.completed_at ?? 0).getTime() - pausedAt).toBeGreaterThanOrEqual(1800);
    }
    // The attempt log has only the attempt that was made; expiry sends nothing and logs no attempt.
    expect((await api('GET', `/api/v1/deliveries/${ids[0]}`)).body.attempts).toHaveLength(1);
    expect(receiver.received).toHaveLength(2);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('signalgate_deliveries_expired_total 2');

    // Re-activation does not bring failed deliveries back; a recovery of the window does.
    await api('PATCH', `/api/v1/webhooks/${webhook.id}`, { is_active: true });
    const since = new Date(pausedAt - 60_000).toISOString();
    expect((await api('POST', `/api/v1/webhooks/${webhook.id}/recover`, { since })).status).toBe(202);
    await eventually(async () => receiver.received.length === 4 || undefined, 15_000, 'the recovered deliveries to arrive');
    for (const id of ids) {
      await eventually(
        async () => (await api('GET', `/api/v1/deliveries/${id}`)).body.status === 'succeeded' || undefined,
        10_000,
        `delivery ${id} to succeed`,
      );
    }
  });
});

/** DeliveryQueue.expirePaused against the real PostgreSQL: the age it measures, its batch bound, a concurrent re-activation. */
describe('DeliveryQueue.expirePaused (e2e)', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let pool: Pool;
  let queue: DeliveryQueue;
  const HOUR = 3_600_000;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await migrateTestDatabase(scratch.url);
    pool = new Pool({ connectionString: scratch.url, max: 3 });
    queue = new DeliveryQueue({ db: pool });
  });

  afterAll(async () => {
    await pool?.end();
    await scratch?.drop();
  });

  /** A webhook (active, or paused `pausedFor` ago) with deliveries of the given status created `age` ago. */
  const webhook = async (pausedFor: string | null) => {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO webhooks (name, url, secret, is_active, disabled_at) VALUES ('p', 'http://127.0.0.1:9/hook', 'whsec_AAAA', $1, now() - $2::interval) RETURNING id`,
      [pausedFor === null, pausedFor],
    );
    return rows[0].id;
  };
  const deliveries = async (webhookId: string, n: number, age: string, status = 'pending') => {
    await pool.query(
      `INSERT INTO deliveries (webhook_id, event_type, payload, status, created_at, lease_token, lease_expires_at)
       SELECT $1, 'webhook.test', '{}', $3::varchar, now() - $4::interval,
              CASE WHEN $3::varchar = 'in_flight' THEN gen_random_uuid() END, CASE WHEN $3::varchar = 'in_flight' THEN now() + interval '1 hour' END
       FROM generate_series(1, $2)`,
      [webhookId, n, status, age],
    );
  };
  const states = async (webhookId: string) =>
    (
      await pool.query(`SELECT status, last_error, completed_at IS NOT NULL AS completed FROM deliveries WHERE webhook_id = $1 ORDER BY created_at`, [
        webhookId,
      ])
    ).rows;

  it('fails only pending rows paused longer than the age: from the later of the pause and the creation', async () => {
    const long = await webhook('2 hours');
    await deliveries(long, 1, '3 hours');
    await deliveries(long, 1, '3 hours', 'in_flight');
    await deliveries(long, 1, '30 minutes'); // created after the pause began: paused only 30 min
    const recent = await webhook('10 minutes');
    await deliveries(recent, 1, '3 hours');
    const active = await webhook(null);
    await deliveries(active, 1, '3 hours');

    expect(await queue.expirePaused(HOUR, 100)).toBe(1);
    expect(await states(long)).toEqual([
      { status: 'failed', last_error: PAUSED_EXPIRED_ERROR, completed: true },
      { status: 'in_flight', last_error: null, completed: false },
      { status: 'pending', last_error: null, completed: false },
    ]);
    expect(await states(recent)).toEqual([{ status: 'pending', last_error: null, completed: false }]);
    expect(await states(active)).toEqual([{ status: 'pending', last_error: null, completed: false }]);
    expect(await queue.expirePaused(HOUR, 100)).toBe(0);
  });

  it('fails at most `limit` rows per call', async () => {
    const w = await webhook('2 hours');
    await deliveries(w, 5, '3 hours');
    const runs = [await queue.expirePaused(HOUR, 2), await queue.expirePaused(HOUR, 2), await queue.expirePaused(HOUR, 2), await queue.expirePaused(HOUR, 2)];
    expect(runs).toEqual([2, 2, 1, 0]);
  });

  it('a re-activation in progress is not waited for and wins: its deliveries stay pending', async () => {
    const w = await webhook('2 hours');
    await deliveries(w, 2, '3 hours');
    const patch = await pool.connect();
    try {
      await patch.query('BEGIN');
      await patch.query(`UPDATE webhooks SET is_active = true, disabled_at = NULL WHERE id = $1`, [w]);
      // The webhook row is locked by the PATCH: skipped this run, without blocking the reaper.
      expect(await queue.expirePaused(HOUR, 100)).toBe(0);
      await patch.query('COMMIT');
    } finally {
      patch.release();
    }
    expect(await queue.expirePaused(HOUR, 100)).toBe(0);
    expect((await states(w)).map((d) => d.status)).toEqual(['pending', 'pending']);
  });
});
