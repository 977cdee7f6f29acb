import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { WebhookRecoveryQueue, WebhookRecoveryRunner } from '@app/delivery';
import { apiClient, bootApi, domainRawEnv, eventually, migrateTestDatabase, Receiver, token } from './support/domain';
import { e2e } from './support/e2e-env';
import { Fleet, runCli } from './support/processes';
import { freePort } from './support/services';
import { letTimePass } from './support/wait-for';

/**
 * Issue 13, recovery of failed deliveries: after a receiver outage, the deliveries that failed in a window go back in
 * the queue once (none outside it), in bounded batches, with progress to `completed`; through the API and the CLI
 * (the CLI part runs the built target: npm run build first).
 */
describe('webhook recovery (e2e)', () => {
  let app: NestFastifyApplication;
  let api: ReturnType<typeof apiClient>;
  let baseUrl: string;
  let db: Pool;
  const receivers: Receiver[] = [];
  const webhookIds: string[] = [];

  beforeAll(async () => {
    await migrateTestDatabase();
    // Three attempts 0/50/100 ms apart: an outage fails a delivery for good within a second.
    // A small per-webhook cap with a slow receiver keeps a requeued backlog in the queue long enough to measure it.
    const booted = await bootApi({ WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_RETRY_SCHEDULE: '0,50ms,100ms', DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK: '8' });
    app = booted.app;
    baseUrl = booted.url;
    api = apiClient(booted.url);
    db = new Pool({ connectionString: e2e.databaseUrl, max: 2 });
  });

  afterAll(async () => {
    // Other suites share the run's database: leave no webhooks behind (their deliveries and recoveries cascade).
    for (const w of webhookIds) await api('DELETE', `/api/v1/webhooks/${w}`);
    await app?.close();
    await db?.end();
    for (const r of receivers) await r.close();
  });

  const setup = async (up: boolean, delayMs = 0) => {
    const state = { up };
    const r = await Receiver.start(() => ({ status: state.up ? 200 : 503, delayMs }));
    receivers.push(r);
    const w = await api('POST', '/api/v1/webhooks', { name: `recover${receivers.length}`, url: r.url, event_types: ['webhook.test'] });
    expect(w.status).toBe(201);
    webhookIds.push(w.body.id);
    return { receiver: r, state, id: w.body.id as string };
  };

  const delivery = (id: string) => api('GET', `/api/v1/deliveries/${id}`).then((r) => r.body);
  /** Test pings, one after another, each waited on until it has failed for good; returns them in order. */
  const failedPings = async (webhookId: string, n: number) => {
    const out: Array<{ id: string; completed_at: string }> = [];
    for (let i = 0; i < n; i += 1) {
      const p = await api('POST', `/api/v1/webhooks/${webhookId}/test`);
      expect(p.status).toBe(202);
      out.push(
        await eventually(
          async () => {
            const d = await delivery(p.body.delivery_id);
            return d.status === 'failed' ? d : undefined;
          },
          15_000,
          `delivery ${p.body.delivery_id} to fail`,
        ),
      );
    }
    return out;
  };
  /** An instant strictly between two failure times (ms precision is enough: the groups are 100 ms apart). */
  const between = (a: string, b: string) => new Date((Date.parse(a) + Date.parse(b)) / 2).toISOString();
  const completed = (webhookId: string, rid: string) =>
    eventually(
      async () => {
        const r = await api('GET', `/api/v1/webhooks/${webhookId}/recoveries/${rid}`);
        expect(r.status).toBe(200);
        return r.body.status === 'completed' ? r.body : undefined;
      },
      20_000,
      `recovery ${rid} to complete`,
    );

  it('after an outage: what failed in the window arrives once more, nothing outside it, and the recovery completes', async () => {
    const { receiver, state, id } = await setup(false);
    // Three groups of failures with distinct times, so that a window can hold the middle one alone.
    const before = await failedPings(id, 2);
    await letTimePass(100, 'a gap between the failure times of two groups');
    const inside = await failedPings(id, 4);
    await letTimePass(100, 'a gap between the failure times of two groups');
    const after = await failedPings(id, 2);
    expect(Date.parse(inside[0].completed_at)).toBeGreaterThan(Date.parse(before[1].completed_at));
    expect(Date.parse(after[0].completed_at)).toBeGreaterThan(Date.parse(inside[3].completed_at));
    const since = between(before[1].completed_at, inside[0].completed_at);
    const until = between(inside[3].completed_at, after[0].completed_at);
    expect(receiver.received).toHaveLength(8 * 3);

    // Still down: each delivery in the window is requeued once, fails again (3 more attempts), and is not requeued
    // a second time by the same recovery even though it failed again.
    const first = await api('POST', `/api/v1/webhooks/${id}/recover`, { since, until });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ webhook_id: id, since, until, status: expect.stringMatching(/^(pending|running|completed)$/) });
    expect((await completed(id, first.body.id)).requeued).toBe(4);
    for (const d of inside) {
      const now = await eventually(async () => ((await delivery(d.id)).status === 'failed' ? delivery(d.id) : undefined), 15_000, 'failed again');
      expect(now.attempts).toHaveLength(6);
    }
    // The subject is an absence: more runner rounds pass, and a completed recovery requeues nothing more.
    await letTimePass(1500, 'more recovery runner rounds after the recovery completed');
    expect(receiver.received).toHaveLength(8 * 3 + 4 * 3);

    // They failed again after the window, so the same window now holds nothing; their new failures are in the window
    // that starts when the first recovery did.
    const empty = await api('POST', `/api/v1/webhooks/${id}/recover`, { since, until });
    expect(empty.body.id).not.toBe(first.body.id); // the first one completed: a new recovery
    expect((await completed(id, empty.body.id)).requeued).toBe(0);

    // The receiver is back: recovering that later window delivers each exactly once more, and nothing else.
    state.up = true;
    const startedAt = receiver.received.length;
    const second = await api('POST', `/api/v1/webhooks/${id}/recover`, { since: first.body.created_at });
    expect(second.status).toBe(202);
    expect(await completed(id, second.body.id)).toMatchObject({ status: 'completed', requeued: 4, completed_at: expect.any(String) });
    await eventually(() => receiver.received.length >= startedAt + 4, 15_000, 'the requeued deliveries to arrive');
    await letTimePass(1000, 'room for a duplicate delivery to arrive before the exact list is checked');
    const again = receiver.received.slice(startedAt).map((r) => String(r.headers['webhook-id']));
    expect(again.sort()).toEqual(inside.map((d) => d.id).sort());
    for (const d of inside) {
      const now = await delivery(d.id);
      expect(now.status).toBe('succeeded');
      // The attempt log is kept: 3 + 3 failures, then the success.
      expect(now.attempts.map((a: { success: boolean }) => a.success)).toEqual([false, false, false, false, false, false, true]);
    }
    for (const d of [...before, ...after]) expect((await delivery(d.id)).status).toBe('failed');
  });

  it('the same call while one is open returns it; a different window is another recovery', async () => {
    const { id } = await setup(true);
    const since = new Date(Date.now() - 3_600_000).toISOString();
    // This process's runner pauses, so the recovery stays open (pending) for as long as the calls take.
    const runner = app.get(WebhookRecoveryRunner, { strict: false });
    await runner.stop();
    let a, other;
    try {
      const [first, b] = await Promise.all([
        api('POST', `/api/v1/webhooks/${id}/recover`, { since }),
        api('POST', `/api/v1/webhooks/${id}/recover`, { since }),
      ]);
      a = first;
      expect([a.status, b.status]).toEqual([202, 202]);
      expect(b.body.id).toBe(a.body.id);
      const c = await api('POST', `/api/v1/webhooks/${id}/recover`, { since });
      expect([c.status, c.body.id, c.body.status]).toEqual([202, a.body.id, 'pending']);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM webhook_recoveries WHERE webhook_id = $1`, [id]);
      expect(rows[0].n).toBe(1);
      other = await api('POST', `/api/v1/webhooks/${id}/recover`, { since: new Date(Date.now() - 7_200_000).toISOString() });
      expect(other.status).toBe(202);
      expect(other.body.id).not.toBe(a.body.id);
    } finally {
      runner.start();
    }
    // Nothing failed in either window: both complete with nothing requeued.
    expect((await completed(id, a.body.id)).requeued).toBe(0);
    expect((await completed(id, other.body.id)).requeued).toBe(0);
  });

  it('refuses bad input per field (400), unknown ids (404), a disabled webhook (409) and a read-only token (403)', async () => {
    const { id } = await setup(true);
    const post = (body: unknown, wid = id) => api('POST', `/api/v1/webhooks/${wid}/recover`, body);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const cases: Array<[unknown, string]> = [
      [{}, 'since'],
      [{ since: 'yesterday' }, 'since'],
      [{ since: '2026-02-30T00:00:00Z' }, 'since'],
      [{ since: new Date(Date.now() + 3_600_000).toISOString() }, 'since'],
      [{ since: hourAgo, until: hourAgo }, 'until'],
      [{ since: hourAgo, until: 12 }, 'until'],
      [{ since: hourAgo, extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const r = await post(body);
      expect([r.status, Object.keys(r.body.errors ?? {})]).toEqual([400, [field]]);
    }
    expect((await post({ since: hourAgo }, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await post({ since: hourAgo }, 'nope')).status).toBe(400);
    expect((await api('GET', `/api/v1/webhooks/${id}/recoveries/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await api('GET', `/api/v1/webhooks/${id}/recoveries/nope`)).status).toBe(400);
    expect((await apiClient(baseUrl, token(['webhooks:read']))('POST', `/api/v1/webhooks/${id}/recover`, { since: hourAgo })).status).toBe(403);

    expect((await api('PATCH', `/api/v1/webhooks/${id}`, { is_active: false })).status).toBe(200);
    const refused = await post({ since: hourAgo });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/webhook is disabled/);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM webhook_recoveries WHERE webhook_id = $1`, [id]);
    expect(rows[0].n).toBe(0);
  });

  it('requeues in bounded batches, oldest failure first, and tops the webhook up only to its backlog bound', async () => {
    const { receiver, id } = await setup(true, 50);
    // 1200 deliveries that failed an hour ago, 1 ms apart: payload n is the n-th oldest failure.
    await db.query(
      `INSERT INTO deliveries (webhook_id, event_type, payload, status, attempts, completed_at, created_at)
       SELECT $1, 'webhook.test', json_build_object('n', n)::text, 'failed', 3, now() - interval '1 hour' + n * interval '1 ms', now() - interval '2 hours'
       FROM generate_series(1, 1200) n`,
      [id],
    );
    // Leased to this test (the API's runner leaves it alone until the lease expires) so each step is observed.
    const lease = '11111111-1111-4111-8111-111111111111';
    const {
      rows: [rec],
    } = await db.query(
      `INSERT INTO webhook_recoveries (webhook_id, since, until, status, lease_token, lease_expires_at)
       VALUES ($1, now() - interval '90 minutes', 'infinity', 'running', $2, now() + interval '10 minutes') RETURNING id`,
      [id, lease],
    );
    const queue = new WebhookRecoveryQueue({ db });
    const backlog = async () =>
      (
        await db.query(
          `SELECT count(*)::int AS n FROM deliveries WHERE webhook_id = $1 AND (status = 'in_flight' OR (status = 'pending' AND next_attempt_at <= now()))`,
          [id],
        )
      ).rows[0].n as number;
    const requeuedNumbers = async () =>
      (await db.query(`SELECT (payload::json->>'n')::int AS n FROM deliveries WHERE webhook_id = $1 AND status <> 'failed' ORDER BY 1`, [id])).rows.map(
        (r) => r.n as number,
      );

    expect(await queue.step(rec.id, '22222222-2222-4222-8222-222222222222', 500, 500, 60_000)).toBeUndefined(); // not our lease
    expect(await queue.step(rec.id, lease, 500, 500, 60_000)).toEqual({ moved: 500, room: 500, status: 'running' });
    expect(await requeuedNumbers()).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(await backlog()).toBeLessThanOrEqual(500);
    // At once again: only what the workers drained meanwhile fits under the bound (at 8 x 50 ms, a few dozen at most).
    const second = await queue.step(rec.id, lease, 500, 500, 60_000);
    expect(second).toMatchObject({ status: 'running' });
    expect(second!.moved).toBeLessThan(250);
    expect(await backlog()).toBeLessThanOrEqual(500);

    // Handed to the API's runner: it finishes the window; every delivery arrives exactly once.
    await db.query(`UPDATE webhook_recoveries SET lease_token = NULL, lease_expires_at = NULL WHERE id = $1`, [rec.id]);
    expect(await completed(id, rec.id)).toMatchObject({ requeued: 1200 });
    await eventually(() => receiver.received.length >= 1200, 60_000, 'all 1200 deliveries to arrive');
    await eventually(
      async () => (await db.query(`SELECT 1 FROM deliveries WHERE webhook_id = $1 AND status IN ('pending', 'in_flight') LIMIT 1`, [id])).rowCount === 0,
      10_000,
      'the queue to drain',
    );
    const ids = receiver.received.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids).size).toBe(1200);
    // Each was requeued once (retry_base = the 3 attempts it had then); any extra request is the delivery's own retry
    // (a request slower than the timeout on a loaded machine), logged as an attempt: at-least-once, not a second requeue.
    const { rows } = await db.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'succeeded' AND retry_base = 3)::int AS once, sum(attempts - 3)::int AS sent
       FROM deliveries WHERE webhook_id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ n: 1200, once: 1200, sent: ids.length });
  }, 120_000);

  it('cli webhooks recover starts one through the same statements (the API worker runs it); 1 for an unknown webhook, 64 for bad arguments', async () => {
    const { receiver, state, id } = await setup(false);
    const [failed] = await failedPings(id, 1);
    state.up = true;
    const since = new Date(Date.parse(failed.completed_at) - 1000).toISOString();
    const raw = domainRawEnv();
    const cli = await runCli(['webhooks', 'recover', id, '--since', since], raw);
    expect(cli.code).toBe(0);
    const started = JSON.parse(cli.stdout) as { id: string; webhook_id: string; since: string };
    expect(started).toMatchObject({ webhook_id: id, since });
    const done = await completed(id, started.id);
    expect(done.requeued).toBe(1);
    await eventually(() => receiver.received.some((r, i) => i >= 3 && r.headers['webhook-id'] === failed.id), 15_000, 'the delivery to arrive again');

    expect((await runCli(['webhooks', 'recover', '00000000-0000-4000-8000-000000000000', '--since', since], raw)).code).toBe(1);
    expect((await runCli(['webhooks', 'recover', id], raw)).code).toBe(64);
    expect((await runCli(['webhooks', 'recover', id, '--since', since, '--until', since], raw)).code).toBe(64);
  });

  it('replicas and a cli worker share recoveries: one window worked to completion, every delivery requeued once', async () => {
    const fleet = new Fleet();
    try {
      const raw = domainRawEnv({ DELIVERY_CONCURRENCY: '2', DELIVERY_POLL_INTERVAL_MS: '100', WEBHOOK_TIMEOUT_MS: '5000' });
      await fleet.api(raw, await freePort());
      await fleet.cli(['worker'], raw, /delivery worker running/, { timeoutMs: 15_000 });
      const { receiver, id } = await setup(true, 20);
      await db.query(
        `INSERT INTO deliveries (webhook_id, event_type, payload, status, attempts, completed_at, created_at)
         SELECT $1, 'webhook.test', json_build_object('n', n)::text, 'failed', 3, now() - interval '1 hour' + n * interval '1 ms', now() - interval '2 hours'
         FROM generate_series(1, 1500) n`,
        [id],
      );
      const started = await api('POST', `/api/v1/webhooks/${id}/recover`, { since: new Date(Date.now() - 7_200_000).toISOString() });
      expect(started.status).toBe(202);
      expect(await completed(id, started.body.id)).toMatchObject({ requeued: 1500 });
      await eventually(() => new Set(receiver.received.map((r) => r.headers['webhook-id'])).size >= 1500, 60_000, 'all 1500 deliveries to arrive');
      await eventually(
        async () => (await db.query(`SELECT 1 FROM deliveries WHERE webhook_id = $1 AND status IN ('pending', 'in_flight') LIMIT 1`, [id])).rowCount === 0,
        10_000,
        'the queue to drain',
      );
      const { rows } = await db.query(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'succeeded' AND retry_base = 3)::int AS once, sum(attempts - 3)::int AS sent
         FROM deliveries WHERE webhook_id = $1`,
        [id],
      );
      expect(rows[0]).toEqual({ n: 1500, once: 1500, sent: receiver.received.length });
    } finally {
      await fleet.stopAll();
    }
  }, 150_000);
});
