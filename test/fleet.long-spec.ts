import { Client } from 'pg';
import { MIGRATIONS } from '@app/migrations';
import type { RawEnv } from '@app/config';
import { apiClient, domainRawEnv, token } from './support/domain';
import { callOnce, counterSum, type Outcome, outcomeClass, TrackingReceiver } from './support/fleet-load';
import { type ApiProcess, Fleet, type NodeProcess, runCli } from './support/processes';
import { freePort, type PrivatePostgres, type PrivateRedis } from './support/services';
import { letTimePass, sleep, waitFor } from './support/wait-for';
import { openDashboardFeed } from './support/ws-client';

/**
 * Issue 12: three API processes and one `cli worker`, started from the built dist/ (npm run build first), on one
 * private PostgreSQL and one private Redis, requests spread round-robin over the replicas. Each claim of a
 * multi-replica deployment is its own test; a capability that is missing fails loudly, it is never skipped.
 */
describe('fleet: three API replicas and a cli worker on one PostgreSQL and one Redis (built dist/)', () => {
  const fleet = new Fleet();
  const closers: Array<() => unknown> = [];
  const LIMIT = 40;
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let raw: RawEnv;
  let db: Client;
  let apis: ApiProcess[] = [];
  let worker: NodeProcess | undefined;
  let workerMetricsPort = 0;
  let subjects = 0;
  /** Every suite-level request gets a fresh subject: the fleet's rate limit is small on purpose (test 3). */
  const fresh = () => token(['admin'], `fleet-${process.pid}-${(subjects += 1)}`);
  const via = (api: ApiProcess) => apiClient(api.baseUrl, fresh());

  beforeAll(async () => {
    [pg, redis] = await Promise.all([fleet.postgres(), fleet.redis('fleet-redis-pw')]);
    raw = domainRawEnv({
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      DELIVERY_CONCURRENCY: '2',
      DELIVERY_MAX_IN_FLIGHT: '4',
      DELIVERY_BATCH_SIZE: '2',
      DELIVERY_POLL_INTERVAL_MS: '100',
      WEBHOOK_RETRY_SCHEDULE: '0,100ms,200ms,400ms',
      RATE_LIMIT_LIMIT: String(LIMIT),
      RATE_LIMIT_INTAKE_LIMIT: String(LIMIT),
      // Generous: on a loaded machine a slow Redis check would otherwise fall back to per-process counting (by design).
      RATE_LIMIT_REDIS_TIMEOUT_MS: '5000',
      SHUTDOWN_DELAY_MS: '2000',
      SHUTDOWN_TIMEOUT_MS: '15000',
    });
    db = new Client({ connectionString: pg.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => undefined);
    await db?.end();
    await fleet.stopAll();
  });

  /** Migrated, then three replicas and a worker, started once for the tests that need them. */
  const ensureFleet = async () => {
    if (apis.length) return;
    const up = await runCli(['migrate', 'up'], raw, 120_000);
    if (up.code !== 0) throw new Error(`migrate up failed (${up.code}):\n${up.stdout}\n${up.stderr}`);
    workerMetricsPort = await freePort();
    [apis, worker] = await Promise.all([
      // Bounds for a loaded 2-core machine (boot is ~1.5 s when idle).
      fleet.apis(3, raw, { timeoutMs: 120_000 }),
      fleet.cli(['worker'], { ...raw, WORKER_METRICS_PORT: String(workerMetricsPort) }, /delivery worker running/, { timeoutMs: 120_000 }),
    ]);
  };

  it('three `migrate up` started together: all exit 0, each migration applied exactly once', async () => {
    const shipped = MIGRATIONS.map((M) => new M().name);
    const runs = await Promise.all([0, 1, 2].map(() => runCli(['migrate', 'up'], raw, 120_000)));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    const applied = runs.flatMap((r) => r.stdout.split('\n').filter((l) => l.startsWith('applied: ')));
    expect(applied.sort()).toEqual(shipped.map((n) => `applied: ${n}`).sort());
    const { rows } = await db.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(shipped);
  }, 150_000);

  describe('with three replicas and a worker running', () => {
    beforeAll(ensureFleet, 300_000);

    it('an accepted alert reaches every subscribed webhook, whichever process claims it, never two attempts of one delivery at once', async () => {
      // Every fourth delivery fails its first attempt: its retry is claimed again, by any of the four processes.
      const receivers = await Promise.all([0, 1, 2].map(() => TrackingReceiver.start(30, (id) => parseInt(id.slice(-1), 16) % 4 === 0)));
      const unsubscribed = await TrackingReceiver.start(0);
      for (const r of [...receivers, unsubscribed]) closers.push(() => r.close());
      const admin = via(apis[0]);
      const hooks: string[] = [];
      for (const r of receivers) {
        const w = await admin('POST', '/api/v1/webhooks', { name: 'fleet', url: r.url, event_types: ['alert.created'] });
        expect(w.status).toBe(201);
        hooks.push(w.body.id);
      }
      const other = await admin('POST', '/api/v1/webhooks', { name: 'resolved-only', url: unsubscribed.url, event_types: ['alert.resolved'] });
      expect(other.status).toBe(201);
      const metricsBefore = await attemptsPerProcess();

      const total = 36;
      const alertIds: string[] = [];
      for (let i = 0; i < total; i += 6) {
        const batch = await Promise.all(
          Array.from({ length: 6 }, (_, j) =>
            via(fleet.next())('POST', '/api/v1/alerts', { title: `fleet ${i + j}`, severity: 'high', fingerprint: `fleet-${i + j}` }),
          ),
        );
        for (const r of batch) expect(r.status).toBe(201);
        alertIds.push(...batch.map((r) => r.body.id as string));
      }
      const succeeded = async () =>
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE webhook_id = ANY($1) AND status = 'succeeded'`, [hooks])).rows[0].n;
      await waitFor(async () => (await succeeded()) === total * hooks.length, {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: `${total * hooks.length} deliveries to succeed`,
      });

      const { rows } = await db.query<{ id: string; webhook_id: string; alert_id: string }>(
        `SELECT id, webhook_id, alert_id FROM deliveries WHERE webhook_id = ANY($1)`,
        [hooks],
      );
      expect(rows).toHaveLength(total * hooks.length);
      receivers.forEach((r, i) => {
        const mine = rows.filter((d) => d.webhook_id === hooks[i]);
        expect(new Set(mine.map((d) => d.alert_id))).toEqual(new Set(alertIds)); // every alert fanned out to this webhook
        expect(r.delivered()).toEqual(new Set(mine.map((d) => d.id))); // and every delivery arrived
        expect(r.overlaps()).toEqual([]);
      });
      expect(unsubscribed.attempts.size).toBe(0);
      const retried = receivers.reduce((n, r) => n + [...r.attempts.values()].filter((a) => a.length > 1).length, 0);
      expect(retried).toBeGreaterThan(0);

      // The database agrees: per delivery, attempts in order, none starting before the previous one ended.
      const attempts = await db.query<{ delivery_id: string; started: number; duration_ms: number }>(
        `SELECT delivery_id, extract(epoch FROM started_at) * 1000 AS started, duration_ms FROM delivery_attempts WHERE webhook_id = ANY($1) ORDER BY delivery_id, started_at`,
        [hooks],
      );
      const receipts = receivers.reduce((n, r) => n + [...r.attempts.values()].reduce((m, a) => m + a.length, 0), 0);
      expect(attempts.rows).toHaveLength(receipts);
      const dbOverlaps = attempts.rows.filter(
        (a, i, all) => i > 0 && all[i - 1].delivery_id === a.delivery_id && Number(a.started) < Number(all[i - 1].started) + all[i - 1].duration_ms - 1,
      );
      expect(dbOverlaps).toEqual([]);

      const metricsAfter = await attemptsPerProcess();
      const claimed = metricsAfter.map((n, i) => n - metricsBefore[i]);
      console.log(
        `fleet: ${total} alerts x ${hooks.length} webhooks, ${receipts} attempts (${retried} retried), by process [api1, api2, api3, worker]: ${claimed.join(', ')}`,
      );
      expect(claimed.reduce((a, b) => a + b, 0)).toBe(receipts);
      expect(claimed.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
      expect(worker?.running).toBe(true);
      for (const id of [...hooks, other.body.id]) expect((await admin('DELETE', `/api/v1/webhooks/${id}`)).status).toBe(204);
    }, 120_000);

    /** Delivery attempts each process has made so far (its /metrics; the worker's on WORKER_METRICS_PORT). */
    async function attemptsPerProcess(): Promise<number[]> {
      const urls = [...apis.map((a) => `${a.baseUrl}/metrics`), `http://127.0.0.1:${workerMetricsPort}/metrics`];
      return Promise.all(
        urls.map(async (u) => {
          const r = await fetch(u, { signal: AbortSignal.timeout(5000) });
          if (!r.ok) throw new Error(`${u} answered ${r.status}`);
          return counterSum(await r.text(), 'signalgate_delivery_attempts_total');
        }),
      );
    }

    it('rate limits are shared: one client spread over three replicas is admitted at most one limit in total', async () => {
      const bearer = token(['admin'], `fleet-limited-${process.pid}`);
      const outcomes: Array<{ api: number; o: Outcome }> = [];
      let sent = 0;
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          while (sent < LIMIT * 3) {
            const i = sent++ % 3;
            outcomes.push({ api: i, o: await callOnce(apis[i].baseUrl, 'GET', '/api/v1/webhooks', bearer) });
          }
        }),
      );
      const classes = outcomes.map((x) => outcomeClass(x.o));
      const admitted = outcomes.filter((x) => outcomeClass(x.o) === '2xx');
      console.log(
        `fleet: ${outcomes.length} requests over 3 replicas, limit ${LIMIT}: ${admitted.length} admitted, ${classes.filter((c) => c === '429').length} x 429`,
      );
      expect(admitted.length).toBe(LIMIT);
      expect(classes.filter((c) => c !== '2xx' && c !== '429')).toEqual([]);
      expect(new Set(admitted.map((x) => x.api)).size).toBe(3); // each replica admitted some: the count is shared, not local
    }, 60_000);

    it('cache invalidation crosses replicas: a write on any one is never read stale on the other two', async () => {
      const stats = async (api: ApiProcess) => {
        const r = await via(api)('GET', '/api/v1/cache/stats');
        if (r.status !== 200 || r.body?.bus?.status !== 'available') throw new Error(`cache capability missing on ${api.baseUrl}: ${r.status} ${r.text}`);
        return r.body as { l1: { hits: number } };
      };
      const w = await via(apis[0])('POST', '/api/v1/webhooks', { name: 'cache-0', url: 'http://127.0.0.1:9/hook', event_types: ['alert.resolved'] });
      expect(w.status).toBe(201);
      let stale = 0;
      let cachedBeforeWrite = 0;
      const rounds = 15;
      for (let i = 0; i < rounds; i += 1) {
        const writer = apis[i % 3];
        const readers = apis.filter((a) => a !== writer);
        for (const r of readers) {
          await via(r)('GET', `/api/v1/webhooks/${w.body.id}`);
          const before = (await stats(r)).l1.hits;
          await via(r)('GET', `/api/v1/webhooks/${w.body.id}`);
          if ((await stats(r)).l1.hits > before) cachedBeforeWrite += 1;
        }
        expect((await via(writer)('PATCH', `/api/v1/webhooks/${w.body.id}`, { name: `cache-${i + 1}` })).status).toBe(200);
        for (const r of readers) if ((await via(r)('GET', `/api/v1/webhooks/${w.body.id}`)).body.name !== `cache-${i + 1}`) stale += 1;
      }
      // The entry sat in each reader's L1 before every write: without the invalidation bus these reads would be stale.
      expect(cachedBeforeWrite).toBe(rounds * 2);
      expect(stale).toBe(0);
      expect((await via(apis[1])('DELETE', `/api/v1/webhooks/${w.body.id}`)).status).toBe(204);
    }, 60_000);

    it('WebSocket dashboard events cross replicas: changes made on any replica, and the worker’s deliveries, reach clients on all three', async () => {
      const readToken = token(['alerts:read'], 'fleet-watcher');
      const sockets = await Promise.all(apis.map((api) => openDashboardFeed(api.port, readToken)));
      for (const s of sockets) closers.push(() => s.ws.terminate());
      const receiver = await TrackingReceiver.start(0);
      closers.push(() => receiver.close());
      const hook = await via(apis[2])('POST', '/api/v1/webhooks', { name: 'ws', url: receiver.url, event_types: ['alert.created'] });
      expect(hook.status).toBe(201);

      const created = await via(apis[0])('POST', '/api/v1/alerts', { title: 'fleet ws', severity: 'critical', fingerprint: `fleet-ws-${Date.now()}` });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect((await via(apis[1])('POST', `/api/v1/alerts/${id}/acknowledge`, { note: 'on it' })).status).toBe(200);
      expect((await via(apis[2])('POST', `/api/v1/alerts/${id}/resolve`, {})).status).toBe(200);
      for (const [i, s] of sockets.entries()) {
        for (const type of ['alert.created', 'alert.acknowledged', 'alert.resolved']) {
          await waitFor(() => s.messages.some((m) => m.type === type && (m.alert as { id?: string } | undefined)?.id === id), {
            timeoutMs: 10_000,
            what: `${type} on replica ${i + 1}`,
          });
        }
        // Whichever process delivered it (an API's in-process worker or `cli worker`), its outcome reaches every replica.
        await waitFor(() => s.messages.some((m) => m.type === 'delivery.succeeded' && m.webhook_id === hook.body.id), {
          timeoutMs: 15_000,
          what: `delivery.succeeded on replica ${i + 1}`,
        });
        s.ws.close();
      }
      expect((await via(apis[0])('DELETE', `/api/v1/webhooks/${hook.body.id}`)).status).toBe(204);
    }, 60_000);

    it('SIGTERM to one replica under load: its in-flight requests finish, clients retrying on the others see no error', async () => {
      const victim = apis[0];
      const finals: Outcome[] = [];
      const onVictim: Outcome[] = [];
      let stop = false;
      let n = 0;
      /** One logical request: tried on the next replica after a refused/reset connection or a 503, up to 3 times. */
      const request = async () => {
        const i = (n += 1);
        const [method, path, body] =
          i % 2
            ? ['GET', '/api/v1/alerts?limit=5', undefined]
            : ['POST', '/api/v1/alerts', { title: `drain ${i}`, severity: 'info', fingerprint: `drain-${i}` }];
        let last: Outcome | undefined;
        let api = fleet.next();
        for (let attempt = 0; attempt < 3; attempt += 1) {
          last = await callOnce(api.baseUrl, method, path, fresh(), body);
          if (api === victim) onVictim.push(last);
          const retry = last.kind === 'refused' || last.kind === 'reset' || (last.kind === 'status' && last.status === 503);
          if (!retry) break;
          api = fleet.next(api);
        }
        finals.push(last!);
      };
      const load = Promise.all(
        Array.from({ length: 4 }, async () => {
          while (!stop) await request();
        }),
      );
      await letTimePass(1500, 'the load runs across the whole fleet before the victim is signalled');
      // A burst aimed at the victim, in flight when the signal lands: every one must be answered in full.
      const burst = Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          callOnce(victim.baseUrl, 'POST', '/api/v1/alerts', fresh(), { title: `in flight ${i}`, severity: 'info', fingerprint: `inflight-${i}` }),
        ),
      );
      // Not an ordering barrier: the listener keeps serving for SHUTDOWN_DELAY_MS (2 s) after the signal, so a burst
      // request that lands after it is answered in full all the same; 5 ms only lets most of them connect first.
      await sleep(5);
      const exited = victim.stop('SIGTERM', 20_000);
      // Draining: readiness turns 503 as soon as the signal is handled, while the listener still serves (SHUTDOWN_DELAY_MS).
      const draining = await waitFor(
        async () => {
          const r = await callOnce(victim.baseUrl, 'GET', '/api/ready', fresh(), undefined, 2000);
          return r.kind === 'status' && r.status === 503 ? r : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 20, what: 'the victim to report readiness 503 while draining' },
      );
      const burstResults = await burst;
      const { code } = await exited;
      await letTimePass(1000, 'the others keep serving after the victim left');
      stop = true;
      await load;

      const byClass = (list: Outcome[]) =>
        list.reduce<Record<string, number>>((acc, o) => ({ ...acc, [outcomeClass(o)]: (acc[outcomeClass(o)] ?? 0) + 1 }), {});
      console.log(
        `fleet: SIGTERM under load: ${finals.length} client requests ${JSON.stringify(byClass(finals))}; on the victim ${JSON.stringify(byClass(onVictim))}; burst ${JSON.stringify(byClass(burstResults))}`,
      );
      expect(code).toBe(0);
      expect(draining.kind === 'status' && draining.body).toMatch(/shutting_down/);
      expect(burstResults.map(outcomeClass)).toEqual(burstResults.map(() => '2xx'));
      expect(finals.length).toBeGreaterThan(20);
      expect(
        finals.filter((o) => outcomeClass(o) !== '2xx').map((o) => (o.kind === 'status' ? `${o.status} ${o.body.slice(0, 200)}` : `${o.kind} ${o.error}`)),
      ).toEqual([]);
      // Nothing the victim answered was a 5xx other than a clear 503.
      expect(onVictim.filter((o) => o.kind === 'status' && o.status >= 500 && o.status !== 503)).toEqual([]);
    }, 90_000);
  });
});
