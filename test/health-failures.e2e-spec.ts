import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApi } from '../apps/api/src/run-api';
import { DatabaseIndicator, probeQueryTimeoutMs } from '@app/health/indicators/database.indicator';
import { RedisIndicator } from '@app/health/indicators/redis.indicator';
import { ReadinessService } from '@app/health';
import { envFrom, e2e, strictRawEnv } from './support/e2e-env';
import { pastReuseWindow, probe, untilStatus } from './support/health-client';
import { runCli } from './support/processes';
import { PrivatePostgres, PrivateRedis } from './support/services';
import { TcpProxy } from './support/tcp-proxy';
import { letTimePass } from './support/wait-for';

/**
 * Dependencies that die, hang and come back while the service runs: private redis-server and PostgreSQL
 * instances (never the shared ones), and a TCP proxy that accepts connections and stops answering.
 */
const DEADLINE_MS = 500;
/** Scheduling margin on this shared 2-core machine. */
const MARGIN_MS = 400;

async function listen(raw: Record<string, string | undefined>, databaseUrl: string): Promise<{ app: NestFastifyApplication; base: string }> {
  const app = await createApi(envFrom(raw), databaseUrl);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return { app, base: `http://127.0.0.1:${address.port}` };
}

describe('readiness when Redis dies, hangs and comes back', () => {
  let redis: PrivateRedis;
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    expect((await runCli(['migrate', 'up'], strictRawEnv())).code).toBe(0);
    redis = await PrivateRedis.start('r3dis-pw');
    ({ app, base } = await listen(
      strictRawEnv({ REDIS_URL: redis.url, READINESS_TIMEOUT_MS: String(DEADLINE_MS), REDIS_COMMAND_TIMEOUT_MS: '2000' }),
      e2e.databaseUrl,
    ));
    await untilStatus(`${base}/api/ready`, 200, 15_000);
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('killed: 503 within one deadline, liveness 200 throughout; restarted: 200 again without restarting the app', async () => {
    await redis.kill();
    const t503 = await untilStatus(`${base}/api/ready`, 503, DEADLINE_MS + MARGIN_MS);
    expect(t503).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    const down = await probe(`${base}/api/ready`);
    expect(down.body).toMatchObject({ checks: { redis: { ok: false, detail: 'unreachable' }, db: { ok: true } } });
    expect(down.ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    expect((await probe(`${base}/api/health/live`)).status).toBe(200);

    await redis.start();
    const back = await untilStatus(`${base}/api/ready`, 200, 3_000);
    expect(back).toBeLessThan(3_000);
    expect((await probe(`${base}/api/health/live`)).status).toBe(200);
  });

  it('hung (SIGSTOP, connections accepted and never answered): every probe answers 503 within the bound, one PING at a time', async () => {
    const pings = app.get(RedisIndicator).ping;
    const before = pings.started;
    redis.pause();
    const t0 = performance.now();
    try {
      await pastReuseWindow(app.get(ReadinessService)); // the next probe runs the checks against the hung dependency
      const probes = [];
      while (performance.now() - t0 < 3_000) {
        probes.push(await probe(`${base}/api/ready`));
        expect((await probe(`${base}/api/health/live`)).status).toBe(200);
        await letTimePass(60, 'probes keep coming while the dependency stays hung');
      }
      expect(probes.length).toBeGreaterThanOrEqual(4);
      for (const r of probes) {
        expect(r.status).toBe(503);
        expect(r.ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
        expect(r.body).toMatchObject({ checks: { redis: { ok: false, detail: 'unreachable' }, db: { ok: true } } });
      }
      expect(probes.some((r) => (r.body.checks as { redis: { error: string } }).redis.error === `timed out after ${DEADLINE_MS} ms`)).toBe(true);
      // Many probes over ~3 s, but the PINGs do not pile up: a new one starts only when the previous one ended
      // (ioredis command timeout, 2 s here), so at most two in these 3 s.
      const elapsed = performance.now() - t0;
      expect(pings.started - before).toBeLessThanOrEqual(Math.ceil(elapsed / 2000) + 1);
      expect(pings.started - before).toBeLessThan(probes.length);
    } finally {
      redis.resume();
    }
    await untilStatus(`${base}/api/ready`, 200, 3_000);
  });
});

describe('readiness when Redis is down at boot', () => {
  it('boots, serves liveness, readiness 503 unreachable; 200 once Redis is up, no restart', async () => {
    const redis = await PrivateRedis.start();
    await redis.kill();
    const { app, base } = await listen(strictRawEnv({ REDIS_URL: redis.url, READINESS_TIMEOUT_MS: String(DEADLINE_MS) }), e2e.databaseUrl);
    try {
      const r = await probe(`${base}/api/ready`);
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
      expect(r.body).toMatchObject({ checks: { redis: { ok: false, detail: 'unreachable' } } });
      expect((await probe(`${base}/api/health/live`)).status).toBe(200);
      await redis.start();
      // ioredis retries with a backoff capped at 2 s.
      expect(await untilStatus(`${base}/api/ready`, 200, 5_000)).toBeLessThan(5_000);
    } finally {
      await app.close();
      await redis.stop();
    }
  });
});

describe('readiness when PostgreSQL dies, hangs and comes back', () => {
  let pg: PrivatePostgres;
  let proxy: TcpProxy;
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    pg = await PrivatePostgres.start();
    proxy = await TcpProxy.start(pg.port);
    const url = `postgresql://postgres@127.0.0.1:${proxy.port}/postgres`;
    // Outside strict mode the API migrates on boot, so the private server reaches head by itself.
    ({ app, base } = await listen(
      strictRawEnv({ CI_STRICT: '0', DATABASE_URL: url, READINESS_TIMEOUT_MS: String(DEADLINE_MS), DB_STATEMENT_TIMEOUT_MS: '3000' }),
      url,
    ));
    await untilStatus(`${base}/api/ready`, 200, 20_000);
  });
  afterAll(async () => {
    // The proxy first: pg's pool.end() waits for black-holed clients to say goodbye, which they never do.
    await proxy?.close();
    await app?.close();
    await pg?.destroy();
  });

  it('hung (accepts, never answers): probes answer 503 within the bound and hold at most one query per check', async () => {
    const db = app.get(DatabaseIndicator);
    const before = db.ping.started;
    proxy.hang();
    const hungAt = performance.now();
    try {
      await pastReuseWindow(app.get(ReadinessService)); // the next probe runs the checks against the hung dependency
      const pool: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        const r = await probe(`${base}/api/ready`);
        expect(r.ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
        expect(r.status).toBe(503);
        expect(r.body).toMatchObject({ checks: { db: { ok: false, detail: 'unreachable' } } });
        const deep = await probe(`${base}/api/health/deep`);
        pool.push(poolTotal(deep));
        // Deep health's database-backed section is not queried while readiness finds the database failing.
        expect(deep.body.webhooks).toEqual({ error: 'database unavailable' });
        expect((await probe(`${base}/api/health/live`)).status).toBe(200);
        await letTimePass(60, 'probes keep coming while the dependency stays hung');
      }
      // One `SELECT 1` in flight at a time, each dropped after its own bound (two deadlines): over these six
      // probes a new one starts at most once per bound, not once per probe, and the pool does not grow.
      const bounds = Math.ceil((performance.now() - hungAt) / probeQueryTimeoutMs(DEADLINE_MS));
      expect(db.ping.started - before).toBeGreaterThanOrEqual(1);
      expect(db.ping.started - before).toBeLessThanOrEqual(bounds + 1);
      expect(Math.max(...pool)).toBeLessThanOrEqual(Math.min(...pool) + 2);
    } finally {
      proxy.resume();
    }
    await untilStatus(`${base}/api/ready`, 200, 10_000);
  });

  it('connections lost silently (black-holed, never reset) are dropped: 200 again within seconds, no restart', async () => {
    await untilStatus(`${base}/api/ready`, 200, 10_000);
    await pastReuseWindow(app.get(ReadinessService)); // the first probe below runs on the black-holed connections
    // Every open connection goes silent; PostgreSQL itself is fine and new connections work. Without a bound of
    // its own, the probe's `SELECT 1` would wait for the pool's query_timeout (3.5 s here: DB_STATEMENT_TIMEOUT_MS
    // capped by DB_REQUEST_TIMEOUT_MS, plus 500 ms); with it, each silent client is destroyed after two deadlines.
    proxy.blackholeExisting();
    const t0 = performance.now();
    const first = await probe(`${base}/api/ready`);
    expect(first.ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    await untilStatus(`${base}/api/ready`, 200, 8_000);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it('killed: 503 within one deadline, liveness 200 throughout; restarted: 200 within a couple of seconds', async () => {
    await pg.stop();
    const t503 = await untilStatus(`${base}/api/ready`, 503, DEADLINE_MS + MARGIN_MS);
    expect(t503).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    const down = await probe(`${base}/api/ready`);
    expect(down.body).toMatchObject({ checks: { db: { ok: false, detail: 'unreachable' } }, dependencies: { database: 'unreachable' } });
    for (let i = 0; i < 5; i += 1) {
      expect((await probe(`${base}/api/health/live`)).status).toBe(200);
      await letTimePass(50, 'liveness asked repeatedly while PostgreSQL stays down');
    }
    await pg.start();
    const back = await untilStatus(`${base}/api/ready`, 200, 3_000);
    expect(back).toBeLessThan(3_000);
  });
});

function poolTotal(deep: { body: Record<string, unknown> }): number {
  const pool = (deep.body.deep as { database: { pool: { total: number } | null } }).database.pool;
  return pool?.total ?? 0;
}
