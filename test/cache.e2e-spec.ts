import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { apiClient, bootApi, domainRawEnv, migrateTestDatabase, token } from './support/domain';
import { e2e } from './support/e2e-env';
import { type ApiProcess, Fleet } from './support/processes';
import { freePort, PrivateRedis } from './support/services';
import { letTimePass, waitFor } from './support/wait-for';

type Client = ReturnType<typeof apiClient>;

/** Seed 002's cache endpoints, in-process against the run's PostgreSQL and Redis. */
describe('cache endpoints (e2e)', () => {
  let app: NestFastifyApplication;
  let api: Client;
  let url: string;

  beforeAll(async () => {
    await migrateTestDatabase();
    ({ app, url } = await bootApi({ DELIVERY_CONCURRENCY: '0' }));
    api = apiClient(url);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('GET /cache/stats: seed 002 fields first, then per layer; reads are counted as hits after the first', async () => {
    const w = await api('POST', '/api/v1/webhooks', { name: 'stats', url: 'http://127.0.0.1:9/hook' });
    expect(w.status).toBe(201);
    const before = (await api('GET', '/api/v1/cache/stats')).body;
    for (let i = 0; i < 5; i += 1) expect((await api('GET', `/api/v1/webhooks/${w.body.id}`)).status).toBe(200);
    const stats = await api('GET', '/api/v1/cache/stats');
    expect(stats.status).toBe(200);
    expect(Object.keys(stats.body).slice(0, 4)).toEqual(['hit_rate', 'cache_hits', 'cache_misses', 'current_size_bytes']);
    expect(stats.body.cache_hits - before.cache_hits).toBe(4);
    expect(stats.body.cache_misses - before.cache_misses).toBe(1);
    expect(stats.body.hit_rate).toBeGreaterThan(0);
    expect(stats.body.current_size_bytes).toBeGreaterThan(0);
    expect(stats.body.l1).toMatchObject({ status: 'available', max_entries: 10000, ttl_ms: 60000 });
    expect(stats.body.l2).toMatchObject({ status: 'available' });
    expect(stats.body.bus).toMatchObject({ status: 'available' });
    await api('DELETE', `/api/v1/webhooks/${w.body.id}`);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^signalgate_cache_hits_total\{layer="l1"\} [1-9]/m);
    expect(metrics).toMatch(/^signalgate_cache_misses_total\{layer="l1"\} [1-9]/m);
    expect(metrics).toMatch(/^signalgate_cache_l1_entries \d+/m);
    expect(metrics).toMatch(/^signalgate_cache_bus_messages_total\{direction="published"\} [1-9]/m);
  });

  it('POST /cache/warm fills the hot reads; POST /cache/invalidate drops all, a namespace or a key', async () => {
    expect((await api('POST', '/api/v1/cache/invalidate')).body).toMatchObject({ status: 'success', scope: 'all' });
    const warm = await api('POST', '/api/v1/cache/warm');
    expect(warm.status).toBe(200);
    expect(warm.body).toEqual({ status: 'success', warmed_entries: expect.any(Number), duration_ms: expect.any(Number) });
    expect(warm.body.warmed_entries).toBeGreaterThanOrEqual(4);
    const hits = (await api('GET', '/api/v1/cache/stats')).body.cache_hits;
    await api('GET', '/api/v1/webhooks/health');
    expect((await api('GET', '/api/v1/cache/stats')).body.cache_hits).toBe(hits + 1);

    const byKey = await api('POST', '/api/v1/cache/invalidate', { namespace: 'health', key: 'all' });
    expect(byKey.status).toBe(200);
    expect(byKey.body).toMatchObject({ status: 'success', scope: 'key', namespace: 'health', key: 'all', dropped: { l1: 1, l2: 1 } });
    const byNamespace = await api('POST', '/api/v1/cache/invalidate', { namespace: 'health' });
    expect(byNamespace.body).toMatchObject({ scope: 'namespace', dropped: { l1: 1 } });
    const all = await api('POST', '/api/v1/cache/invalidate', {});
    expect(all.body).toMatchObject({ scope: 'all', namespace: null, key: null });
    expect((await api('GET', '/api/v1/cache/stats')).body.l1.entries).toBe(0);
  });

  it('refuses bad input with a per-field 400, and tokens without cache:admin or admin with 403', async () => {
    const bad = await api('POST', '/api/v1/cache/invalidate', { namespace: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toHaveProperty('namespace');
    const keyOnly = await api('POST', '/api/v1/cache/invalidate', { key: 'x' });
    expect(keyOnly.status).toBe(400);
    expect(keyOnly.body.errors).toHaveProperty('key');
    const reader = apiClient(url, token(['webhooks:read', 'alerts:read']));
    expect((await reader('GET', '/api/v1/cache/stats')).status).toBe(403);
    expect((await reader('POST', '/api/v1/cache/warm')).status).toBe(403);
    expect((await apiClient(url, null)('GET', '/api/v1/cache/stats')).status).toBe(401);
    const cacheAdmin = apiClient(url, token(['cache:admin']));
    expect((await cacheAdmin('GET', '/api/v1/cache/stats')).status).toBe(200);
  });

  it('an alert is never read stale after acknowledge or resolve; the first page follows a new alert', async () => {
    const created = await api('POST', '/api/v1/alerts', { title: 'cached', severity: 'warning', fingerprint: `cache-${Date.now()}` });
    const id = created.body.id as string;
    expect((await api('GET', `/api/v1/alerts/${id}`)).body.acknowledged).toBe(false);
    await api('GET', '/api/v1/alerts');
    expect((await api('POST', `/api/v1/alerts/${id}/acknowledge`, { note: 'mine' })).status).toBe(200);
    expect((await api('GET', `/api/v1/alerts/${id}`)).body).toMatchObject({ acknowledged: true, acknowledgement_note: 'mine' });
    expect((await api('POST', `/api/v1/alerts/${id}/resolve`)).status).toBe(200);
    expect((await api('GET', `/api/v1/alerts/${id}`)).body.status).toBe('resolved');
    const next = await api('POST', '/api/v1/alerts', { title: 'newest', severity: 'info', fingerprint: `cache-next-${Date.now()}` });
    expect((await api('GET', '/api/v1/alerts')).body.items.map((a: { id: string }) => a.id)).toContain(next.body.id);
  });

  it('a write that changes nothing shown drops nothing: a repeated acknowledge or resolve, a PATCH or rotation health does not show', async () => {
    // Each invalidation publishes one bus message; the counter does not depend on TTLs or timing.
    const published = async () => (await api('GET', '/api/v1/cache/stats')).body.bus.published as number;
    const created = await api('POST', '/api/v1/alerts', { title: 'repeat', severity: 'info', fingerprint: `cache-repeat-${Date.now()}` });
    const id = created.body.id as string;
    let before = await published();
    expect((await api('POST', `/api/v1/alerts/${id}/acknowledge`, { note: 'first' })).body).toMatchObject({
      acknowledged: true,
      acknowledgement_note: 'first',
    });
    expect(await published()).toBe(before + 2); // the alert and the first pages
    await api('GET', `/api/v1/alerts/${id}`);
    before = await published();
    const again = await api('POST', `/api/v1/alerts/${id}/acknowledge`, { note: 'second' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ acknowledged: true, acknowledgement_note: 'first' });
    expect(await published()).toBe(before);
    expect((await api('POST', `/api/v1/alerts/${id}/resolve`)).body.status).toBe('resolved');
    expect(await published()).toBe(before + 2);
    expect((await api('GET', `/api/v1/alerts/${id}`)).body).toMatchObject({ status: 'resolved', acknowledgement_note: 'first' });
    before = await published();
    expect((await api('POST', `/api/v1/alerts/${id}/resolve`)).body.status).toBe('resolved');
    expect(await published()).toBe(before);
    expect((await api('POST', `/api/v1/alerts/${randomUUID()}/resolve`)).status).toBe(404);
    expect(await published()).toBe(before);

    const w = await api('POST', '/api/v1/webhooks', { name: 'health-shows', url: 'http://127.0.0.1:9/hook' });
    const webhookId = w.body.id as string;
    before = await published();
    await api('PATCH', `/api/v1/webhooks/${webhookId}`, { description: 'not in health', headers: { 'x-a': 'b' } });
    await api('POST', `/api/v1/webhooks/${webhookId}/rotate-secret`);
    expect(await published()).toBe(before + 4); // the webhook and the first pages, twice; not health
    await api('PATCH', `/api/v1/webhooks/${webhookId}`, { name: 'health-shows-2' });
    expect(await published()).toBe(before + 7); // health shows the name
    expect((await api('GET', '/api/v1/webhooks/health')).body).toContainEqual(expect.objectContaining({ webhook_id: webhookId, name: 'health-shows-2' }));
    await api('PATCH', `/api/v1/webhooks/${webhookId}`, { is_active: false });
    expect(await published()).toBe(before + 10); // and the state
    expect((await api('GET', '/api/v1/webhooks/degraded')).body).toContainEqual(expect.objectContaining({ webhook_id: webhookId, state: 'disabled' }));
    await api('DELETE', `/api/v1/webhooks/${webhookId}`);
  });
});

/**
 * Two built API processes (npm run build first) on one private Redis, so that the test can kill it: invalidation
 * crosses replicas before the write answers, and a Redis outage is served from L1 with no 5xx.
 */
describe('cache across replicas and through a Redis outage (e2e, built targets)', () => {
  const fleet = new Fleet();
  let redis: PrivateRedis;
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    await migrateTestDatabase();
    redis = await fleet.redis('cache-e2e-pw');
    const raw = domainRawEnv({ REDIS_URL: redis.url, DELIVERY_CONCURRENCY: '0', REDIS_COMMAND_TIMEOUT_MS: '300', REDIS_CONNECT_TIMEOUT_MS: '300' });
    [a, b] = await Promise.all([fleet.api(raw, await freePort()), fleet.api(raw, await freePort())]);
    await Promise.all([a, b].map((p) => busUp(p)));
  }, 60_000);
  afterAll(() => fleet.stopAll());

  const stats = async (p: ApiProcess) => (await apiClient(p.baseUrl)('GET', '/api/v1/cache/stats')).body;
  /** Ready does not wait for the bus, which subscribes once the database has said what it is (its scope). */
  const busUp = (p: ApiProcess) => waitFor(async () => (await stats(p)).bus.status === 'available', { timeoutMs: 5000, what: `the cache bus of ${p.baseUrl}` });

  /**
   * Each round: B reads the webhook (cached in B's L1, checked through B's stats), the writer PATCHes it, and the
   * other replica reads it at once. Stale reads are counted; the worst PATCH-answer-to-fresh-read time is reported.
   */
  async function readYourWrite(rounds: number, label: string, [first, second] = [a, b]) {
    const apiA = apiClient(first.baseUrl);
    const apiB = apiClient(second.baseUrl);
    const w = await apiA('POST', '/api/v1/webhooks', { name: `ryw-${label}`, url: 'http://127.0.0.1:9/hook' });
    expect(w.status).toBe(201);
    let stale = 0;
    let worstMs = 0;
    let l1HitsBeforeWrite = 0;
    for (let i = 0; i < rounds; i += 1) {
      // Alternate: write on A read on B, then write on B read on A.
      const [writer, reader] = i % 2 === 0 ? [apiA, apiB] : [apiB, apiA];
      const readerProcess = i % 2 === 0 ? second : first;
      expect((await reader('GET', `/api/v1/webhooks/${w.body.id}`)).status).toBe(200);
      const hitsBefore = (await stats(readerProcess)).l1.hits;
      expect((await reader('GET', `/api/v1/webhooks/${w.body.id}`)).status).toBe(200);
      if ((await stats(readerProcess)).l1.hits === hitsBefore + 1) l1HitsBeforeWrite += 1;
      const name = `${label}-${i}`;
      const patched = await writer('PATCH', `/api/v1/webhooks/${w.body.id}`, { name });
      expect(patched.status).toBe(200);
      const answered = performance.now();
      const read = await reader('GET', `/api/v1/webhooks/${w.body.id}`);
      worstMs = Math.max(worstMs, performance.now() - answered);
      if (read.body.name !== name) stale += 1;
    }
    await apiA('DELETE', `/api/v1/webhooks/${w.body.id}`);
    // The entry was really in the reader's L1 before each write: without the bus, these reads would be stale.
    expect(l1HitsBeforeWrite).toBe(rounds);
    return { stale, worstMs };
  }

  it('a PATCH on one replica is never read stale on the other (many rounds, both directions)', async () => {
    const rounds = 100;
    const { stale, worstMs } = await readYourWrite(rounds, 'up');
    console.log(`cache e2e: read-your-write across replicas, ${rounds} rounds: ${stale} stale, worst PATCH-answer-to-fresh-read ${worstMs.toFixed(1)} ms`);
    expect(stale).toBe(0);
  }, 60_000);

  it('one database spelled two ways (127.0.0.1 and localhost) is one cache: a PATCH or DELETE is never read stale on the other', async () => {
    const url = new URL(e2e.databaseUrl);
    expect(url.hostname).toBe('127.0.0.1');
    url.hostname = 'localhost';
    const raw = domainRawEnv({ REDIS_URL: redis.url, DELIVERY_CONCURRENCY: '0', DATABASE_URL: url.toString() });
    const c = await fleet.api(raw, await freePort());
    try {
      await busUp(c);
      // Before, the two spellings hashed to two scopes: 40/40 reads were stale, a deleted webhook was served for 105 s.
      const { stale } = await readYourWrite(40, 'spelling', [a, c]);
      expect(stale).toBe(0);
      const apiA = apiClient(a.baseUrl);
      const apiC = apiClient(c.baseUrl);
      for (const [writer, reader] of [
        [apiA, apiC],
        [apiC, apiA],
      ]) {
        const w = await writer('POST', '/api/v1/webhooks', { name: 'spelled-delete', url: 'http://127.0.0.1:9/hook' });
        expect((await reader('GET', `/api/v1/webhooks/${w.body.id}`)).status).toBe(200);
        expect((await reader('GET', `/api/v1/webhooks/${w.body.id}`)).status).toBe(200);
        expect((await writer('DELETE', `/api/v1/webhooks/${w.body.id}`)).status).toBe(204);
        // Was served from the reader's L1 for up to its TTL (105 s) after the delete.
        expect((await reader('GET', `/api/v1/webhooks/${w.body.id}`)).status).toBe(404);
      }
    } finally {
      await c.stop('SIGKILL');
    }
  }, 60_000);

  it("a write on A drops B's L1 entry within 100 ms (bus messages counted on B)", async () => {
    const apiA = apiClient(a.baseUrl);
    const w = await apiA('POST', '/api/v1/webhooks', { name: 'bus', url: 'http://127.0.0.1:9/hook' });
    await apiClient(b.baseUrl)('GET', `/api/v1/webhooks/${w.body.id}`);
    const entriesBefore = (await stats(b)).l1.entries;
    const received = (await stats(b)).bus.received;
    const started = performance.now();
    await apiA('PATCH', `/api/v1/webhooks/${w.body.id}`, { name: 'bus-2' });
    // The PATCH published to B before it answered; B's L1 lost the webhook (and the first pages and health).
    await waitFor(async () => (await stats(b)).bus.received > received, { timeoutMs: 100, intervalMs: 5, what: "B to receive the write's invalidation" });
    const elapsed = performance.now() - started;
    expect((await stats(b)).l1.entries).toBeLessThan(entriesBefore);
    expect(elapsed).toBeLessThan(1000); // the 100 ms bound is the waitFor above; this guards the measurement itself
    await apiA('DELETE', `/api/v1/webhooks/${w.body.id}`);
  });

  it('Redis killed mid-run: L1 keeps serving, writes invalidate locally, stats say L2 is unavailable, 0 x 5xx; Redis back: L2 and the bus resume', async () => {
    const apiA = apiClient(a.baseUrl);
    const apiB = apiClient(b.baseUrl);
    const w = await apiA('POST', '/api/v1/webhooks', { name: 'outage', url: 'http://127.0.0.1:9/hook' });
    const statuses: number[] = [];
    let stop = false;
    const traffic = (async () => {
      for (let i = 0; !stop && i < 5000; i += 1) {
        const rs = await Promise.all([
          apiA('GET', `/api/v1/webhooks/${w.body.id}`),
          apiB('GET', `/api/v1/webhooks/${w.body.id}`),
          apiB('GET', '/api/v1/webhooks/health'),
          apiA('GET', '/api/v1/alerts'),
        ]);
        statuses.push(...rs.map((r) => r.status));
      }
    })();
    await waitFor(() => statuses.length >= 8, { timeoutMs: 10_000, intervalMs: 10, what: 'traffic under way before Redis is killed' });
    await redis.kill();
    // Each replica notices on its own connection: both within a bound (B may see the close a moment after A).
    await waitFor(async () => (await stats(a)).l2.status === 'unavailable', { timeoutMs: 5000, what: 'A to report L2 unavailable' });
    await waitFor(async () => (await stats(b)).l2.status === 'unavailable', { timeoutMs: 5000, what: 'B to report L2 unavailable' });
    // A write during the outage answers quickly and is read back on the replica that made it.
    const started = performance.now();
    const patched = await apiA('PATCH', `/api/v1/webhooks/${w.body.id}`, { name: 'during-outage' });
    expect(patched.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(2000);
    expect((await apiA('GET', `/api/v1/webhooks/${w.body.id}`)).body.name).toBe('during-outage');
    const duringOutage = statuses.length;
    await waitFor(() => statuses.length >= duringOutage + 8, { timeoutMs: 10_000, intervalMs: 10, what: 'traffic served during the outage' });
    await redis.start();
    await waitFor(
      async () => {
        const [sa, sb] = await Promise.all([stats(a), stats(b)]);
        return sa.l2.status === 'available' && sb.l2.status === 'available' && sa.bus.status === 'available' && sb.bus.status === 'available';
      },
      { timeoutMs: 15_000, what: 'L2 and the bus to come back on both replicas' },
    );
    stop = true;
    await traffic;
    // B missed the invalidation published while Redis was down: its L1 was flushed when the bus came back.
    expect((await apiB('GET', `/api/v1/webhooks/${w.body.id}`)).body.name).toBe('during-outage');
    const serverErrors = statuses.filter((s) => s >= 500);
    console.log(`cache e2e: Redis outage: ${statuses.length} requests, ${serverErrors.length} x 5xx`);
    expect(statuses.length).toBeGreaterThan(20);
    expect(serverErrors).toEqual([]);
    // And invalidation crosses replicas again, without a restart.
    const { stale } = await readYourWrite(10, 'back');
    expect(stale).toBe(0);
    await apiA('DELETE', `/api/v1/webhooks/${w.body.id}`);
  }, 90_000);

  it('Redis hung (accepts, never answers): reads and writes still answer within a bound, no 5xx', async () => {
    const apiA = apiClient(a.baseUrl);
    const apiB = apiClient(b.baseUrl);
    const w = await apiA('POST', '/api/v1/webhooks', { name: 'hung', url: 'http://127.0.0.1:9/hook' });
    redis.pause();
    try {
      const timed = async (call: Promise<{ status: number }>) => {
        const started = performance.now();
        const r = await call;
        return { status: r.status, ms: performance.now() - started };
      };
      const results = [
        await timed(apiB('GET', `/api/v1/webhooks/${w.body.id}`)),
        await timed(apiA('PATCH', `/api/v1/webhooks/${w.body.id}`, { name: 'hung-2' })),
        await timed(apiA('GET', `/api/v1/webhooks/${w.body.id}`)),
        await timed(apiB('GET', '/api/v1/webhooks/health')),
      ];
      console.log(`cache e2e: Redis hung: ${results.map((r) => `${r.status} in ${Math.round(r.ms)} ms`).join(', ')}`);
      for (const r of results) {
        expect(r.status).toBe(200);
        expect(r.ms).toBeLessThan(3000);
      }
      // B cached the old name before the PATCH, whose invalidation could not be published: B notices the hang...
      await waitFor(async () => (await stats(b)).bus.status === 'unavailable', { timeoutMs: 5000, what: 'B to notice the hung bus' });
    } finally {
      redis.resume();
    }
    await waitFor(async () => (await stats(b)).bus.status === 'available' && (await stats(a)).bus.status === 'available', {
      timeoutMs: 15_000,
      what: 'the bus after the hang',
    });
    // ...and flushes its L1 when the bus answers again, so the write made during the hang is not read stale.
    expect((await apiB('GET', `/api/v1/webhooks/${w.body.id}`)).body.name).toBe('hung-2');
    await apiA('DELETE', `/api/v1/webhooks/${w.body.id}`);
  }, 60_000);

  it('Redis down at boot does not crash the API; its bus subscribes once Redis answers', async () => {
    const dead = new PrivateRedis(await freePort(), 'cache-boot-pw');
    const raw = domainRawEnv({ REDIS_URL: dead.url, DELIVERY_CONCURRENCY: '0', REDIS_COMMAND_TIMEOUT_MS: '300', REDIS_CONNECT_TIMEOUT_MS: '300' });
    const c = await fleet.api(raw, await freePort(), { wait: 'listening' });
    await letTimePass(1000, 'Redis stays down after boot: a process crashing on it would be gone by now');
    expect(c.running).toBe(true);
    const offline = await apiClient(c.baseUrl)('GET', '/api/v1/cache/stats');
    expect(offline.status).toBe(200);
    expect(offline.body).toMatchObject({ l2: { status: 'unavailable' }, bus: { status: 'unavailable' } });
    await dead.start();
    try {
      await waitFor(async () => (await apiClient(c.baseUrl)('GET', '/api/v1/cache/stats')).body.bus?.status === 'available', {
        timeoutMs: 15_000,
        what: 'the bus to subscribe after Redis came up',
      });
      expect(c.running).toBe(true);
    } finally {
      await c.stop('SIGKILL');
      await dead.stop();
    }
  }, 60_000);
});
