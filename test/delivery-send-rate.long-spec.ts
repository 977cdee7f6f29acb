import { Client } from 'pg';
import { e2e } from './support/e2e-env';
import { apiClient, domainRawEnv, migrateTestDatabase, Receiver } from './support/domain';
import { Fleet, type NodeProcess } from './support/processes';
import { freePort, PrivateRedis } from './support/services';
import { waitFor } from './support/wait-for';

/**
 * rate_limit_per_second across processes (built targets: npm run build first): the API's workers and a `cli worker`
 * share one PostgreSQL queue and one Redis.
 *
 * What the receiver counts: requests per value of `webhook-timestamp`, i.e. per calendar second of the send slot the
 * limiter granted (the worker signs the request with its slot time and sends it at that time). Why that bound is
 * exact: slots of one webhook come from one atomic GCRA in Redis and are at least ceil(1e6 / rate) µs apart, so
 * rate + 1 of them span at least one second and cannot share a calendar second. Arrival times at the receiver add
 * each request's own latency (a loaded machine can bunch two sends), so they are reported, not bounded.
 */
describe('per-webhook send rate (e2e, two processes)', () => {
  const fleet = new Fleet();
  const cleanups: Array<() => Promise<unknown>> = [];
  let db: Client;

  beforeAll(async () => {
    await migrateTestDatabase();
    db = new Client({ connectionString: e2e.databaseUrl });
    await db.connect();
  });

  // Each test's processes go with it: left running, they would claim the next test's deliveries under another Redis.
  afterEach(() => fleet.stopAll());

  afterAll(async () => {
    await fleet.stopAll();
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await db?.end();
  });

  /** Per webhook-id how often it arrived, per webhook-timestamp second how many, and arrival times. */
  const countingReceiver = async () => {
    const seen = new Map<string, number>();
    const perSecond = new Map<number, number>();
    const arrivals: number[] = [];
    const r = await Receiver.start((req) => {
      const id = String(req.headers['webhook-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      const ts = Number(req.headers['webhook-timestamp']);
      perSecond.set(ts, (perSecond.get(ts) ?? 0) + 1);
      arrivals.push(req.at);
      return { status: 200 };
    });
    cleanups.push(() => r.close());
    const maxPerSecond = (from = -Infinity) => Math.max(0, ...[...perSecond].filter(([s]) => s >= from).map(([, n]) => n));
    return { r, seen, perSecond, arrivals, maxPerSecond };
  };

  const maxArrivalsPerCalendarSecond = (arrivals: number[]) => {
    const m = new Map<number, number>();
    for (const a of arrivals) m.set(Math.floor(a / 1000), (m.get(Math.floor(a / 1000)) ?? 0) + 1);
    return Math.max(0, ...m.values());
  };

  const startPair = async (redisUrl: string, extra: Record<string, string> = {}) => {
    // A generous request timeout: on a loaded machine a 1 s timeout fails a request the receiver did get, and its
    // retry is a second arrival (at-least-once by design), which would blur "every delivery exactly once".
    const raw = domainRawEnv({ REDIS_URL: redisUrl, DELIVERY_POLL_INTERVAL_MS: '200', WEBHOOK_TIMEOUT_MS: '10000', ...extra });
    const api = await fleet.api(raw, await freePort());
    const metricsPort = await freePort();
    const worker = await fleet.cli(['worker'], { ...raw, WORKER_METRICS_PORT: String(metricsPort) }, /delivery worker running/, { timeoutMs: 20_000 });
    return { api, worker, client: apiClient(api.baseUrl), workerMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
  };

  const createWebhook = async (client: ReturnType<typeof apiClient>, url: string, rate: number | null, name: string) => {
    const w = await client('POST', '/api/v1/webhooks', { name, url, event_types: ['alert.created'], rate_limit_per_second: rate });
    expect(w.status).toBe(201);
    expect(w.body.rate_limit_per_second).toBe(rate);
    const id = String(w.body.id);
    cleanups.push(() => db.query('DELETE FROM webhooks WHERE id = $1', [id]));
    return id;
  };

  /** One Alertmanager payload with `n` alerts: written and fanned out in a few statements, not n requests. */
  const createAlerts = async (client: ReturnType<typeof apiClient>, n: number, tag: string) => {
    const alerts = Array.from({ length: n }, (_, i) => ({
      status: 'firing',
      labels: { alertname: `${tag}-${i}`, severity: 'info' },
      annotations: { summary: `${tag} ${i}` },
      startsAt: new Date().toISOString(),
    }));
    const body = {
      version: '4',
      groupKey: `{}:{tag="${tag}"}`,
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'signalgate',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      alerts,
    };
    const r = await client('POST', '/api/v1/alerts/alertmanager', body);
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(n);
  };

  const attemptsOf = async (webhookId: string) => {
    const { rows } = await db.query<{ deliveries: number; succeeded: number; attempts: number; logged: number; failed_attempts: number }>(
      `SELECT count(*)::int AS deliveries, count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded, coalesce(sum(attempts), 0)::int AS attempts,
              (SELECT count(*)::int FROM delivery_attempts WHERE webhook_id = $1) AS logged,
              (SELECT count(*)::int FROM delivery_attempts WHERE webhook_id = $1 AND NOT success) AS failed_attempts
       FROM deliveries WHERE webhook_id = $1`,
      [webhookId],
    );
    return rows[0];
  };

  /**
   * Being held back by the rate is not an attempt: every attempt counted on a delivery is one logged request, and
   * the only attempts beyond one per delivery are failed requests (a reset connection on a loaded machine) retried.
   */
  const expectNoAttemptForTheRate = async (webhookId: string, total: number) => {
    const a = await attemptsOf(webhookId);
    if (a.failed_attempts > 0) {
      const { rows } = await db.query(`SELECT error, status_code FROM delivery_attempts WHERE webhook_id = $1 AND NOT success LIMIT 5`, [webhookId]);
      process.stdout.write(`send-rate e2e: ${a.failed_attempts} failed attempt(s), e.g. ${JSON.stringify(rows)}\n`);
    }
    expect(a).toEqual({
      deliveries: total,
      succeeded: total,
      attempts: total + a.failed_attempts,
      logged: total + a.failed_attempts,
      failed_attempts: a.failed_attempts,
    });
    expect(a.failed_attempts).toBeLessThanOrEqual(total / 20);
  };

  const occurrences = (p: NodeProcess, text: string) => p.output.split(text).length - 1;

  it('no second carries more than the rate from both processes together, none is lost, and an unpaced webhook is not slowed', async () => {
    const redis = await PrivateRedis.start();
    cleanups.push(() => redis.stop());
    const { api, worker, client, workerMetricsUrl } = await startPair(redis.url);
    const paced = await countingReceiver();
    const free = await countingReceiver();
    const rate = 10;
    const total = 300;
    const pacedId = await createWebhook(client, paced.r.url, rate, 'paced');
    const freeId = await createWebhook(client, free.r.url, null, 'unpaced');

    await createAlerts(client, total, 'rate');
    // The unpaced webhook gets all of them long before the paced one can have (>= (total - 1) / rate s).
    await waitFor(() => free.seen.size === total, { timeoutMs: 30_000, what: `${total} unpaced deliveries` });
    expect(paced.seen.size).toBeLessThan(total);

    await waitFor(async () => (await attemptsOf(pacedId)).succeeded === total, { timeoutMs: 90_000, what: `${total} paced deliveries` });
    // Every delivery arrived exactly once; requeues for the rate counted no attempt and logged none.
    expect(paced.seen.size).toBe(total);
    const twice = [...paced.seen].filter(([, n]) => n > 1).map(([id]) => id);
    if (twice.length > 0) {
      const { rows } = await db.query(
        `SELECT delivery_id, attempt, success, status_code, error, started_at FROM delivery_attempts WHERE delivery_id = ANY($1) ORDER BY delivery_id, id`,
        [twice],
      );
      process.stdout.write(`arrived more than once: ${JSON.stringify(rows)}\n`);
    }
    expect(twice).toEqual([]);
    await expectNoAttemptForTheRate(pacedId, total);
    expect(paced.maxPerSecond()).toBeLessThanOrEqual(rate);
    // ... and not slower than asked: busy seconds got the full rate.
    expect(paced.maxPerSecond()).toBe(rate);
    const seconds = [...paced.perSecond.keys()];
    expect(Math.max(...seconds) - Math.min(...seconds)).toBeGreaterThanOrEqual(Math.ceil(total / rate) - 1);
    // Not slowed: each unpaced delivery went out within seconds of its alert, while the paced ones queued for tens.
    const latency = async (id: string) =>
      Number(
        (await db.query<{ s: number }>(`SELECT max(extract(epoch FROM completed_at - created_at))::float AS s FROM deliveries WHERE webhook_id = $1`, [id]))
          .rows[0].s,
      );
    const freeMax = await latency(freeId);
    const pacedMax = await latency(pacedId);
    expect(freeMax).toBeLessThan(10);
    expect(pacedMax).toBeGreaterThan(freeMax);
    // Both processes delivered, and the shared limiter stayed in Redis throughout (no per-process fallback).
    for (const p of [api, worker]) expect(occurrences(p, 'Redis unavailable for webhook send rates')).toBe(0);
    for (const url of [`${api.baseUrl}/metrics`, workerMetricsUrl]) {
      expect(await (await fetch(url)).text()).toMatch(/signalgate_delivery_rate_limited_total\{outcome="waited"\} [1-9]/);
    }
    // For the record: arrivals per calendar second at the receiver (latency included).
    process.stdout.write(
      `send-rate e2e: rate ${rate}/s, max per webhook-timestamp second ${paced.maxPerSecond()}, max arrivals per calendar second ${maxArrivalsPerCalendarSecond(paced.arrivals)}, max latency unpaced ${freeMax.toFixed(2)} s / paced ${pacedMax.toFixed(2)} s\n`,
    );
    await db.query('DELETE FROM webhooks WHERE id = $1', [freeId]);
    await worker.stop('SIGTERM');
    await api.stop();
  }, 180_000);

  it("with Redis killed, deliveries go on at each process's share (rate / DELIVERY_RATE_FALLBACK_PROCESSES), none lost", async () => {
    const redis = await PrivateRedis.start();
    cleanups.push(() => redis.stop());
    const { api, worker, client } = await startPair(redis.url, { DELIVERY_RATE_FALLBACK_PROCESSES: '2' });
    const paced = await countingReceiver();
    const rate = 4;
    const total = 60;
    const pacedId = await createWebhook(client, paced.r.url, rate, 'paced-fallback');
    await createAlerts(client, total, 'fallback');
    await waitFor(() => paced.seen.size >= 4, { timeoutMs: 20_000, what: 'the first paced deliveries' });
    await redis.kill();
    const killedAt = Math.floor(Date.now() / 1000);

    await waitFor(async () => (await attemptsOf(pacedId)).succeeded === total, { timeoutMs: 90_000, what: `${total} paced deliveries with Redis down` });
    expect(paced.seen.size).toBe(total);
    await expectNoAttemptForTheRate(pacedId, total);
    // Each process sends at most rate / 2 per second on its own: together at most the rate. Slots Redis granted
    // before the kill reach at most 1 s ahead, so the seconds from the kill + 2 on hold local slots only.
    const afterKill = [...paced.perSecond].filter(([s]) => s >= killedAt + 2);
    expect(afterKill.reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(20);
    expect(paced.maxPerSecond(killedAt + 2)).toBeLessThanOrEqual(rate);
    // Both processes paced per process, and said so once each.
    for (const p of [api, worker]) expect(occurrences(p, 'Redis unavailable for webhook send rates')).toBe(1);
    await worker.stop('SIGTERM');
    await api.stop();
  }, 180_000);

  it('a PATCH of the rate applies within a bounded time; null clears it; a bad value is a 400 on that field', async () => {
    const redis = await PrivateRedis.start();
    cleanups.push(() => redis.stop());
    const { api, worker, client } = await startPair(redis.url);
    const paced = await countingReceiver();
    const id = await createWebhook(client, paced.r.url, 1, 'patched');
    for (const bad of [0, 10_001, 1.5, 'fast', true]) {
      const r = await client('PATCH', `/api/v1/webhooks/${id}`, { rate_limit_per_second: bad });
      expect(r.status).toBe(400);
      expect(Object.keys(r.body.errors as Record<string, string[]>)).toEqual(['rate_limit_per_second']);
    }
    const total = 60;
    await createAlerts(client, total, 'patch');
    await waitFor(() => paced.seen.size >= 2, { timeoutMs: 20_000, what: 'the first paced deliveries' });
    const remaining = total - paced.seen.size;
    expect(remaining).toBeGreaterThanOrEqual(30); // at 1/s these need at least remaining - 1 seconds
    const patched = await client('PATCH', `/api/v1/webhooks/${id}`, { rate_limit_per_second: null });
    expect(patched.status).toBe(200);
    expect(patched.body.rate_limit_per_second).toBeNull();
    const t0 = Date.now();
    await waitFor(() => paced.seen.size === total, { timeoutMs: 30_000, what: `the other ${remaining} deliveries after the PATCH` });
    // Slots already granted (<= 1 s ahead) and a requeued delivery's hold (<= 1.5 s) bound how late the PATCH applies.
    expect(Date.now() - t0).toBeLessThan(8000);
    expect((await client('GET', `/api/v1/webhooks/${id}`)).body.rate_limit_per_second).toBeNull();
    await worker.stop('SIGTERM');
    await api.stop();
  }, 120_000);
});
