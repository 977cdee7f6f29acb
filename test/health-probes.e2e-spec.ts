import { spawnSync } from 'node:child_process';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApi } from '../apps/api/src/run-api';
import { ReadinessService } from '@app/health';
import { reuseWindowMs } from '@app/health/readiness.service';
import { envFrom, createScratchDatabase, e2e, strictRawEnv } from './support/e2e-env';
import { apiClient, bootApi, token } from './support/domain';
import { pastReuseWindow, probe, type Probe } from './support/health-client';
import { runCli } from './support/processes';
import { which } from './support/services';
import { waitFor } from './support/wait-for';

/**
 * The probes against healthy, real dependencies (the run's migrated database and Redis), the app booted in-process
 * through the same createApi/configureApp as main.ts.
 */
async function listen(raw: Record<string, string | undefined>, databaseUrl: string): Promise<{ app: NestFastifyApplication; base: string }> {
  const app = await createApi(envFrom(raw), databaseUrl);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return { app, base: `http://127.0.0.1:${address.port}` };
}

async function waitReady(base: string, timeoutMs = 15_000): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      const r = await probe(`${base}/api/ready`);
      last = r.text;
      return r.status === 200;
    },
    { timeoutMs, what: () => `readiness (last: ${last})` },
  );
}

describe('health probes (healthy dependencies)', () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    const migrated = await runCli(['migrate', 'up'], strictRawEnv());
    expect(migrated.code).toBe(0);
    ({ app, base } = await listen(strictRawEnv(), e2e.databaseUrl));
    await waitReady(base);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('GET /api/ready: 200, every check ok, the standardized body and the flat dependencies map', async () => {
    for (const path of ['/api/ready', '/api/health/ready']) {
      const r = await probe(`${base}${path}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.body).toMatchObject({
        status: 'ok',
        checks: {
          db: { ok: true, detail: 'connected' },
          redis: { ok: true, detail: 'connected' },
          migrations: { ok: true, detail: 'head', pending: 0 },
        },
        dependencies: { database: 'connected', redis: 'connected', migrations: 'head' },
        version: expect.any(String),
      });
      const checks = r.body.checks as Record<string, { latency_ms: number; error?: string }>;
      for (const c of Object.values(checks)) {
        expect(typeof c.latency_ms).toBe('number');
        expect(c.error).toBeUndefined();
      }
      expect(typeof (checks.migrations as { current?: string }).current).toBe('string');
      expect(new Date(r.body.time as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('live, startup, summary, deep and version answer 200 with no-store', async () => {
    const live = await probe(`${base}/api/health/live`);
    expect(live.status).toBe(200);
    expect(live.body.status).toBe('ok');

    const startup = await probe(`${base}/api/health/startup`);
    expect(startup.status).toBe(200);
    expect(startup.body).toMatchObject({ status: 'ok', limits: { disk: { ok: true }, memory: { ok: true } } });

    const summary = await probe(`${base}/api/health`);
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ status: 'ok', ready: 'ok' });

    const deep = await probe(`${base}/api/health/deep`);
    expect(deep.status).toBe(200);
    expect(deep.body).toMatchObject({
      status: 'ok',
      deep: {
        database: { server_version: expect.any(String), pool: { max: expect.any(Number), total: expect.any(Number) } },
        redis: { server_version: expect.stringMatching(/^\d+\.\d+/) },
        disk: { used_ratio: expect.any(Number) },
        memory: { heap_used_bytes: expect.any(Number) },
      },
    });

    const version = await probe(`${base}/api/version`);
    expect(version.status).toBe(200);
    expect(version.body).toEqual({
      version: expect.any(String),
      git_sha: expect.any(String),
      build_time: expect.any(String),
      node: process.version,
      env: 'test',
    });
    for (const r of [live, startup, summary, deep, version]) expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('single flight: a burst of 100 concurrent probes costs a few check runs, not 100', async () => {
    const readiness = app.get(ReadinessService);
    await pastReuseWindow(readiness);
    // Measured where the property holds: when each probe reaches the service, and which of them started a run.
    const arrivals: number[] = [];
    const runStarts: number[] = [];
    const current = readiness.current.bind(readiness);
    const spy = jest.spyOn(readiness, 'current').mockImplementation(() => {
      const runsBefore = readiness.runs;
      const at = performance.now();
      arrivals.push(at);
      const run = current();
      if (readiness.runs > runsBefore) runStarts.push(at);
      return run;
    });
    const before = readiness.runs;
    let results: Probe[];
    try {
      results = await Promise.all(Array.from({ length: 100 }, () => probe(`${base}/api/ready`)));
    } finally {
      spy.mockRestore();
    }
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(arrivals).toHaveLength(100);
    const runs = readiness.runs - before;
    expect(runStarts).toHaveLength(runs);
    expect(runs).toBeGreaterThanOrEqual(1);
    // One run serves every probe that arrives while it is in flight or within the reuse window after it: a new run
    // starts only a full window after the previous one began, so however slowly this shared machine delivers the
    // burst, the runs are bounded by how long the probes took to arrive at the service, not by their number.
    const reuseMs = reuseWindowMs(readiness.deadlineMs);
    for (let i = 1; i < runStarts.length; i += 1) expect(runStarts[i] - runStarts[i - 1]).toBeGreaterThanOrEqual(reuseMs);
    const serverSpreadMs = Math.max(...arrivals) - Math.min(...arrivals);
    expect(runs).toBeLessThanOrEqual(Math.floor(serverSpreadMs / reuseMs) + 1);
  });

  it('GET /metrics: Prometheus text with a gauge per check, a duration histogram and process metrics', async () => {
    const r = await probe(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const samples = parseExposition(r.text);
    for (const check of ['db', 'redis', 'migrations']) {
      expect(samples.get(`signalgate_health_check_up{check="${check}"}`)).toBe(1);
      expect(samples.get(`signalgate_health_check_duration_seconds_count{check="${check}"}`)).toBeGreaterThan(0);
    }
    expect(samples.get('signalgate_ready')).toBe(1);
    expect(samples.has('process_resident_memory_bytes')).toBe(true);
    expect((await probe(`${base}/api/metrics`)).status).toBe(404);

    // Prometheus's own checker must parse the exposition too; without it this test proves nothing, so it fails.
    // Its lint remarks about prom-client's default metric names are not failures; a parse error is.
    const promtool = which('promtool');
    if (!promtool) throw new Error('promtool is not installed: apt-get install prometheus (Debian; .ci/run does it)');
    const checked = spawnSync(promtool, ['check', 'metrics'], { input: r.text, encoding: 'utf8', timeout: 10_000 });
    expect(checked.error).toBeUndefined();
    expect(`${checked.stdout}${checked.stderr}`).not.toMatch(/error while linting|parsing error/i);
  });
});

describe("health probes: seed 004's components and seed 002's deep sections", () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    const migrated = await runCli(['migrate', 'up'], strictRawEnv());
    expect(migrated.code).toBe(0);
    // No in-process delivery: the delivery made below stays due, so the deep body's oldest due age is observable.
    ({ app, url: base } = await bootApi({ DELIVERY_CONCURRENCY: '0' }));
    await waitReady(base);
  });
  const hooksToDelete: string[] = [];
  afterAll(async () => {
    const api = apiClient(base, token(['admin']));
    for (const id of hooksToDelete) expect((await api('DELETE', `/api/v1/webhooks/${id}`)).status).toBe(204);
    await app?.close();
  });

  it("seed 004's evidence commands: .components[0].message on live, .components[].name on startup and ready", async () => {
    const live = await probe<{ components: Array<{ name: string; status: string; message: string }> }>(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(live.body.components[0]).toEqual({ name: 'process', status: 'ok', message: 'Application process is running' });

    const startup = await probe<{ components: Array<{ name: string; status: string; message: string }> }>(`${base}/health/startup`);
    expect(startup.status).toBe(200);
    expect(startup.body.components.map((c) => c.name)).toEqual(['database', 'redis', 'migrations', 'disk_space', 'memory']);
    expect(startup.body.components.every((c) => c.status === 'ok' && c.message.length > 0)).toBe(true);
    expect(startup.body.components[0].message).toMatch(/^connected \(\d+ ms\)$/);
    expect(startup.body.components[2].message).toMatch(/^at head \(.+\)$/);

    const ready = await probe<{ components: Array<{ name: string }>; checks: unknown; dependencies: unknown }>(`${base}/health/ready`);
    expect(ready.body.components.map((c) => c.name)).toEqual(['database', 'redis', 'migrations']);
    expect(ready.body.checks).toBeDefined();
    expect(ready.body.dependencies).toBeDefined();
  });

  it('GET / answers with links to the dashboard, API docs, health and metrics, each of which answers 200', async () => {
    const home = await probe<{ service: string; links: Record<string, string> }>(`${base}/`);
    expect(home.status).toBe(200);
    expect(home.body.service).toBe('signalgate');
    expect(Object.keys(home.body.links)).toEqual(expect.arrayContaining(['dashboard', 'api_docs', 'openapi', 'health', 'ready', 'metrics']));
    for (const path of Object.values(home.body.links)) {
      const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      expect([path, res.status]).toEqual([path, 200]);
    }
  });

  it("deep health has seed 002's cache and webhooks sections, in step with the cache stats and the queue", async () => {
    const api = apiClient(base, token(['admin']));
    const hook = await api('POST', '/api/v1/webhooks', { name: 'deep-health', url: 'http://127.0.0.1:9/deep-health', event_types: ['alert.created'] });
    expect(hook.status).toBe(201);
    // The run's suites share one database: the webhook goes, or other suites' alerts would fan out to it too.
    hooksToDelete.push(hook.body.id as string);
    expect((await api('POST', '/api/v1/alerts', { title: 'deep health', severity: 'warning', source: 'health-e2e' })).status).toBe(201);
    await api('GET', `/api/v1/webhooks/${hook.body.id}`);
    await api('GET', `/api/v1/webhooks/${hook.body.id}`);

    type Deep = {
      status: string;
      cache: { hit_rate: number; cache_hits: number; cache_misses: number; current_size_bytes: number; entries: number };
      webhooks: { total: number; by_state: Record<string, number>; deliveries: { due: number; oldest_due_age_ms: number | null } };
    };
    const deep = await probe<Deep>(`${base}/health/deep`);
    expect(deep.status).toBe(200);
    const stats = (await api('GET', '/api/v1/cache/stats')).body as Deep['cache'];
    expect(deep.body.cache.cache_hits).toBeGreaterThanOrEqual(1);
    expect(deep.body.cache.cache_hits).toBeLessThanOrEqual(stats.cache_hits);
    expect(deep.body.cache.current_size_bytes).toBeGreaterThan(0);
    expect(deep.body.cache.hit_rate).toBeGreaterThan(0);
    const { total, by_state: byState, deliveries } = deep.body.webhooks;
    expect(total).toBeGreaterThanOrEqual(1);
    expect(byState.healthy + byState.degraded + byState.disabled).toBe(total);
    expect(deliveries.due).toBeGreaterThanOrEqual(1);
    expect(deliveries.oldest_due_age_ms).toEqual(expect.any(Number));
    expect((await probe(`${base}/health/detailed`)).body).toMatchObject({ cache: expect.any(Object), webhooks: expect.any(Object) });
  });
});

describe('health probes (failing dependencies, strict mode)', () => {
  it('an unreachable Redis with a password-bearing URL: 503 unreachable, fast, the password in no body', async () => {
    const redisUrl = 'redis://:s3cr%40t-pw@127.0.0.1:1/0';
    const { app, base } = await listen(strictRawEnv({ REDIS_URL: redisUrl, READINESS_TIMEOUT_MS: '1000' }), e2e.databaseUrl);
    try {
      const bodies: string[] = [];
      const ready = await probe(`${base}/api/ready`);
      bodies.push(ready.text);
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(1000 + 500);
      expect(ready.body).toMatchObject({ status: 'fail', checks: { redis: { ok: false, detail: 'unreachable' } }, dependencies: { redis: 'unreachable' } });
      expect(typeof (ready.body.checks as { redis: { error: string } }).redis.error).toBe('string');
      for (const path of ['/api/health/ready', '/api/health/startup', '/api/health/deep', '/api/health', '/api/version', '/metrics']) {
        const r = await probe(`${base}${path}`);
        bodies.push(r.text);
        expect(r.status).toBe(['/api/health', '/api/version', '/metrics'].includes(path) ? 200 : 503);
      }
      for (const b of bodies) {
        expect(b).not.toContain('s3cr');
        expect(b).not.toContain('t-pw');
      }
    } finally {
      await app.close();
    }
  });

  it('a pending migration (fresh database, strict mode never migrates on boot): ready and startup 503 with detail pending', async () => {
    const scratch = await createScratchDatabase();
    const { app, base } = await listen(strictRawEnv({ DATABASE_URL: scratch.url }), scratch.url);
    try {
      let r = await probe(`${base}/api/ready`);
      await waitFor(
        async () => {
          r = await probe(`${base}/api/ready`);
          return (r.body.checks as { db: { ok: boolean } }).db.ok === true;
        },
        { timeoutMs: 15_000, intervalMs: 100, what: 'the database check to pass' },
      ).catch(() => undefined); // the assertions below say what was wrong
      expect(r.status).toBe(503);
      const migrations = (r.body.checks as { migrations: { detail: string; pending: number; current: unknown } }).migrations;
      expect(migrations).toMatchObject({ ok: false, detail: 'pending', current: null });
      expect(migrations.pending).toBeGreaterThan(0);
      expect(r.body.dependencies).toMatchObject({ database: 'connected', migrations: 'pending' });
      expect((await probe(`${base}/api/health/startup`)).status).toBe(503);
      expect((await probe(`${base}/api/health/live`)).status).toBe(200);

      // Once migrated from the CLI, the same process turns ready without a restart.
      expect((await runCli(['migrate', 'up'], strictRawEnv({ DATABASE_URL: scratch.url }))).code).toBe(0);
      await waitReady(base, 5_000);
    } finally {
      await app.close();
      await scratch.drop();
    }
  });
});

/** Minimal Prometheus text parser: `name{labels} value` lines; fails on anything it cannot read. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.eE+-]+|NaN|[+-]Inf)$/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    samples.set(m[1], Number(m[2]));
  }
  return samples;
}
